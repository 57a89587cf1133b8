// ReplicaSet, Deployment and garbage collector loops against a whole sim
// cluster (scheduler and kubelets included) on a ManualClock: no sleeps, the
// reconcile loops run between clock steps.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../clock";
import { createSimCluster, type SimCluster } from "../cluster/cluster";
import type { ResourceType } from "../registry";
import type { KObject, Pod } from "../types";
import { isActivePod, isPodReady } from "./ownership";
import type { Deployment, ReplicaSet } from "./deployment";

let clock: ManualClock;
let cluster: SimCluster;

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const type = (group: string, plural: string): ResourceType => cluster.registry.find(group, "v1", plural) as ResourceType;
const pods = (): ResourceType => type("", "pods");
const deployments = (): ResourceType => type("apps", "deployments");
const replicaSets = (): ResourceType => type("apps", "replicasets");

async function advance(ms: number, step = 100, each?: () => void): Promise<void> {
  await flush();
  for (let t = 0; t < ms; t += step) {
    clock.advance(step);
    await flush();
    each?.();
  }
}

function list(t: ResourceType, namespace = "default"): KObject[] {
  return cluster.service.list(t, namespace).items;
}

function podsOf(prefix: string): Pod[] {
  return (list(pods()) as Pod[]).filter((p) => p.metadata.name?.startsWith(prefix));
}

const activePods = (prefix = ""): Pod[] => podsOf(prefix).filter(isActivePod);

function deployment(name: string, replicas: number, image = "nginx:1.27", extra: Record<string, unknown> = {}): KObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "app", image }] } }, ...extra },
  };
}

function getDeploy(name: string): Deployment {
  return cluster.service.get(deployments(), "default", name) as Deployment;
}

function setImage(name: string, image: string): void {
  cluster.service.patch(deployments(), "default", name, "strategic", { spec: { template: { spec: { containers: [{ name: "app", image }] } } } });
}

function condition(name: string, condType: string): { status: string; reason?: string } | undefined {
  return getDeploy(name).status?.conditions?.find((c) => c.type === condType);
}

function events(reason: string): string[] {
  return list(type("", "events"))
    .filter((e) => e.reason === reason)
    .map((e) => e.message as string);
}

beforeEach(async () => {
  clock = new ManualClock(Date.parse("2026-03-01T12:00:00Z"));
  cluster = createSimCluster({ clock });
  await flush();
});

afterEach(() => {
  cluster.dispose();
});

