// The StatefulSet controller with the real scheduler and kubelets on a ManualClock.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KObject, Pod } from "../types";
import { testCluster, type TestCluster } from "./test-cluster";

let t: TestCluster;

beforeEach(async () => {
  t = await testCluster();
});

afterEach(() => {
  t.cluster.dispose();
});

function sts(name: string, replicas: number, extra: Record<string, unknown> = {}): KObject {
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name },
    spec: {
      replicas,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "web", image: "nginx:1.27" }] } },
      ...extra,
    },
  };
}

const live = (): string[] =>
  (t.list("", "pods") as Pod[])
    .filter((p) => p.metadata.name?.startsWith("web-") && !p.metadata.deletionTimestamp)
    .map((p) => p.metadata.name ?? "")
    .sort();
const pod = (name: string): Pod => t.get("", "pods", name) as Pod;

describe("StatefulSet controller", () => {
  it("creates web-0..N-1 one at a time (OrderedReady), with stable hostname and subdomain", async () => {
    t.create("apps", "statefulsets", sts("web", 3));
    await t.advance(200);
    expect(live()).toEqual(["web-0"]);
    expect(pod("web-0").spec).toMatchObject({ hostname: "web-0", subdomain: "web" });
    expect(pod("web-0").metadata.labels).toMatchObject({ "statefulset.kubernetes.io/pod-name": "web-0", "apps.kubernetes.io/pod-index": "0" });
    await t.advance(20_000);
    expect(live()).toEqual(["web-0", "web-1", "web-2"]);
    expect(t.events("SuccessfulCreate")).toEqual(["create Pod web-0 in StatefulSet web successful", "create Pod web-1 in StatefulSet web successful", "create Pod web-2 in StatefulSet web successful"]);
    expect(t.get("apps", "statefulsets", "web")?.status).toMatchObject({ replicas: 3, readyReplicas: 3, availableReplicas: 3, updatedReplicas: 3 });
  });

  it("creates all at once with Parallel and scales down from the highest ordinal", async () => {
    t.create("apps", "statefulsets", sts("web", 3, { podManagementPolicy: "Parallel" }));
    await t.advance(200);
    expect(live()).toEqual(["web-0", "web-1", "web-2"]);
    await t.advance(10_000);
    t.cluster.service.patch(t.type("apps", "statefulsets"), "default", "web", "merge", { spec: { replicas: 1 } });
    await t.advance(10_000);
    expect(live()).toEqual(["web-0"]);
  });

  it("scales down in reverse order, one at a time under OrderedReady", async () => {
    t.create("apps", "statefulsets", sts("web", 3));
    await t.advance(20_000);
    t.cluster.service.patch(t.type("apps", "statefulsets"), "default", "web", "merge", { spec: { replicas: 1 } });
    await t.advance(50);
    expect((t.list("", "pods") as Pod[]).filter((p) => p.metadata.deletionTimestamp).map((p) => p.metadata.name)).toEqual(["web-2"]);
    await t.advance(10_000);
    expect(live()).toEqual(["web-0"]);
    expect(t.events("SuccessfulDelete")).toEqual(["delete Pod web-2 in StatefulSet web successful", "delete Pod web-1 in StatefulSet web successful"]);
  });

  it("makes one claim per template and ordinal, and keeps it when the pod goes", async () => {
    t.create("apps", "statefulsets", sts("web", 2, { volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }] }));
    await t.advance(20_000);
    expect(t.list("", "persistentvolumeclaims").map((c) => c.metadata.name).sort()).toEqual(["data-web-0", "data-web-1"]);
    expect(pod("web-0").spec.volumes).toContainEqual({ name: "data", persistentVolumeClaim: { claimName: "data-web-0" } });
    expect(t.events("SuccessfulCreate")).toContain("create Claim data-web-0 Pod web-0 in StatefulSet web success");
    const uid = pod("web-0").metadata.uid;
    t.cluster.service.delete(t.type("", "pods"), "default", "web-0");
    await t.advance(10_000);
    expect(pod("web-0").metadata.uid).not.toBe(uid);
    expect(t.get("", "persistentvolumeclaims", "data-web-0")).toBeDefined();
  });

  it("rolls out a new template from the highest ordinal down to the partition", async () => {
    t.create("apps", "statefulsets", sts("web", 3, { updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 1 } } }));
    await t.advance(20_000);
    t.cluster.service.patch(t.type("apps", "statefulsets"), "default", "web", "strategic", { spec: { template: { spec: { containers: [{ name: "web", image: "nginx:1.26" }] } } } });
    await t.advance(50);
    expect((t.list("", "pods") as Pod[]).filter((p) => p.metadata.deletionTimestamp).map((p) => p.metadata.name)).toEqual(["web-2"]);
    await t.advance(30_000);
    expect(["web-0", "web-1", "web-2"].map((n) => pod(n).spec.containers[0]?.image)).toEqual(["nginx:1.27", "nginx:1.26", "nginx:1.26"]);
    const status = t.get("apps", "statefulsets", "web")?.status as Record<string, unknown>;
    expect(status).toMatchObject({ updatedReplicas: 2, currentReplicas: 1 });
    expect(status.updateRevision).not.toBe(status.currentRevision);
  });
});
