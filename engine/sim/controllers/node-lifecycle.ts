// The node lifecycle controller (kube-controller-manager's node-controller)
// and the taint eviction controller, after upstream's
// pkg/controller/nodelifecycle and pkg/controller/tainteviction:
// - RegisteredNode for every node it first sees;
// - every 5 s (nodeMonitorPeriod) it checks each node's last heartbeat (Lease
//   renewTime or the Ready condition's lastHeartbeatTime); after 50 s of
//   silence (nodeMonitorGracePeriod) the node's conditions become Unknown
//   ("Kubelet stopped posting node status."), its pods lose Ready, and
//   NodeNotReady events go to the node and each pod;
// - nodes whose Ready is Unknown / False get the unreachable / not-ready
//   taints (NoSchedule and NoExecute); Ready again removes them (NodeReady);
// - pods on a node with NoExecute taints they do not tolerate are deleted at
//   once; tolerated ones after the shortest tolerationSeconds, counted from
//   the taint's timeAdded (the default tolerations give 300 s), with a
//   TaintManagerEviction event. A taint gone first cancels the deletion.
import type { Clock, Timer } from "../../clock";
import type { ResourceService } from "../apiserver/service";
import { timestamp, type Registry, type ResourceType } from "../registry";
import type { Watch } from "../store/store";
import type { Node, Pod, Taint } from "../types";
import { toleratesOne } from "../scheduler/plugins";
import type { EventRecorder } from "./events";
import { WorkQueue } from "./workqueue";

export const NODE_MONITOR_PERIOD = 5_000;
export const NODE_MONITOR_GRACE_PERIOD = 50_000;
export const UNREACHABLE = "node.kubernetes.io/unreachable";
export const NOT_READY = "node.kubernetes.io/not-ready";
const STOPPED = "Kubelet stopped posting node status.";

export interface NodeLifecycleDeps {
  service: ResourceService;
  registry: Registry;
  recorder: EventRecorder;
  clock: Clock;
}

interface Eviction {
  uid: string;
  at: number;
  timer: Timer;
}

type TaintWithTime = Taint & { timeAdded?: string };

function readyOf(node: Node): string | undefined {
  return node.status?.conditions?.find((c) => c.type === "Ready")?.status;
}

function parseTime(value: unknown): number {
  const t = typeof value === "string" ? Date.parse(value) : NaN;
  return Number.isNaN(t) ? 0 : t;
}

export class NodeLifecycleController {
  private readonly nodes: ResourceType;
  private readonly pods: ResourceType;
  private readonly leases: ResourceType;
  private monitor?: Timer;
  private watches: Watch[] = [];
  private queue?: WorkQueue;
  private startedAt = 0;
  private readonly registered = new Set<string>();
  private readonly evictions = new Map<string, Eviction>();

  constructor(private readonly deps: NodeLifecycleDeps) {
    this.nodes = deps.registry.find("", "v1", "nodes") as ResourceType;
    this.pods = deps.registry.find("", "v1", "pods") as ResourceType;
    this.leases = deps.registry.find("coordination.k8s.io", "v1", "leases") as ResourceType;
  }

  get running(): boolean {
    return this.queue !== undefined;
  }

  start(): void {
    if (this.queue) return;
    this.startedAt = this.deps.clock.now();
    const queue = new WorkQueue(this.deps.clock, (key) => (key === "taints" ? this.evictionPass() : this.syncNode(key)));
    this.queue = queue;
    const { store } = this.deps.service;
    this.watches.push(
      store.watch("/core/nodes/", undefined, (event) => {
        const node = event.object as Node;
        if (event.type === "DELETED") this.registered.delete(node.metadata.name ?? "");
        else queue.add(node.metadata.name ?? "");
        queue.add("taints");
      }),
      store.watch("/core/pods/", undefined, (event) => {
        const pod = event.object as Pod;
        if (event.type === "DELETED" || pod.metadata.deletionTimestamp) this.cancel(pod, false);
        else if (pod.spec.nodeName && event.type === "ADDED") queue.add("taints");
      }),
    );
    this.tick();
  }