describe("ReplicaSet controller", () => {
  const rs = (name: string, replicas: number): KObject => ({
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "app", image: "nginx" }] } } },
  });
  const scale = (name: string, replicas: number): void => void cluster.service.patch(replicaSets(), "default", name, "merge", { spec: { replicas } });

  it("scales up and down, with events and status", async () => {
    cluster.service.create(replicaSets(), "default", rs("front", 3));
    await advance(4_000);
    expect(activePods("front-").map((p) => p.metadata.name)).toEqual(expect.arrayContaining([expect.stringMatching(/^front-[bcdfghjklmnpqrstvwxz2456789]{5}$/)]));
    expect(activePods("front-")).toHaveLength(3);
    expect(activePods("front-")[0]?.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: "ReplicaSet", name: "front", controller: true, blockOwnerDeletion: true })]);
    expect(cluster.service.get(replicaSets(), "default", "front").status).toEqual({ replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 });
    expect(events("SuccessfulCreate")).toHaveLength(3);
    expect(events("SuccessfulCreate")[0]).toMatch(/^Created pod: front-\w{5}$/);

    // A not-ready pod goes first when scaling down.
    cluster.service.mutate(pods(), "default", activePods("front-")[1]?.metadata.name ?? "", (p) => {
      const ready = (p as Pod).status?.conditions?.find((c) => c.type === "Ready");
      if (ready) ready.status = "False";
    }, { subresource: "status" });
    const unready = activePods("front-").find((p) => !isPodReady(p))?.metadata.name;
    scale("front", 2);
    await flush();
    expect(activePods("front-")).toHaveLength(2);
    expect(activePods("front-").map((p) => p.metadata.name)).not.toContain(unready);
    expect(events("SuccessfulDelete")).toEqual([`Deleted pod: ${unready}`]);
    await advance(2_000);
    expect(cluster.service.get(replicaSets(), "default", "front").status).toMatchObject({ replicas: 2, observedGeneration: 2 });
  });

  it("replaces a deleted pod", async () => {
    cluster.service.create(replicaSets(), "default", rs("front", 2));
    await advance(4_000);
    const [victim] = activePods("front-");
    cluster.service.delete(pods(), "default", victim?.metadata.name ?? "");
    await flush();
    expect(activePods("front-")).toHaveLength(2);
    expect(activePods("front-").map((p) => p.metadata.name)).not.toContain(victim?.metadata.name);
    await advance(3_000);
    expect(podsOf("front-")).toHaveLength(2);
  });

  it("adopts matching orphans and releases pods that stop matching", async () => {
    cluster.service.create(pods(), "default", { apiVersion: "v1", kind: "Pod", metadata: { name: "stray", labels: { app: "front" } }, spec: { containers: [{ name: "app", image: "nginx" }] } });
    cluster.service.create(replicaSets(), "default", rs("front", 2));
    await advance(3_000);
    const stray = cluster.service.get(pods(), "default", "stray");
    expect(stray.metadata.ownerReferences?.[0]).toMatchObject({ kind: "ReplicaSet", name: "front" });
    expect(activePods()).toHaveLength(2);
    cluster.service.patch(pods(), "default", "stray", "merge", { metadata: { labels: { app: "elsewhere" } } });
    await advance(3_000);
    expect(cluster.service.get(pods(), "default", "stray").metadata.ownerReferences).toBeUndefined();
    expect(activePods("front-")).toHaveLength(2);
  });

  it("runs ReplicationControllers the same way", async () => {
    cluster.service.create(type("", "replicationcontrollers"), "default", { apiVersion: "v1", kind: "ReplicationController", metadata: { name: "legacy" }, spec: { replicas: 2, selector: { app: "legacy" }, template: { metadata: { labels: { app: "legacy" } }, spec: { containers: [{ name: "app", image: "httpd" }] } } } });
    await advance(4_000);
    expect(activePods("legacy-")).toHaveLength(2);
    expect(cluster.service.get(type("", "replicationcontrollers"), "default", "legacy").status).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 2 });
  });

  it("counts a pod available only after minReadySeconds", async () => {
    const body = rs("slow", 1);
    (body.spec as { minReadySeconds?: number }).minReadySeconds = 10;
    cluster.service.create(replicaSets(), "default", body);
    await advance(4_000);
    expect(cluster.service.get(replicaSets(), "default", "slow").status).toMatchObject({ readyReplicas: 1 });
    expect((cluster.service.get(replicaSets(), "default", "slow").status as { availableReplicas?: number }).availableReplicas).toBeUndefined();
    await advance(10_000, 1_000);
    expect(cluster.service.get(replicaSets(), "default", "slow").status).toMatchObject({ availableReplicas: 1 });
  });
});

