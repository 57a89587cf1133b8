// The default scheduler: a reconcile loop over unbound pods. It filters nodes
// (Ready, schedulable, taints tolerated, nodeSelector matched), picks the
// least loaded one, binds the pod and reports Scheduled / FailedScheduling
// with upstream wording. A node change re-queues every pending pod.
import type { Clock } from "../../clock";
import type { ResourceService } from "../apiserver/service";
import type { EventRecorder } from "../controllers/events";
import { WorkQueue } from "../controllers/workqueue";
import { timestamp, type Registry, type ResourceType } from "../registry";
import type { Watch } from "../store/store";
import type { Node, Pod, Taint, Toleration } from "../types";

export interface SchedulerDeps {
  service: ResourceService;
  registry: Registry;
  recorder: EventRecorder;
  clock: Clock;
}

function tolerates(tolerations: Toleration[], taint: Taint): boolean {
  return tolerations.some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (!t.key) return t.operator === "Exists";
    if (t.key !== taint.key) return false;
    return t.operator === "Exists" || (t.value ?? "") === (taint.value ?? "");
  });
}

/** Why a node cannot take a pod, in the words of the FailedScheduling message; undefined if it can. */
function unfit(pod: Pod, node: Node): string | undefined {
  const ready = node.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";
  if (!ready) return "node(s) were not ready";
  if (node.spec?.unschedulable) return "node(s) were unschedulable";
  for (const taint of node.spec?.taints ?? []) {
    if ((taint.effect === "NoSchedule" || taint.effect === "NoExecute") && !tolerates(pod.spec.tolerations ?? [], taint)) {
      return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ""}}`;
    }
  }
  const labels = node.metadata.labels ?? {};
  if (Object.entries(pod.spec.nodeSelector ?? {}).some(([k, v]) => labels[k] !== v)) return "node(s) didn't match Pod's node affinity/selector";
  return undefined;
}

export class Scheduler {
  private readonly queue: WorkQueue;
  private readonly pods: ResourceType;
  private readonly nodes: ResourceType;
  private watches: Watch[] = [];

  constructor(private readonly deps: SchedulerDeps) {
    this.pods = deps.registry.find("", "v1", "pods") as ResourceType;
    this.nodes = deps.registry.find("", "v1", "nodes") as ResourceType;
    this.queue = new WorkQueue(deps.clock, (key) => this.reconcile(key));
  }

  start(): void {
    const { store } = this.deps.service;
    this.watches.push(
      store.watch("/core/pods/", undefined, (event) => {
        const pod = event.object as Pod;
        if (event.type !== "DELETED" && !pod.spec.nodeName) this.queue.add(`${pod.metadata.namespace ?? ""}/${pod.metadata.name ?? ""}`);
      }),
      store.watch("/core/nodes/", undefined, () => this.requeuePending()),
    );
    this.requeuePending();
  }

  stop(): void {
    for (const w of this.watches) w.stop();
    this.watches = [];
    this.queue.dispose();
  }

  private requeuePending(): void {
    for (const pod of this.deps.service.list(this.pods, undefined, { fieldSelector: "spec.nodeName=" }).items) {
      this.queue.add(`${pod.metadata.namespace ?? ""}/${pod.metadata.name ?? ""}`);
    }
  }

  private reconcile(key: string): void {
    const [namespace, name] = key.split("/") as [string, string];
    const { service, recorder, clock } = this.deps;
    const pod = service.find(this.pods, namespace, name) as Pod | undefined;
    if (!pod || pod.spec.nodeName || pod.metadata.deletionTimestamp) return;
    if ((pod.spec.schedulerName ?? "default-scheduler") !== "default-scheduler") return;
    const nodes = service.list(this.nodes, undefined).items as Node[];
    const reasons = new Map<string, number>();
    const fit: Node[] = [];
    for (const node of nodes) {
      const why = unfit(pod, node);
      if (why) reasons.set(why, (reasons.get(why) ?? 0) + 1);
      else fit.push(node);
    }
    const now = timestamp(clock.now());
    if (!fit.length) {
      const parts = [...reasons].map(([why, n]) => `${n} ${why}`).sort();
      const total = nodes.length;
      const message = total
        ? `0/${total} nodes are available: ${parts.join(", ")}. preemption: 0/${total} nodes are available: ${total} Preemption is not helpful for scheduling.`
        : "no nodes available to schedule pods";
      const previous = pod.status?.conditions?.find((c) => c.type === "PodScheduled");
      if (previous?.message === message) return;
      service.mutate(this.pods, namespace, name, (p) => {
        const status = ((p as Pod).status ??= {});
        const others = (status.conditions ?? []).filter((c) => c.type !== "PodScheduled");
        status.conditions = [...others, { type: "PodScheduled", status: "False", lastProbeTime: null, lastTransitionTime: now, reason: "Unschedulable", message }];
      }, { subresource: "status" });
      recorder.recordAction(pod, { type: "Warning", reason: "FailedScheduling", message, component: "default-scheduler", instance: "default-scheduler-controlplane", action: "Scheduling" });
      return;
    }
    const load = new Map<string, number>();
    for (const p of service.list(this.pods, undefined).items as Pod[]) {
      if (p.spec.nodeName) load.set(p.spec.nodeName, (load.get(p.spec.nodeName) ?? 0) + 1);
    }
    fit.sort((a, b) => (load.get(a.metadata.name ?? "") ?? 0) - (load.get(b.metadata.name ?? "") ?? 0) || (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""));
    const target = (fit[0] as Node).metadata.name ?? "";
    // Binding: spec.nodeName and the PodScheduled condition, as the binding subresource writes them.
    service.mutate(this.pods, namespace, name, (p) => {
      (p as Pod).spec.nodeName = target;
    });
    const bound = service.mutate(this.pods, namespace, name, (p) => {
      const status = ((p as Pod).status ??= {});
      const others = (status.conditions ?? []).filter((c) => c.type !== "PodScheduled");
      status.conditions = [...others, { type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: now }];
    }, { subresource: "status" });
    if (bound) {
      recorder.recordAction(bound, {
        type: "Normal",
        reason: "Scheduled",
        message: `Successfully assigned ${namespace}/${name} to ${target}`,
        component: "default-scheduler",
        instance: "default-scheduler-controlplane",
        action: "Binding",
      });
    }
  }
}