  stop(): void {
    this.monitor?.cancel();
    this.monitor = undefined;
    for (const w of this.watches) w.stop();
    this.watches = [];
    this.queue?.dispose();
    this.queue = undefined;
    for (const e of this.evictions.values()) e.timer.cancel();
    this.evictions.clear();
  }

  private tick(): void {
    for (const node of this.deps.service.list(this.nodes, undefined).items) this.queue?.add(node.metadata.name ?? "");
    this.queue?.add("taints");
    this.monitor = this.deps.clock.schedule(NODE_MONITOR_PERIOD, () => this.tick());
  }

  private event(node: Node, type: "Normal" | "Warning", reason: string, message: string): void {
    this.deps.recorder.record(node, { type, reason, message, component: "node-controller" });
  }

  /** The last sign of life: the Lease's renewTime or the Ready heartbeat, never before this controller started. */
  private lastHeartbeat(node: Node): number {
    const lease = this.deps.service.find(this.leases, "kube-node-lease", node.metadata.name ?? "");
    const ready = node.status?.conditions?.find((c) => c.type === "Ready");
    return Math.max(this.startedAt, parseTime((lease?.spec as { renewTime?: string } | undefined)?.renewTime), parseTime(ready?.lastHeartbeatTime));
  }

  private syncNode(name: string): void {
    const { service, clock } = this.deps;
    let node = service.find(this.nodes, undefined, name);
    if (!node) return;
    if (!this.registered.has(name)) {
      this.registered.add(name);
      this.event(node, "Normal", "RegisteredNode", `Node ${name} event: Registered Node ${name} in Controller`);
    }
    const ready = readyOf(node);
    if (ready !== "Unknown" && clock.now() - this.lastHeartbeat(node) > NODE_MONITOR_GRACE_PERIOD) {
      const now = timestamp(clock.now());
      node = (service.mutate(this.nodes, undefined, name, (o) => {
        for (const c of (o as Node).status?.conditions ?? []) {
          c.status = "Unknown";
          c.reason = "NodeStatusUnknown";
          c.message = STOPPED;
          c.lastTransitionTime = now;
        }
      }, { subresource: "status" })) ?? node;
      if (ready === "True") {
        this.event(node, "Normal", "NodeNotReady", `Node ${name} status is now: NodeNotReady`);
        this.markPodsNotReady(name);
      }
    }
    this.syncTaints(node);
  }