describe("Deployment controller", () => {
  it("rolls out step by step within maxSurge and maxUnavailable", async () => {
    cluster.service.create(deployments(), "default", deployment("web", 4, "nginx:1.27", { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } } }));
    await advance(5_000);
    expect(getDeploy("web").status).toMatchObject({ replicas: 4, updatedReplicas: 4, readyReplicas: 4, availableReplicas: 4 });
    setImage("web", "nginx:1.26");
    let maxTotal = 0;
    let minReady = Infinity;
    await advance(20_000, 50, () => {
      const live = activePods("web-");
      maxTotal = Math.max(maxTotal, live.length);
      minReady = Math.min(minReady, live.filter(isPodReady).length);
    });
    expect(maxTotal).toBe(5);
    expect(minReady).toBe(3);
    const sets = list(replicaSets()) as ReplicaSet[];
    expect(sets.map((s) => [s.metadata.annotations?.["deployment.kubernetes.io/revision"], s.spec.replicas]).sort()).toEqual([["1", 0], ["2", 4]]);
    expect(activePods("web-").every((p) => p.spec.containers[0]?.image === "nginx:1.26")).toBe(true);
    expect(events("ScalingReplicaSet")).toEqual(expect.arrayContaining([expect.stringMatching(/^Scaled up replica set web-\w+ from 0 to 1$/), expect.stringMatching(/^Scaled down replica set web-\w+ from 4 to 3$/)]));
    expect(condition("web", "Progressing")).toMatchObject({ status: "True", reason: "NewReplicaSetAvailable" });
  });

  it("percentages: surge rounds up, unavailable rounds down", async () => {
    cluster.service.create(deployments(), "default", deployment("web", 3));
    await advance(5_000);
    setImage("web", "nginx:1.26");
    await flush();
    // 25% of 3: surge 1 (ceil), unavailable 0 (floor): one new pod, no old one removed yet.
    const sets = list(replicaSets()) as ReplicaSet[];
    expect(sets.map((s) => s.spec.replicas).sort()).toEqual([1, 3]);
  });

  it("a bad image stalls the rollout with the old pods still serving, until the progress deadline", async () => {
    cluster.service.create(deployments(), "default", deployment("web", 3, "nginx:1.27", { progressDeadlineSeconds: 30 }));
    await advance(5_000);
    setImage("web", "nginx:doesnotexist");
    await advance(20_000, 500);
    const live = activePods("web-");
    expect(live).toHaveLength(4);
    expect(live.filter((p) => p.spec.containers[0]?.image === "nginx:1.27" && isPodReady(p))).toHaveLength(3);
    expect(getDeploy("web").status).toMatchObject({ replicas: 4, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 1 });
    expect(condition("web", "Available")).toMatchObject({ status: "True", reason: "MinimumReplicasAvailable" });
    expect(condition("web", "Progressing")).toMatchObject({ status: "True", reason: "ReplicaSetUpdated" });
    await advance(15_000, 500);
    expect(condition("web", "Progressing")).toMatchObject({ status: "False", reason: "ProgressDeadlineExceeded", message: expect.stringMatching(/^ReplicaSet "web-\w+" has timed out progressing\.$/) as unknown });
    expect(activePods("web-").filter((p) => isPodReady(p))).toHaveLength(3);
  });

  it("undo: the old template comes back as revision max+1 with revision-history", async () => {
    cluster.service.create(deployments(), "default", deployment("web", 2));
    await advance(5_000);
    const first = (list(replicaSets()) as ReplicaSet[])[0] as ReplicaSet;
    setImage("web", "nginx:1.26");
    await advance(10_000);
    const template = structuredClone(first.spec.template) as { metadata: { labels: Record<string, string> } };
    delete template.metadata.labels["pod-template-hash"];
    cluster.service.patch(deployments(), "default", "web", "json", [{ op: "replace", path: "/spec/template", value: template }]);
    await advance(10_000);
    const back = cluster.service.get(replicaSets(), "default", first.metadata.name ?? "");
    expect(back.metadata.annotations).toMatchObject({ "deployment.kubernetes.io/revision": "3", "deployment.kubernetes.io/revision-history": "1" });
    expect((back as ReplicaSet).spec.replicas).toBe(2);
    expect(list(replicaSets())).toHaveLength(2);
    expect(getDeploy("web").metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("3");
  });

  it("restart: a restartedAt template annotation makes a new ReplicaSet", async () => {
    cluster.service.create(deployments(), "default", deployment("web", 2));
    await advance(5_000);
    const before = new Set(activePods("web-").map((p) => p.metadata.name));
    cluster.service.patch(deployments(), "default", "web", "strategic", { spec: { template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": "2026-03-01T12:00:05Z" } } } } });
    await advance(15_000);
    expect(list(replicaSets())).toHaveLength(2);
    const after = activePods("web-");
    expect(after).toHaveLength(2);
    expect(after.some((p) => before.has(p.metadata.name))).toBe(false);
    expect(after[0]?.metadata.annotations?.["kubectl.kubernetes.io/restartedAt"]).toBe("2026-03-01T12:00:05Z");
  });

  it("pause stops rollouts (scaling still works); resume continues", async () => {
    cluster.service.create(deployments(), "default", deployment("web", 2));
    await advance(5_000);
    cluster.service.patch(deployments(), "default", "web", "merge", { spec: { paused: true } });
    await flush();
    expect(condition("web", "Progressing")).toMatchObject({ status: "Unknown", reason: "DeploymentPaused" });
    setImage("web", "nginx:1.26");
    cluster.service.patch(deployments(), "default", "web", "merge", { spec: { replicas: 3 } });
    await advance(5_000);
    expect(list(replicaSets())).toHaveLength(1);
    expect(activePods("web-")).toHaveLength(3);
    cluster.service.patch(deployments(), "default", "web", "merge", { spec: { paused: false } });
    await flush();
    expect(list(replicaSets())).toHaveLength(2);
    await advance(15_000);
    expect(activePods("web-").every((p) => p.spec.containers[0]?.image === "nginx:1.26")).toBe(true);
    expect(condition("web", "Progressing")).toMatchObject({ status: "True", reason: "NewReplicaSetAvailable" });
  });

  it("Recreate: every old pod is gone before a new one starts", async () => {
    cluster.service.create(deployments(), "default", deployment("web", 3, "nginx:1.27", { strategy: { type: "Recreate" } }));
    await advance(5_000);
    setImage("web", "nginx:1.26");
    let mixed = false;
    await advance(10_000, 50, () => {
      const images = new Set(podsOf("web-").map((p) => p.spec.containers[0]?.image));
      if (images.size > 1) mixed = true;
    });
    expect(mixed).toBe(false);
    expect(activePods("web-").filter((p) => p.spec.containers[0]?.image === "nginx:1.26" && isPodReady(p))).toHaveLength(3);
  });

  it("revisionHistoryLimit deletes the oldest empty ReplicaSets", async () => {
    cluster.service.create(deployments(), "default", deployment("web", 1, "nginx:1.27", { revisionHistoryLimit: 1 }));
    await advance(5_000);
    for (const image of ["nginx:1.26", "nginx:1.25", "nginx:1.24"]) {
      setImage("web", image);
      await advance(8_000);
    }
    const revisions = (list(replicaSets()) as ReplicaSet[]).map((s) => s.metadata.annotations?.["deployment.kubernetes.io/revision"]).sort();
    expect(revisions).toEqual(["3", "4"]);
  });
});

describe("garbage collector", () => {
  async function running(): Promise<void> {
    cluster.service.create(deployments(), "default", deployment("web", 2));
    await advance(5_000);
  }

  it("Background: the owner goes now, dependents after", async () => {
    await running();
    cluster.service.delete(deployments(), "default", "web", { propagationPolicy: "Background" });
    expect(cluster.service.find(deployments(), "default", "web")).toBeUndefined();
    await flush();
    expect(list(replicaSets())).toHaveLength(0);
    expect(activePods()).toHaveLength(0);
    await advance(2_000);
    expect(podsOf("web-")).toHaveLength(0);
  });

  it("Foreground: dependents first, then the owner", async () => {
    await running();
    const deleting = cluster.service.delete(deployments(), "default", "web", { propagationPolicy: "Foreground" });
    expect(deleting.metadata).toMatchObject({ finalizers: ["foregroundDeletion"], deletionTimestamp: expect.any(String) as unknown });
    await flush();
    expect(cluster.service.find(deployments(), "default", "web")).toBeDefined();
    const rs = list(replicaSets())[0];
    expect(rs?.metadata.finalizers).toEqual(["foregroundDeletion"]);
    expect(podsOf("web-").every((p) => p.metadata.deletionTimestamp)).toBe(true);
    await advance(2_000);
    expect(podsOf("web-")).toHaveLength(0);
    expect(list(replicaSets())).toHaveLength(0);
    expect(cluster.service.find(deployments(), "default", "web")).toBeUndefined();
  });

  it("Orphan: dependents lose the reference and stay", async () => {
    await running();
    cluster.service.delete(deployments(), "default", "web", { propagationPolicy: "Orphan" });
    await advance(1_000);
    expect(cluster.service.find(deployments(), "default", "web")).toBeUndefined();
    const [rs] = list(replicaSets());
    expect(rs?.metadata.ownerReferences).toBeUndefined();
    expect(activePods("web-")).toHaveLength(2);
    expect(activePods("web-")[0]?.metadata.ownerReferences?.[0]?.kind).toBe("ReplicaSet");
  });

  it("deletes dependents whose owners are gone; finalizers hold objects back", async () => {
    cluster.service.create(type("", "configmaps"), "default", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "child", ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "ghost", uid: "00000000-0000-0000-0000-000000000000" }] } });
    cluster.service.create(type("", "configmaps"), "default", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "held", finalizers: ["example.com/hold"] } });
    await flush();
    expect(cluster.service.find(type("", "configmaps"), "default", "child")).toBeUndefined();
    cluster.service.delete(type("", "configmaps"), "default", "held");
    expect(cluster.service.get(type("", "configmaps"), "default", "held").metadata.deletionTimestamp).toBeDefined();
    cluster.service.patch(type("", "configmaps"), "default", "held", "merge", { metadata: { finalizers: null } });
    expect(cluster.service.find(type("", "configmaps"), "default", "held")).toBeUndefined();
  });

  it("leaves the seeded kube-system alone", async () => {
    const before = list(pods(), "kube-system").map((p) => p.metadata.name).sort();
    await advance(60_000, 1_000);
    expect(list(pods(), "kube-system").map((p) => p.metadata.name).sort()).toEqual(before);
    expect(before).toHaveLength(9);
    const coredns = cluster.service.get(deployments(), "kube-system", "coredns") as Deployment;
    expect(coredns.status).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 2 });
    expect(list(replicaSets(), "kube-system").map((r) => r.metadata.name)).toEqual(["coredns-668d6bf9bc"]);
  });
});

