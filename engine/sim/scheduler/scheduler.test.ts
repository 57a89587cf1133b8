// The scheduler's filters and scores (pure schedulePod) and the loop against
// a whole sim cluster on a ManualClock: FailedScheduling wording, retries
// when the cluster changes, the PodScheduled condition.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../clock";
import { createSimCluster, type SimCluster } from "../cluster/cluster";
import { nodeObject } from "../kubelet/node";
import type { ResourceType } from "../registry";
import type { CoreEvent, Node, Pod } from "../types";
import { cpuMillis, parseQuantity, quantityValue } from "./quantity";
import { schedulePod } from "./scheduler";

const node = (name: string, extra: { labels?: Record<string, string>; taints?: Node["spec"] extends infer S ? (S extends { taints?: infer T } ? T : never) : never; unschedulable?: boolean; cpu?: string; memory?: string; controlPlane?: boolean } = {}): Node => {
  const n = nodeObject({ name, controlPlane: !!extra.controlPlane, internalIP: "10.0.0.1", podCIDR: "10.244.9.0/24" }, 0);
  n.metadata.uid = name;
  Object.assign(n.metadata.labels ?? {}, extra.labels);
  if (extra.taints) (n.spec ??= {}).taints = extra.taints;
  if (extra.unschedulable) (n.spec ??= {}).unschedulable = true;
  const alloc = n.status?.allocatable as Record<string, string>;
  if (extra.cpu) alloc.cpu = extra.cpu;
  if (extra.memory) alloc.memory = extra.memory;
  return n;
};

let seq = 0;
const pod = (spec: Partial<Pod["spec"]> = {}, labels: Record<string, string> = {}, nodeName?: string): Pod => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: `p${++seq}`, namespace: "default", uid: `uid-${seq}`, labels },
  spec: { containers: [{ name: "c", image: "nginx" }], ...(nodeName ? { nodeName } : {}), ...spec },
  status: { phase: "Running" },
});
const requests = (cpu?: string, memory?: string): Partial<Pod["spec"]> => ({
  containers: [{ name: "c", image: "nginx", resources: { requests: { ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}) } } }],
});

const cp = (): Node => node("controlplane", { controlPlane: true, taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }] });

describe("quantities", () => {
  it("parses cpu, memory and exponents", () => {
    expect(cpuMillis("100m")).toBe(100);
    expect(cpuMillis("1.5")).toBe(1500);
    expect(cpuMillis("2")).toBe(2000);
    expect(quantityValue("128Mi")).toBe(128 * 1024 * 1024);
    expect(quantityValue("1G")).toBe(1e9);
    expect(quantityValue("4015876Ki")).toBe(4015876 * 1024);
    expect(parseQuantity("1e3")).toBe(1000);
    expect(parseQuantity("bogus")).toBeUndefined();
  });
});

