// The DaemonSet controller with the real scheduler and kubelets on a ManualClock.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KObject, Node, Pod } from "../types";
import { daemonPodNode } from "./daemonset";
import { testCluster, type TestCluster } from "./test-cluster";

let t: TestCluster;

beforeEach(async () => {
  t = await testCluster();
});

afterEach(() => {
  t.cluster.dispose();
});

function ds(name: string, extra: Record<string, unknown> = {}, image = "nginx:1.27"): KObject {
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name },
    spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "agent", image }], ...extra } } },
  };
}

const dsPods = (name: string, namespace = "default"): Pod[] => (t.list("", "pods", namespace) as Pod[]).filter((p) => p.metadata.ownerReferences?.some((r) => r.kind === "DaemonSet" && r.name === name));
const nodes = (): Node[] => t.list("", "nodes");
const workers = (): string[] => nodes().filter((n) => !n.spec?.taints?.some((x) => x.effect === "NoSchedule")).map((n) => n.metadata.name ?? "").sort();

describe("DaemonSet controller", () => {
  it("leaves the seeded kube-proxy with exactly one pod per node", async () => {
    await t.advance(5000);
    const pods = dsPods("kube-proxy", "kube-system");
    expect(pods.map((p) => p.spec.nodeName).sort()).toEqual(nodes().map((n) => n.metadata.name).sort());
    const status = t.get("apps", "daemonsets", "kube-proxy", "kube-system")?.status as Record<string, number>;
    expect(status).toMatchObject({ desiredNumberScheduled: nodes().length, currentNumberScheduled: nodes().length, numberReady: nodes().length, updatedNumberScheduled: nodes().length, numberMisscheduled: 0 });
    expect(t.events("SuccessfulCreate", "kube-system").filter((m) => m.includes("kube-proxy"))).toEqual([]);
  });

  it("runs one pod per worker node, skipping the tainted control plane, pinned by node affinity", async () => {
    t.create("apps", "daemonsets", ds("agent"));
    await t.advance(5000);
    const pods = dsPods("agent");
    expect(pods.map((p) => p.spec.nodeName).sort()).toEqual(workers());
    for (const pod of pods) {
      expect(daemonPodNode(pod)).toBe(pod.spec.nodeName);
      expect(pod.metadata.name).toMatch(/^agent-[a-z0-9]{5}$/);
      expect(pod.spec.tolerations).toContainEqual({ key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" });
    }
    expect(t.get("apps", "daemonsets", "agent")?.status).toMatchObject({ desiredNumberScheduled: workers().length, numberReady: workers().length, numberAvailable: workers().length });
    expect(t.events("SuccessfulCreate")).toHaveLength(workers().length);
  });

  it("tolerating the control-plane taint puts a pod there too; a nodeSelector narrows it", async () => {
    t.create("apps", "daemonsets", ds("everywhere", { tolerations: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" }] }));
    const first = workers()[0] ?? "";
    t.create("apps", "daemonsets", ds("one", { nodeSelector: { "kubernetes.io/hostname": first } }));
    await t.advance(5000);
    expect(dsPods("everywhere")).toHaveLength(nodes().length);
    expect(dsPods("one").map((p) => p.spec.nodeName)).toEqual([first]);
  });

  it("replaces a deleted pod and rolls a new template one node at a time", async () => {
    t.create("apps", "daemonsets", ds("roll"));
    await t.advance(5000);
    const victim = dsPods("roll")[0] as Pod;
    t.cluster.service.delete(t.type("", "pods"), "default", victim.metadata.name ?? "");
    await t.advance(5000);
    expect(dsPods("roll").filter((p) => !p.metadata.deletionTimestamp)).toHaveLength(workers().length);
    t.cluster.service.patch(t.type("apps", "daemonsets"), "default", "roll", "strategic", { spec: { template: { spec: { containers: [{ name: "agent", image: "nginx:1.26" }] } } } });
    await t.advance(300);
    const images = (): string[] => dsPods("roll").filter((p) => !p.metadata.deletionTimestamp).map((p) => p.spec.containers[0]?.image ?? "");
    expect(dsPods("roll").filter((p) => p.metadata.deletionTimestamp).length).toBeLessThanOrEqual(1);
    await t.advance(20_000);
    expect(images()).toEqual(workers().map(() => "nginx:1.26"));
    expect(t.get("apps", "daemonsets", "roll")?.status).toMatchObject({ updatedNumberScheduled: workers().length, numberAvailable: workers().length });
  });
});
