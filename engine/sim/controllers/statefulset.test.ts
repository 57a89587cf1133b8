// The StatefulSet controller with the real scheduler and kubelets on a ManualClock,
// then its history and rollouts through the real kubectl.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startScenario, type Scenario } from "../scenarios/harness";
import { rows } from "../test-kubectl";
import type { KObject, Pod } from "../types";
import type { ControllerRevision } from "./controller-revisions";
import { testCluster, type TestCluster } from "./test-cluster";

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

describe("StatefulSet controller", () => {
  let t: TestCluster;

  beforeEach(async () => {
    t = await testCluster();
  });

  afterEach(() => {
    t.cluster.dispose();
  });

  const live = (): string[] =>
    (t.list("", "pods") as Pod[])
      .filter((p) => p.metadata.name?.startsWith("web-") && !p.metadata.deletionTimestamp)
      .map((p) => p.metadata.name ?? "")
      .sort();
  const pod = (name: string): Pod => t.get("", "pods", name) as Pod;
  const terminating = (): (string | undefined)[] => (t.list("", "pods") as Pod[]).filter((p) => p.metadata.deletionTimestamp).map((p) => p.metadata.name);
  const revisions = (): ControllerRevision[] => (t.list("apps", "controllerrevisions") as ControllerRevision[]).sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));
  const status = (): Record<string, unknown> => t.get("apps", "statefulsets", "web")?.status as Record<string, unknown>;
  const images = (): (string | undefined)[] => ["web-0", "web-1", "web-2"].map((n) => pod(n).spec.containers[0]?.image);
  const podRevisions = (): (string | undefined)[] => ["web-0", "web-1", "web-2"].map((n) => pod(n).metadata.labels?.["controller-revision-hash"]);
  const patch = (body: unknown, type: "strategic" | "merge" = "strategic"): void => {
    t.cluster.service.patch(t.type("apps", "statefulsets"), "default", "web", type, body);
  };
  const setImage = (image: string): void => patch({ spec: { template: { spec: { containers: [{ name: "web", image }] } } } });
  const deletePod = (name: string): void => {
    t.cluster.service.delete(t.type("", "pods"), "default", name);
  };

  it("creates web-0..N-1 one at a time (OrderedReady), with stable hostname and subdomain", async () => {
    t.create("apps", "statefulsets", sts("web", 3));
    await t.advance(200);
    expect(live()).toEqual(["web-0"]);
    expect(pod("web-0").spec).toMatchObject({ hostname: "web-0", subdomain: "web" });
    expect(pod("web-0").metadata.labels).toMatchObject({ "statefulset.kubernetes.io/pod-name": "web-0", "apps.kubernetes.io/pod-index": "0" });
    await t.advance(20_000);
    expect(live()).toEqual(["web-0", "web-1", "web-2"]);
    expect(t.events("SuccessfulCreate")).toEqual(["create Pod web-0 in StatefulSet web successful", "create Pod web-1 in StatefulSet web successful", "create Pod web-2 in StatefulSet web successful"]);
    expect(status()).toMatchObject({ replicas: 3, readyReplicas: 3, availableReplicas: 3, updatedReplicas: 3 });
  });

  it("creates all at once with Parallel and scales down from the highest ordinal", async () => {
    t.create("apps", "statefulsets", sts("web", 3, { podManagementPolicy: "Parallel" }));
    await t.advance(200);
    expect(live()).toEqual(["web-0", "web-1", "web-2"]);
    await t.advance(10_000);
    patch({ spec: { replicas: 1 } }, "merge");
    await t.advance(10_000);
    expect(live()).toEqual(["web-0"]);
  });

  it("scales down in reverse order, one at a time under OrderedReady", async () => {
    t.create("apps", "statefulsets", sts("web", 3));
    await t.advance(20_000);
    patch({ spec: { replicas: 1 } }, "merge");
    await t.advance(50);
    expect(terminating()).toEqual(["web-2"]);
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
    deletePod("web-0");
    await t.advance(10_000);
    expect(pod("web-0").metadata.uid).not.toBe(uid);
    expect(t.get("", "persistentvolumeclaims", "data-web-0")).toBeDefined();
  });

  it("writes a ControllerRevision per template; pods carry its name, status names current and update revisions", async () => {
    const created = t.create("apps", "statefulsets", sts("web", 3));
    await t.advance(20_000);
    const [first, ...others] = revisions();
    expect(others).toEqual([]);
    const hash = first?.metadata.labels?.["controller-revision-hash"] ?? "";
    expect(first?.metadata).toMatchObject({ name: `web-${hash}`, labels: { app: "web", "controller-revision-hash": hash } });
    expect(first?.metadata.ownerReferences).toEqual([{ apiVersion: "apps/v1", kind: "StatefulSet", name: "web", uid: created.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(first?.revision).toBe(1);
    const stored = t.get("apps", "statefulsets", "web")?.spec as { template: object };
    expect(first?.data).toEqual({ spec: { template: { $patch: "replace", ...stored.template } } });
    expect(podRevisions()).toEqual([`web-${hash}`, `web-${hash}`, `web-${hash}`]);
    expect(status()).toMatchObject({ currentRevision: `web-${hash}`, updateRevision: `web-${hash}`, currentReplicas: 3, updatedReplicas: 3, collisionCount: 0 });

    setImage("nginx:1.26");
    await t.advance(50);
    expect(terminating()).toEqual(["web-2"]);
    await t.advance(30_000);
    const second = revisions()[1]?.metadata.name;
    expect(revisions().map((r) => r.revision)).toEqual([1, 2]);
    expect(images()).toEqual(["nginx:1.26", "nginx:1.26", "nginx:1.26"]);
    expect(t.events("SuccessfulDelete")).toEqual(["delete Pod web-2 in StatefulSet web successful", "delete Pod web-1 in StatefulSet web successful", "delete Pod web-0 in StatefulSet web successful"]);
    // A finished rolling update makes the update revision current.
    expect(status()).toMatchObject({ currentRevision: second, updateRevision: second, currentReplicas: 3, updatedReplicas: 3 });
  });

  it("rolls from the highest ordinal down to the partition; a pod below it comes back at the current revision", async () => {
    t.create("apps", "statefulsets", sts("web", 3, { updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 1 } } }));
    await t.advance(20_000);
    setImage("nginx:1.26");
    await t.advance(30_000);
    expect(images()).toEqual(["nginx:1.27", "nginx:1.26", "nginx:1.26"]);
    const { currentRevision, updateRevision } = status();
    expect(status()).toMatchObject({ updatedReplicas: 2, currentReplicas: 1 });
    expect(updateRevision).not.toBe(currentRevision);
    deletePod("web-0");
    await t.advance(10_000);
    expect(images()).toEqual(["nginx:1.27", "nginx:1.26", "nginx:1.26"]);
    expect(podRevisions()).toEqual([currentRevision, updateRevision, updateRevision]);
    patch({ spec: { updateStrategy: { rollingUpdate: { partition: 0 } } } });
    await t.advance(20_000);
    expect(images()).toEqual(["nginx:1.26", "nginx:1.26", "nginx:1.26"]);
    expect(status()).toMatchObject({ currentRevision: updateRevision, currentReplicas: 3 });
  });

  it("OnDelete replaces nothing by itself; a deleted pod comes back at the update revision", async () => {
    t.create("apps", "statefulsets", sts("web", 3, { updateStrategy: { type: "OnDelete" } }));
    await t.advance(20_000);
    setImage("nginx:1.26");
    await t.advance(10_000);
    expect(images()).toEqual(["nginx:1.27", "nginx:1.27", "nginx:1.27"]);
    deletePod("web-1");
    await t.advance(10_000);
    expect(images()).toEqual(["nginx:1.27", "nginx:1.26", "nginx:1.27"]);
    const { currentRevision, updateRevision } = status();
    expect(podRevisions()).toEqual([currentRevision, updateRevision, currentRevision]);
    expect(status()).toMatchObject({ currentReplicas: 2, updatedReplicas: 1 });
  });

  it("going back to an older template renumbers its revision instead of writing a new one; history is trimmed to the limit", async () => {
    t.create("apps", "statefulsets", sts("web", 1, { revisionHistoryLimit: 1 }));
    await t.advance(5000);
    const original = revisions()[0]?.metadata.name;
    setImage("nginx:1.26");
    await t.advance(10_000);
    setImage("nginx:1.27");
    await t.advance(10_000);
    expect(revisions().map((r) => [r.metadata.name === original, r.revision])).toEqual([
      [false, 2],
      [true, 3],
    ]);
    setImage("nginx:1.25");
    await t.advance(10_000);
    expect(revisions().map((r) => r.revision)).toEqual([3, 4]);
    expect(pod("web-0").metadata.labels?.["controller-revision-hash"]).toBe(revisions()[1]?.metadata.name);
  });
});