describe("filters and the FailedScheduling message", () => {
  it("aggregates taints and Insufficient cpu with the preemption summary (upstream's example)", () => {
    const nodes = [cp(), node("node01"), node("node02")];
    const result = schedulePod(pod(requests("3")), nodes, []);
    expect(result.message).toBe(
      "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.",
    );
  });

  it("counts what other pods request, and both cpu and memory per node", () => {
    const nodes = [node("node01", { cpu: "1", memory: "1Gi" })];
    const running = [pod(requests("800m", "900Mi"), {}, "node01")];
    expect(schedulePod(pod(requests("300m", "200Mi")), nodes, running).message).toBe(
      "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
    );
    expect(schedulePod(pod(requests("200m", "100Mi")), nodes, running).node).toBe("node01");
    // Finished pods free their requests.
    const done = [{ ...running[0], status: { phase: "Succeeded" } } as Pod];
    expect(schedulePod(pod(requests("900m")), nodes, done).node).toBe("node01");
  });

  it("nodeSelector and required node affinity (In, NotIn, Exists, DoesNotExist, Gt, Lt)", () => {
    const nodes = [cp(), node("node01", { labels: { disk: "ssd", gen: "3" } }), node("node02", { labels: { disk: "hdd", gen: "5" } })];
    const msg = "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
    expect(schedulePod(pod({ nodeSelector: { disk: "nvme" } }), nodes, []).message).toBe(msg);
    expect(schedulePod(pod({ nodeSelector: { disk: "hdd" } }), nodes, []).node).toBe("node02");
    const affinity = (operator: string, values?: string[], key = "gen"): Partial<Pod["spec"]> => ({
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key, operator, ...(values ? { values } : {}) }] }] } } },
    });
    expect(schedulePod(pod(affinity("In", ["3"])), nodes, []).node).toBe("node01");
    expect(schedulePod(pod(affinity("NotIn", ["3"])), nodes, []).node).toBe("node02");
    expect(schedulePod(pod(affinity("Gt", ["4"])), nodes, []).node).toBe("node02");
    expect(schedulePod(pod(affinity("Lt", ["4"])), nodes, []).node).toBe("node01");
    expect(schedulePod(pod(affinity("Exists", undefined, "disk")), nodes, []).node).toMatch(/^node0[12]$/);
    expect(schedulePod(pod(affinity("DoesNotExist", undefined, "disk")), nodes, []).message).toBe(msg);
  });

  it("preferred node affinity weights pick the node", () => {
    const nodes = [node("node01", { labels: { zone: "a" } }), node("node02", { labels: { zone: "b" } })];
    const prefer = (zone: string): Partial<Pod["spec"]> => ({ affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, preference: { matchExpressions: [{ key: "zone", operator: "In", values: [zone] }] } }] } } });
    expect(schedulePod(pod(prefer("b")), nodes, []).node).toBe("node02");
    expect(schedulePod(pod(prefer("a")), nodes, []).node).toBe("node01");
  });

  it("taints: Equal and Exists tolerations, empty key with Exists, NoExecute, PreferNoSchedule", () => {
    const nodes = [node("node01", { taints: [{ key: "gpu", value: "yes", effect: "NoSchedule" }] }), node("node02", { taints: [{ key: "maint", effect: "NoExecute" }] })];
    expect(schedulePod(pod(), nodes, []).message).toBe(
      "0/2 nodes are available: 1 node(s) had untolerated taint {gpu: yes}, 1 node(s) had untolerated taint {maint: }. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
    );
    expect(schedulePod(pod({ tolerations: [{ key: "gpu", operator: "Equal", value: "yes", effect: "NoSchedule" }] }), nodes, []).node).toBe("node01");
    expect(schedulePod(pod({ tolerations: [{ key: "gpu", operator: "Equal", value: "no" }] }), nodes, []).node).toBeUndefined();
    expect(schedulePod(pod({ tolerations: [{ key: "maint", operator: "Exists" }] }), nodes, []).node).toBe("node02");
    expect(schedulePod(pod({ tolerations: [{ operator: "Exists" }] }), nodes, []).node).toBeDefined();
    const soft = [node("node01", { taints: [{ key: "old", effect: "PreferNoSchedule" }] }), node("node02")];
    expect(schedulePod(pod(), soft, []).node).toBe("node02");
    expect(schedulePod(pod(), [soft[0] as Node], []).node).toBe("node01");
  });

  it("cordoned nodes are unschedulable", () => {
    const nodes = [node("node01", { unschedulable: true })];
    expect(schedulePod(pod(), nodes, []).message).toBe("0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.");
    expect(schedulePod(pod({ tolerations: [{ key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" }] }), nodes, []).node).toBe("node01");
  });

  it("pod affinity and anti-affinity on kubernetes.io/hostname", () => {
    const nodes = [node("node01"), node("node02")];
    const db = pod({}, { app: "db" }, "node02");
    const term = { labelSelector: { matchLabels: { app: "db" } }, topologyKey: "kubernetes.io/hostname" };
    expect(schedulePod(pod({ affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } } }), nodes, [db]).node).toBe("node02");
    expect(schedulePod(pod({ affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } } }), nodes, [db]).node).toBe("node01");
    expect(schedulePod(pod({ affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ ...term, labelSelector: { matchLabels: { app: "none" } } }] } } }), nodes, [db]).message).toBe(
      "0/2 nodes are available: 2 node(s) didn't match pod affinity rules. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
    );
    // One web per node: the third has nowhere to go.
    const web = (at?: string): Pod => pod({ affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: "web" } }, topologyKey: "kubernetes.io/hostname" }] } } }, { app: "web" }, at);
    expect(schedulePod(web(), nodes, [web("node01"), web("node02")]).message).toBe(
      "0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
    );
    // Existing pods' anti-affinity keeps a matching newcomer away.
    expect(schedulePod(pod({}, { app: "web" }), nodes, [web("node01")]).node).toBe("node02");
  });

  it("spreads pods over the least allocated nodes", () => {
    const nodes = [node("node01"), node("node02")];
    const placed: Pod[] = [];
    for (let i = 0; i < 4; i++) {
      const p = pod();
      const at = schedulePod(p, nodes, placed).node;
      placed.push({ ...p, spec: { ...p.spec, nodeName: at } });
    }
    expect(placed.map((p) => p.spec.nodeName).sort()).toEqual(["node01", "node01", "node02", "node02"]);
  });
});

