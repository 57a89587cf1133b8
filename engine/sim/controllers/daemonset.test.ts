// The DaemonSet controller with the real scheduler and kubelets on a ManualClock,
// then its history and rollouts through the real kubectl.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startScenario, type Scenario } from "../scenarios/harness";
import { rows } from "../test-kubectl";
import type { KObject, Node, Pod } from "../types";
import type { ControllerRevision } from "./controller-revisions";
import { daemonPodNode } from "./daemonset";
import { podAvailability } from "./ownership";
import { testCluster, type TestCluster } from "./test-cluster";

const HASH = /^[bcdfghjklmnpqrstvwxz2456789]{6,10}$/;

function ds(name: string, extra: Record<string, unknown> = {}, image = "nginx:1.27", spec: Record<string, unknown> = {}): KObject {
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name },
    spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "agent", image }], ...extra } }, ...spec },
  };
}

describe("DaemonSet controller", () => {
  let t: TestCluster;

  beforeEach(async () => {
    t = await testCluster();
  });

  afterEach(() => {
    t.cluster.dispose();
  });

  const dsPods = (name: string, namespace = "default"): Pod[] => (t.list("", "pods", namespace) as Pod[]).filter((p) => p.metadata.ownerReferences?.some((r) => r.kind === "DaemonSet" && r.name === name));
  const livePods = (name: string): Pod[] => dsPods(name).filter((p) => !p.metadata.deletionTimestamp);
  const nodes = (): Node[] => t.list("", "nodes");
  const workers = (): string[] => nodes().filter((n) => !n.spec?.taints?.some((x) => x.effect === "NoSchedule")).map((n) => n.metadata.name ?? "").sort();
  const revisions = (namespace = "default"): ControllerRevision[] => (t.list("apps", "controllerrevisions", namespace) as ControllerRevision[]).sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));
  const setImage = (name: string, image: string): void => {
    t.cluster.service.patch(t.type("apps", "daemonsets"), "default", name, "strategic", { spec: { template: { spec: { containers: [{ name: "agent", image }] } } } });
  };
  const images = (name: string): string[] => livePods(name).map((p) => `${p.spec.nodeName ?? ""}=${p.spec.containers[0]?.image ?? ""}`).sort();

  it("leaves the seeded kube-proxy with exactly one pod per node and its kubeadm revision", async () => {
    await t.advance(5000);
    const pods = dsPods("kube-proxy", "kube-system");
    expect(pods.map((p) => p.spec.nodeName).sort()).toEqual(nodes().map((n) => n.metadata.name).sort());
    const status = t.get("apps", "daemonsets", "kube-proxy", "kube-system")?.status as Record<string, number>;
    expect(status).toMatchObject({ desiredNumberScheduled: nodes().length, currentNumberScheduled: nodes().length, numberReady: nodes().length, updatedNumberScheduled: nodes().length, numberMisscheduled: 0 });
    expect(t.events("SuccessfulCreate", "kube-system").filter((m) => m.includes("kube-proxy"))).toEqual([]);
    const [revision, ...more] = revisions("kube-system");
    expect(more).toEqual([]);
    const hash = pods[0]?.metadata.labels?.["controller-revision-hash"];
    expect(revision?.metadata.name).toBe(`kube-proxy-${hash ?? ""}`);
    expect(revision?.revision).toBe(1);
    expect(revision?.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: "DaemonSet", name: "kube-proxy", controller: true })]);
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

  it("a NoSchedule taint keeps the running pod (misscheduled); a NoExecute taint removes it", async () => {
    t.create("apps", "daemonsets", ds("agent"));
    await t.advance(5000);
    const [first, second] = workers();
    const taint = (node: string | undefined, effect: string): void => {
      t.cluster.service.patch(t.type("", "nodes"), undefined, node ?? "", "merge", { spec: { taints: [{ key: "dedicated", value: "db", effect }] } });
    };
    taint(first, "NoSchedule");
    await t.advance(5000);
    expect(images("agent")).toEqual([`${first ?? ""}=nginx:1.27`, `${second ?? ""}=nginx:1.27`]);
    expect(t.get("apps", "daemonsets", "agent")?.status).toMatchObject({ desiredNumberScheduled: 1, currentNumberScheduled: 1, numberMisscheduled: 1 });
    taint(first, "NoExecute");
    await t.advance(5000);
    expect(images("agent")).toEqual([`${second ?? ""}=nginx:1.27`]);
    expect(t.events("SuccessfulDelete")).toHaveLength(1);
  });

  it("keeps a ControllerRevision per template: `<ds>-<hash>`, the template as a replace patch, owned by the DaemonSet", async () => {
    const created = t.create("apps", "daemonsets", ds("agent"));
    await t.advance(5000);
    const [first] = revisions();
    const hash = first?.metadata.labels?.["controller-revision-hash"] ?? "";
    expect(hash).toMatch(HASH);
    expect(first?.metadata).toMatchObject({ name: `agent-${hash}`, labels: { app: "agent", "controller-revision-hash": hash } });
    expect(first?.metadata.ownerReferences).toEqual([{ apiVersion: "apps/v1", kind: "DaemonSet", name: "agent", uid: created.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    const stored = t.get("apps", "daemonsets", "agent")?.spec as { template: object };
    expect(first?.data).toEqual({ spec: { template: { $patch: "replace", ...stored.template } } });
    // Keys sorted as Go marshals a map: kubectl compares these bytes with its own patch.
    expect(Object.keys((first?.data as { spec: { template: object } }).spec.template)).toEqual(["$patch", "metadata", "spec"]);
    expect(dsPods("agent").map((p) => p.metadata.labels?.["controller-revision-hash"])).toEqual(workers().map(() => hash));

    setImage("agent", "nginx:1.26");
    await t.advance(30_000);
    expect(revisions().map((r) => [r.revision, r.metadata.name === `agent-${hash}`])).toEqual([
      [1, true],
      [2, false],
    ]);
    const second = revisions()[1];
    expect(livePods("agent").map((p) => p.metadata.labels?.["controller-revision-hash"])).toEqual(workers().map(() => second?.metadata.labels?.["controller-revision-hash"]));
    expect(t.get("apps", "daemonsets", "agent")?.status).toMatchObject({ updatedNumberScheduled: workers().length, numberAvailable: workers().length, observedGeneration: 2 });
  });

  it("replaces a deleted pod and rolls a new template one node at a time (maxUnavailable 1)", async () => {
    t.create("apps", "daemonsets", ds("roll"));
    await t.advance(5000);
    const victim = dsPods("roll")[0] as Pod;
    t.cluster.service.delete(t.type("", "pods"), "default", victim.metadata.name ?? "");
    await t.advance(5000);
    expect(livePods("roll")).toHaveLength(workers().length);
    setImage("roll", "nginx:1.26");
    let worst = 0;
    let sawMixed = false;
    for (let i = 0; i < 300; i++) {
      await t.advance(100);
      const available = livePods("roll").filter((p) => podAvailability(p, 0, t.clock.now()).available);
      worst = Math.max(worst, workers().length - available.length);
      if (new Set(images("roll").map((s) => s.split("=")[1])).size > 1) sawMixed = true;
    }
    expect(worst).toBe(1);
    expect(sawMixed).toBe(true);
    expect(images("roll")).toEqual(workers().map((n) => `${n}=nginx:1.26`));
    expect(t.get("apps", "daemonsets", "roll")?.status).toMatchObject({ updatedNumberScheduled: workers().length, numberAvailable: workers().length });
  });

  it("with maxSurge the new pod starts beside the old one, which goes once the new one is available", async () => {
    t.create("apps", "daemonsets", ds("surge", {}, "nginx:1.27", { updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }));
    await t.advance(5000);
    setImage("surge", "nginx:1.26");
    let fewestAvailable = Infinity;
    let mostPods = 0;
    for (let i = 0; i < 300; i++) {
      await t.advance(100);
      const live = livePods("surge");
      mostPods = Math.max(mostPods, live.length);
      fewestAvailable = Math.min(fewestAvailable, live.filter((p) => podAvailability(p, 0, t.clock.now()).available).length);
    }
    expect(fewestAvailable).toBe(workers().length);
    expect(mostPods).toBe(workers().length + 1);
    expect(images("surge")).toEqual(workers().map((n) => `${n}=nginx:1.26`));
  });

  it("OnDelete keeps old pods until someone deletes them, then replaces them from the new template", async () => {
    t.create("apps", "daemonsets", ds("manual", {}, "nginx:1.27", { updateStrategy: { type: "OnDelete" } }));
    await t.advance(5000);
    setImage("manual", "nginx:1.26");
    await t.advance(10_000);
    expect(images("manual")).toEqual(workers().map((n) => `${n}=nginx:1.27`));
    expect(revisions()).toHaveLength(2);
    const status = t.get("apps", "daemonsets", "manual")?.status;
    expect(status).toMatchObject({ desiredNumberScheduled: workers().length, numberAvailable: workers().length, observedGeneration: 2 });
    expect(status).not.toHaveProperty("updatedNumberScheduled");
    const first = livePods("manual").find((p) => p.spec.nodeName === workers()[0]) as Pod;
    t.cluster.service.delete(t.type("", "pods"), "default", first.metadata.name ?? "");
    await t.advance(10_000);
    expect(images("manual")).toEqual([`${workers()[0] ?? ""}=nginx:1.26`, `${workers()[1] ?? ""}=nginx:1.27`]);
    expect(t.get("apps", "daemonsets", "manual")?.status).toMatchObject({ updatedNumberScheduled: 1 });
  });

  it("trims history to revisionHistoryLimit, keeping revisions pods still run", async () => {
    t.create("apps", "daemonsets", ds("trim", {}, "nginx:1.27", { revisionHistoryLimit: 1 }));
    t.create("apps", "daemonsets", ds("kept", {}, "nginx:1.27", { revisionHistoryLimit: 1, updateStrategy: { type: "OnDelete" } }));
    await t.advance(5000);
    for (const image of ["nginx:1.26", "nginx:1.25", "nginx:1.24"]) {
      setImage("trim", image);
      setImage("kept", image);
      await t.advance(30_000);
    }
    const of = (name: string): ControllerRevision[] => revisions().filter((r) => r.metadata.ownerReferences?.[0]?.name === name);
    expect(of("trim").map((r) => r.revision)).toEqual([3, 4]);
    const newest = of("trim")[1]?.metadata.labels?.["controller-revision-hash"];
    expect(livePods("trim").map((p) => p.metadata.labels?.["controller-revision-hash"])).toEqual(workers().map(() => newest));
    // OnDelete pods still run revision 1: it stays beside the current one.
    expect(of("kept").map((r) => r.revision)).toEqual([1, 4]);
  });
});

describe("DaemonSet history and rollouts through kubectl", () => {
  let s: Scenario;

  beforeAll(async () => {
    s = await startScenario("learner-daemonset");
  });

  afterAll(async () => {
    await s.close();
  });

  const manifest = (image: string): string => `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: agent}
    spec:
      containers:
      - name: agent
        image: ${image}
`;

  it("get controllerrevisions shows kube-proxy's revision as on a kubeadm cluster", async () => {
    const table = rows(await s.ok("get", "controllerrevisions", "-n", "kube-system"));
    expect(table).toEqual([
      ["NAME", "CONTROLLER", "REVISION", "AGE"],
      [expect.stringMatching(/^kube-proxy-[bcdfghjklmnpqrstvwxz2456789]{10}$/), "daemonset.apps/kube-proxy", "1", expect.stringMatching(/^\d+s$/)],
    ]);
    expect(rows(await s.ok("rollout", "history", "daemonset/kube-proxy", "-n", "kube-system"))).toEqual([["daemonset.apps/kube-proxy"], ["REVISION", "CHANGE-CAUSE"], ["1", "<none>"]]);
  });

  it("rollout status waits for the new pods node by node", async () => {
    await s.okWithInput(manifest("nginx:1.27"), "apply", "-f", "-");
    await s.settle("agent rolled out", () => (s.get("apps", "daemonsets", "agent")?.status as { numberAvailable?: number } | undefined)?.numberAvailable === 2);
    expect(await s.ok("rollout", "status", "ds/agent")).toBe('daemon set "agent" successfully rolled out\n');
    expect(await s.ok("set", "image", "ds/agent", "agent=nginx:1.26")).toBe("daemonset.apps/agent image updated\n");
    const status = await s.waiting(s.kubectl("rollout", "status", "ds/agent"));
    expect(status.code).toBe(0);
    for (const line of status.stdout.trim().split("\n").slice(0, -1)) {
      expect(line).toMatch(/^Waiting for daemon set "agent" rollout to finish: (\d out of 2 new pods have been updated|\d of 2 updated pods are available)\.\.\.$/);
    }
    expect(status.stdout.trim().split("\n").at(-1)).toBe('daemon set "agent" successfully rolled out');
  });

  it("rollout history lists the revisions and shows one's template", async () => {
    expect(rows(await s.ok("rollout", "history", "ds/agent"))).toEqual([["daemonset.apps/agent"], ["REVISION", "CHANGE-CAUSE"], ["1", "<none>"], ["2", "<none>"]]);
    const one = await s.ok("rollout", "history", "ds/agent", "--revision=1");
    expect(one).toMatch(/^daemonset.apps\/agent with revision #1\nPod Template:\n {2}Labels:\tapp=agent\n {2}Containers:\n {3}agent:\n {4}Image:\tnginx:1.27\n/);
    const missing = await s.kubectl("rollout", "history", "ds/agent", "--revision=7");
    expect(missing.stderr).toBe("error: unable to find the specified revision\n");
  });

  it("rollout undo patches the DaemonSet back; the old revision becomes the newest", async () => {
    expect(await s.ok("rollout", "undo", "ds/agent")).toBe("daemonset.apps/agent rolled back\n");
    await s.waiting(s.kubectl("rollout", "status", "ds/agent"));
    expect(s.pods({ app: "agent" }).map((p) => p.spec.containers[0]?.image)).toEqual(["nginx:1.27", "nginx:1.27"]);
    expect(rows(await s.ok("rollout", "history", "ds/agent")).slice(2)).toEqual([
      ["2", "<none>"],
      ["3", "<none>"],
    ]);
    expect(await s.ok("rollout", "undo", "ds/agent", "--to-revision=3")).toBe("daemonset.apps/agent skipped rollback (current template already matches revision 3)\n");
    const [header, ...table] = rows(await s.ok("get", "controllerrevisions"));
    expect(header).toEqual(["NAME", "CONTROLLER", "REVISION", "AGE"]);
    expect(table.map((r) => r.slice(1, 3)).sort()).toEqual([
      ["daemonset.apps/agent", "2"],
      ["daemonset.apps/agent", "3"],
    ]);
  });

  it("rollout status refuses an OnDelete DaemonSet, as upstream", async () => {
    await s.ok("patch", "ds/agent", "-p", '{"spec":{"updateStrategy":{"type":"OnDelete","rollingUpdate":null}}}');
    const status = await s.kubectl("rollout", "status", "ds/agent");
    expect(status.stderr).toBe("error: rollout status is only available for RollingUpdate strategy type\n");
  });
});