/** mulberry32: a small seeded PRNG, so a failing sequence can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("property: random scale / image / pod deletions converge", () => {
  const IMAGES = ["nginx:1.27", "nginx:1.26", "nginx:1.25", "nginx:alpine"];
  for (let seed = 1; seed <= 50; seed++) {
    it(`sequence ${seed}`, async () => {
      const random = prng(seed);
      const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)] as T;
      cluster.service.create(deployments(), "default", deployment("web", 1 + Math.floor(random() * 4)));
      const steps = 3 + Math.floor(random() * 6);
      for (let i = 0; i < steps; i++) {
        const op = random();
        if (op < 0.35) cluster.service.patch(deployments(), "default", "web", "merge", { spec: { replicas: Math.floor(random() * 6) } });
        else if (op < 0.7) setImage("web", pick(IMAGES));
        else {
          const live = activePods("web-");
          if (live.length) cluster.service.delete(pods(), "default", pick(live).metadata.name ?? "");
        }
        await advance(Math.floor(random() * 3_000), 100);
      }
      await advance(60_000, 250);
      const d = getDeploy("web");
      const wanted = d.spec.replicas ?? 0;
      const image = d.spec.template?.spec?.containers[0]?.image;
      const all = podsOf("web-");
      expect(all).toHaveLength(wanted);
      expect(new Set(all.map((p) => p.metadata.name)).size).toBe(wanted);
      expect(all.every((p) => p.spec.containers[0]?.image === image && isPodReady(p))).toBe(true);
      const sets = list(replicaSets()) as ReplicaSet[];
      const current = sets.filter((s) => (s.spec.replicas ?? 0) > 0);
      expect(current.length).toBeLessThanOrEqual(1);
      expect(all.every((p) => p.metadata.ownerReferences?.[0]?.uid === current[0]?.metadata.uid)).toBe(true);
      expect(sets.every((s) => s.metadata.ownerReferences?.[0]?.uid === d.metadata.uid)).toBe(true);
      expect(d.status).toMatchObject({ observedGeneration: d.metadata.generation });
      expect(d.status?.updatedReplicas ?? 0).toBe(wanted);
      expect(d.status?.availableReplicas ?? 0).toBe(wanted);
    });
  }
});