describe("the scheduling loop", () => {
  let clock: ManualClock;
  let cluster: SimCluster;
  const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  const podType = (): ResourceType => cluster.registry.find("", "v1", "pods") as ResourceType;
  const nodeType = (): ResourceType => cluster.registry.find("", "v1", "nodes") as ResourceType;
  async function advance(ms: number, step = 500): Promise<void> {
    await flush();
    for (let t = 0; t < ms; t += step) {
      clock.advance(step);
      await flush();
    }
  }
  const get = (name: string): Pod => cluster.service.get(podType(), "default", name) as Pod;
  const events = (name: string, reason: string): CoreEvent[] => (cluster.service.list(cluster.registry.find("", "v1", "events") as ResourceType, "default").items as CoreEvent[]).filter((e) => e.involvedObject.name === name && e.reason === reason);

  beforeEach(async () => {
    clock = new ManualClock(Date.parse("2026-03-01T12:00:00Z"));
    cluster = createSimCluster({ clock });
    await flush();
  });
  afterEach(() => cluster.dispose());

  const create = (name: string, spec: Partial<Pod["spec"]> = {}): void => {
    cluster.service.create(podType(), "default", { apiVersion: "v1", kind: "Pod", metadata: { name }, spec: { containers: [{ name: "c", image: "nginx" }], ...spec } });
  };

  it("writes PodScheduled False with the message, and schedules once a node frees up", async () => {
    create("big", requests("1500m"));
    create("big2", requests("1500m"));
    create("big3", requests("1500m"));
    await advance(2_000);
    expect(get("big").spec.nodeName).toBeDefined();
    expect(get("big2").spec.nodeName).toBeDefined();
    expect(get("big3").spec.nodeName).toBeUndefined();
    const message = "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.";
    expect(get("big3").status?.conditions?.find((c) => c.type === "PodScheduled")).toMatchObject({ status: "False", reason: "Unschedulable", message });
    expect(events("big3", "FailedScheduling").map((e) => e.message)).toEqual([message]);
    expect(events("big3", "FailedScheduling")[0]).toMatchObject({ reportingComponent: "default-scheduler", action: "Scheduling", type: "Warning" });
    cluster.service.delete(podType(), "default", "big", { gracePeriodSeconds: 0 });
    await advance(12_000);
    expect(get("big3").spec.nodeName).toBe(get("big2").spec.nodeName === "node01" ? "node02" : "node01");
    expect(events("big3", "Scheduled")).toHaveLength(1);
  });

  it("retries when a node is uncordoned; ignores pods of other schedulers and pods with nodeName", async () => {
    for (const n of ["node01", "node02"]) cluster.service.patch(nodeType(), undefined, n, "merge", { spec: { unschedulable: true } });
    create("waiting");
    create("other", { schedulerName: "my-scheduler" });
    create("pinned", { nodeName: "node02" });
    await advance(2_000);
    expect(get("waiting").status?.conditions?.find((c) => c.type === "PodScheduled")?.message).toBe(
      "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) were unschedulable. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    );
    expect(get("other").status?.conditions?.find((c) => c.type === "PodScheduled")).toBeUndefined();
    expect(events("other", "FailedScheduling")).toHaveLength(0);
    expect(get("pinned").status?.hostIP).toBe("172.30.2.3");
    expect(events("pinned", "Scheduled")).toHaveLength(0);
    cluster.service.patch(nodeType(), undefined, "node01", "merge", { spec: { unschedulable: null } });
    await advance(12_000);
    expect(get("waiting").spec.nodeName).toBe("node01");
    expect(get("other").spec.nodeName).toBeUndefined();
  });
});