  /** Upstream's MarkPodsNotReady: the pods' Ready condition False, and a NodeNotReady warning on each. */
  private markPodsNotReady(nodeName: string): void {
    const { service, clock, recorder } = this.deps;
    const now = timestamp(clock.now());
    for (const pod of service.list(this.pods, undefined, { fieldSelector: `spec.nodeName=${nodeName}` }).items as Pod[]) {
      if (pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") continue;
      const updated = service.mutate(this.pods, pod.metadata.namespace, pod.metadata.name ?? "", (o) => {
        for (const c of (o as Pod).status?.conditions ?? []) {
          if (c.type !== "Ready" || c.status === "False") continue;
          c.status = "False";
          c.lastTransitionTime = now;
        }
      }, { subresource: "status" });
      recorder.record(updated ?? pod, { type: "Warning", reason: "NodeNotReady", message: "Node is not ready", component: "node-controller" });
    }
  }

  /** The not-ready / unreachable taints follow the Ready condition; Ready again after an outage is a NodeReady event. */
  private syncTaints(node: Node): void {
    const { service, clock } = this.deps;
    const ready = readyOf(node);
    const key = ready === "Unknown" ? UNREACHABLE : ready === "False" ? NOT_READY : undefined;
    const taints = (node.spec?.taints ?? []) as TaintWithTime[];
    const ours = (t: Taint): boolean => t.key === UNREACHABLE || t.key === NOT_READY;
    const wanted: TaintWithTime[] = key ? [{ key, effect: "NoSchedule" }, { key, effect: "NoExecute", timeAdded: timestamp(clock.now()) }] : [];
    const current = taints.filter(ours);
    const same = current.length === wanted.length && wanted.every((w) => current.some((c) => c.key === w.key && c.effect === w.effect));
    if (same) return;
    const hadOurs = current.length > 0;
    service.mutate(this.nodes, undefined, node.metadata.name ?? "", (o) => {
      const spec = ((o as Node).spec ??= {});
      const kept = (spec.taints ?? []).filter((t) => !ours(t));
      const next = [...kept, ...wanted.map((w) => current.find((c) => c.key === w.key && c.effect === w.effect) ?? w)];
      if (next.length) spec.taints = next;
      else delete spec.taints;
    });
    if (!key && hadOurs && ready === "True") this.event(node, "Normal", "NodeReady", `Node ${node.metadata.name ?? ""} status is now: NodeReady`);
  }

  /** The taint eviction controller: schedule (or cancel) the deletion of pods on NoExecute-tainted nodes. */
  private evictionPass(): void {
    const { service, clock } = this.deps;
    const nodes = new Map((service.list(this.nodes, undefined).items as Node[]).map((n) => [n.metadata.name ?? "", n]));
    for (const pod of service.list(this.pods, undefined).items as Pod[]) {
      const node = pod.spec.nodeName ? nodes.get(pod.spec.nodeName) : undefined;
      if (!node || pod.metadata.deletionTimestamp) {
        this.cancel(pod, false);
        continue;
      }
      const noExecute = ((node.spec?.taints ?? []) as TaintWithTime[]).filter((t) => t.effect === "NoExecute");
      if (!noExecute.length) {
        this.cancel(pod, true);
        continue;
      }
      const tolerations = pod.spec.tolerations ?? [];
      let due = Infinity;
      for (const taint of noExecute) {
        const matching = tolerations.filter((t) => toleratesOne(t, taint));
        if (!matching.length) {
          due = clock.now();
          break;
        }
        const seconds = matching.map((t) => (typeof t.tolerationSeconds === "number" ? Math.max(0, t.tolerationSeconds) : Infinity));
        const added = parseTime(taint.timeAdded) || clock.now();
        due = Math.min(due, added + Math.min(...seconds) * 1000);
      }
      if (due === Infinity) {
        this.cancel(pod, true);
        continue;
      }
      const key = `${pod.metadata.namespace ?? ""}/${pod.metadata.name ?? ""}`;
      const existing = this.evictions.get(key);
      if (existing && existing.uid === pod.metadata.uid && existing.at === due) continue;
      existing?.timer.cancel();
      const uid = pod.metadata.uid ?? "";
      const timer = clock.schedule(Math.max(0, due - clock.now()), () => this.evict(key, uid));
      this.evictions.set(key, { uid, at: due, timer });
    }
  }

  private cancel(pod: Pod, announce: boolean): void {
    const key = `${pod.metadata.namespace ?? ""}/${pod.metadata.name ?? ""}`;
    const existing = this.evictions.get(key);
    if (!existing || existing.uid !== pod.metadata.uid) return;
    existing.timer.cancel();
    this.evictions.delete(key);
    if (announce) this.deps.recorder.record(pod, { type: "Normal", reason: "TaintManagerEviction", message: `Cancelling deletion of Pod ${key}`, component: "taint-eviction-controller" });
  }

  private evict(key: string, uid: string): void {
    this.evictions.delete(key);
    const [namespace, name] = key.split("/") as [string, string];
    const pod = this.deps.service.find(this.pods, namespace, name) as Pod | undefined;
    if (!pod || pod.metadata.uid !== uid || pod.metadata.deletionTimestamp) return;
    this.deps.recorder.record(pod, { type: "Normal", reason: "TaintManagerEviction", message: `Marking for deletion Pod ${key}`, component: "taint-eviction-controller" });
    try {
      this.deps.service.delete(this.pods, namespace, name);
    } catch {
      return;
    }
  }
}