describe("StatefulSet history and rollouts through kubectl", () => {
  let s: Scenario;

  beforeAll(async () => {
    s = await startScenario("learner-statefulset");
  });

  afterAll(async () => {
    await s.close();
  });

  const manifest = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  replicas: 3
  serviceName: web
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
`;
  const images = (): (string | undefined)[] => ["web-0", "web-1", "web-2"].map((n) => (s.get("", "pods", n) as Pod | undefined)?.spec.containers[0]?.image);

  it("rollout status follows the ordered start, then a rolling update", async () => {
    await s.okWithInput(manifest, "apply", "-f", "-");
    const started = await s.waiting(s.kubectl("rollout", "status", "sts/web"));
    expect(started.stdout.trim().split("\n").at(-1)).toBe("partitioned roll out complete: 3 new pods have been updated...");
    await s.ok("set", "image", "sts/web", "web=nginx:1.26");
    const rolled = await s.waiting(s.kubectl("rollout", "status", "sts/web"));
    expect(rolled.code).toBe(0);
    for (const line of rolled.stdout.trim().split("\n").slice(0, -1)) {
      expect(line).toMatch(/^(Waiting for 1 pods to be ready\.\.\.|Waiting for partitioned roll out to finish: \d out of 3 new pods have been updated\.\.\.)$/);
    }
    expect(rolled.stdout.trim().split("\n").at(-1)).toBe("partitioned roll out complete: 3 new pods have been updated...");
    expect(images()).toEqual(["nginx:1.26", "nginx:1.26", "nginx:1.26"]);
  });

  it("rollout history, get controllerrevisions", async () => {
    expect(rows(await s.ok("rollout", "history", "statefulset/web"))).toEqual([["statefulset.apps/web"], ["REVISION", "CHANGE-CAUSE"], ["1", "<none>"], ["2", "<none>"]]);
    expect(await s.ok("rollout", "history", "sts/web", "--revision=1")).toMatch(/^statefulset.apps\/web with revision #1\nPod Template:\n {2}Labels:\tapp=web\n {2}Containers:\n {3}web:\n {4}Image:\tnginx:1.27\n/);
    const [header, ...table] = rows(await s.ok("get", "controllerrevisions"));
    expect(header).toEqual(["NAME", "CONTROLLER", "REVISION", "AGE"]);
    expect(table.map((r) => r.slice(1, 3)).sort()).toEqual([
      ["statefulset.apps/web", "1"],
      ["statefulset.apps/web", "2"],
    ]);
    for (const [name] of table) expect(name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
  });

  it("rollout undo behind a partition updates only the pods above it", async () => {
    await s.ok("patch", "sts/web", "-p", '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":2}}}}');
    expect(await s.ok("rollout", "undo", "sts/web")).toBe("statefulset.apps/web rolled back\n");
    const status = await s.waiting(s.kubectl("rollout", "status", "sts/web"));
    expect(status.stdout.trim().split("\n").at(-1)).toBe("partitioned roll out complete: 1 new pods have been updated...");
    expect(images()).toEqual(["nginx:1.26", "nginx:1.26", "nginx:1.27"]);
    expect(rows(await s.ok("rollout", "history", "sts/web")).slice(2)).toEqual([
      ["2", "<none>"],
      ["3", "<none>"],
    ]);
    expect(await s.ok("rollout", "undo", "sts/web", "--to-revision=3")).toBe("statefulset.apps/web skipped rollback (current template already matches revision 3)\n");
  });
});
