// The default scheduler: a reconcile loop over unbound pods, after upstream's
// scheduleOne. Each attempt runs the Filter plugins of the default profile
// (plugins/) on every node, scores the nodes that pass, and binds the pod to
// the best one (Scheduled event). When no node fits, it writes the PodScheduled
// condition False/Unschedulable and a FailedScheduling event with upstream's
// aggregated message (reasons counted per node, then the preemption summary),
// and retries when the cluster changes (a node added or updated, a pod
// deleted or finished) with a per-pod back-off of 1 s doubling to 10 s, and
// at the latest every 5 minutes. Pods with spec.nodeName already set or
// another schedulerName are not its business.
import type { Clock } from "../../clock";
import type { ResourceService } from "../apiserver/service";
import type { EventRecorder } from "../controllers/events";
import { podVolumeClaimProblem } from "../controllers/persistentvolume";
import { WorkQueue } from "../controllers/workqueue";
import { microTimestamp, timestamp, type Registry, type ResourceType } from "../registry";
import type { Watch } from "../store/store";
import type { CoreEvent, Node, Pod } from "../types";
import { isTerminal, nodeInfos, type CycleState, type FilterFailure, type FilterPlugin, type NodeInfo, type ScorePlugin } from "./framework";
import { DEFAULT_FILTERS, DEFAULT_SCORES } from "./plugins";

export interface SchedulerDeps {
  service: ResourceService;
  registry: Registry;
  recorder: EventRecorder;
  clock: Clock;
  filters?: FilterPlugin[];
  scores?: ScorePlugin[];
}

export const SCHEDULER_NAME = "default-scheduler";
const INSTANCE = "default-scheduler-controlplane";
const INITIAL_BACKOFF = 1_000;
const MAX_BACKOFF = 10_000;
/** Upstream's podMaxInUnschedulablePodsDuration: an unschedulable pod is retried at least this often. */
export const UNSCHEDULABLE_FLUSH = 5 * 60_000;

interface Unschedulable {
  uid: string;
  attempts: number;
  /** Clock time before which no retry runs. */
  backoffUntil: number;
  /** Spec and labels of the pod as last attempted: a change to them is worth a retry at once. */
  signature: string;
}

export interface ScheduleResult {
  node?: string;
  /** The FailedScheduling message when no node fits. */
  message?: string;
}

const keyOf = (pod: Pod): string => `${pod.metadata.namespace ?? ""}/${pod.metadata.name ?? ""}`;
const signatureOf = (pod: Pod): string => JSON.stringify([pod.spec, pod.metadata.labels ?? {}]);

/** Upstream FitError.Error(): "0/N nodes are available: <sorted histogram>. preemption: ..." */
export function fitErrorMessage(pod: Pod, total: number, failures: Map<string, FilterFailure>): string {
  if (total === 0) return "no nodes available to schedule pods";
  const histogram = (counts: Map<string, number>): string =>
    [...counts]
      .map(([reason, n]) => `${n} ${reason}`)
      .sort()
      .join(", ");
  const reasons = new Map<string, number>();
  const preemption = new Map<string, number>();
  for (const failure of failures.values()) {
    for (const reason of failure.reasons) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    const verdict = failure.code === "UnschedulableAndUnresolvable" ? "Preemption is not helpful for scheduling" : "No preemption victims found for incoming pod";
    preemption.set(verdict, (preemption.get(verdict) ?? 0) + 1);
  }
  const head = `0/${total} nodes are available: ${histogram(reasons)}.`;
  if (pod.spec.preemptionPolicy === "Never") return `${head} preemption: not eligible due to preemptionPolicy=Never.`;
  return `${head} preemption: 0/${total} nodes are available: ${histogram(preemption)}.`;
}

/** FitError.Error() for a PreFilter rejection: the reason once, not counted per node. */
function preFilterMessage(pod: Pod, total: number, reason: string): string {
  const head = `0/${total} nodes are available: ${reason}.`;
  if (pod.spec.preemptionPolicy === "Never") return `${head} preemption: not eligible due to preemptionPolicy=Never.`;
  return `${head} preemption: 0/${total} nodes are available: ${total} Preemption is not helpful for scheduling.`;
}

/** One scheduling decision for `pod` among `nodes` (with every pod of the cluster): pure, for tests and what-ifs. */
export function schedulePod(pod: Pod, nodes: Node[], pods: Pod[], filters = DEFAULT_FILTERS, scores = DEFAULT_SCORES): ScheduleResult {
  const infos = nodeInfos(nodes, pods, pod.metadata.uid);
  const state: CycleState = { pod, nodes: infos, data: new Map() };
  const failures = new Map<string, FilterFailure>();
  const feasible: NodeInfo[] = [];
  for (const info of infos) {
    let failure: FilterFailure | undefined;
    for (const plugin of filters) {
      failure = plugin.filter(state, info);
      if (failure) break;
    }
    if (failure) failures.set(info.name, failure);
    else feasible.push(info);
  }
  if (!feasible.length) return { message: fitErrorMessage(pod, infos.length, failures) };
  const totals = new Array<number>(feasible.length).fill(0);
  for (const plugin of scores) {
    const raw = feasible.map((info) => plugin.score(state, info));
    const normalized = plugin.normalize ? plugin.normalize(raw) : raw;
    normalized.forEach((s, i) => (totals[i] = (totals[i] ?? 0) + s * plugin.weight));
  }
  // Upstream breaks ties at random; the sim picks the node with fewer pods, then by name, to stay reproducible.
  const order = feasible.map((info, i) => ({ info, total: totals[i] ?? 0 }));
  order.sort((a, b) => b.total - a.total || a.info.pods.length - b.info.pods.length || a.info.name.localeCompare(b.info.name));
  return { node: order[0]?.info.name };
}

export class Scheduler {
  private queue?: WorkQueue;
  private readonly pods: ResourceType;
  private readonly nodes: ResourceType;
  private readonly events: ResourceType;
  private watches: Watch[] = [];
  private readonly unschedulable = new Map<string, Unschedulable>();
  /** uid + message -> the FailedScheduling event carrying its series. */
  private readonly failedEvents = new Map<string, string>();

  constructor(private readonly deps: SchedulerDeps) {
    this.pods = deps.registry.find("", "v1", "pods") as ResourceType;
    this.nodes = deps.registry.find("", "v1", "nodes") as ResourceType;
    this.events = deps.registry.find("", "v1", "events") as ResourceType;
  }

  /** Whether the scheduler runs (a drill may stop it). */
  get running(): boolean {
    return this.queue !== undefined;
  }

  start(): void {
    if (this.queue) return;
    const queue = new WorkQueue(this.deps.clock, (key) => this.reconcile(key));
    this.queue = queue;
    const { store } = this.deps.service;
    this.watches.push(
      store.watch("/core/pods/", undefined, (event) => {
        const pod = event.object as Pod;
        const key = keyOf(pod);
        if (event.type === "DELETED" || isTerminal(pod)) {
          if (pod.spec.nodeName) this.clusterChanged();
          if (event.type === "DELETED") this.unschedulable.delete(key);
          return;
        }
        if (pod.spec.nodeName) return;
        const known = this.unschedulable.get(key);
        // Our own status writes come back here: only a changed spec or labels (or a new pod) is worth an attempt.
        if (known && known.uid === pod.metadata.uid && known.signature === signatureOf(pod)) return;
        queue.add(key);
      }),
      store.watch("/core/nodes/", undefined, () => this.clusterChanged()),
      // A claim that binds lets its pods through VolumeBinding.
      store.watch("/core/persistentvolumeclaims/", undefined, () => this.clusterChanged()),
    );
    this.requeuePending();
  }

  stop(): void {
    for (const w of this.watches) w.stop();
    this.watches = [];
    this.queue?.dispose();
    this.queue = undefined;
  }

  /** Something that may free room changed: retry every unschedulable pod (its back-off still applies). */
  private clusterChanged(): void {
    for (const key of this.unschedulable.keys()) this.queue?.add(key);
  }

  private requeuePending(): void {
    for (const pod of this.deps.service.list(this.pods, undefined, { fieldSelector: "spec.nodeName=" }).items) this.queue?.add(keyOf(pod as Pod));
  }

  private reconcile(key: string): void {
    const [namespace, name] = key.split("/") as [string, string];
    const { service, clock } = this.deps;
    const pod = service.find(this.pods, namespace, name) as Pod | undefined;
    if (!pod || pod.spec.nodeName || pod.metadata.deletionTimestamp || isTerminal(pod)) {
      this.unschedulable.delete(key);
      return;
    }
    if ((pod.spec.schedulerName ?? SCHEDULER_NAME) !== SCHEDULER_NAME) return;
    if ((pod.spec.schedulingGates as unknown[] | undefined)?.length) {
      this.setCondition(pod, "SchedulingGated", "Scheduling is blocked due to non-empty scheduling gates");
      return;
    }
    const known = this.unschedulable.get(key);
    if (known && known.uid === pod.metadata.uid && known.signature === signatureOf(pod) && clock.now() < known.backoffUntil) {
      this.queue?.addAfter(key, known.backoffUntil - clock.now());
      return;
    }
    const nodes = service.list(this.nodes, undefined).items as Node[];
    const pods = service.list(this.pods, undefined).items as Pod[];
    // VolumeBinding's PreFilter: a missing or unbound (Immediate) claim stops the pod before any node is tried.
    const claimProblem = podVolumeClaimProblem(service, this.deps.registry, pod);
    const result: ScheduleResult = claimProblem ? { message: preFilterMessage(pod, nodes.length, claimProblem) } : schedulePod(pod, nodes, pods, this.deps.filters, this.deps.scores);
    if (result.node) {
      this.unschedulable.delete(key);
      this.bind(pod, result.node);
      return;
    }
    const message = result.message ?? "";
    const attempts = known && known.uid === pod.metadata.uid ? known.attempts + 1 : 1;
    const backoff = Math.min(INITIAL_BACKOFF * 2 ** (attempts - 1), MAX_BACKOFF);
    this.unschedulable.set(key, { uid: pod.metadata.uid ?? "", attempts, backoffUntil: clock.now() + backoff, signature: signatureOf(pod) });
    this.setCondition(pod, "Unschedulable", message);
    this.failedScheduling(pod, message);
    this.queue?.addAfter(key, UNSCHEDULABLE_FLUSH);
  }

  private setCondition(pod: Pod, reason: string, message: string): void {
    const previous = pod.status?.conditions?.find((c) => c.type === "PodScheduled");
    if (previous?.status === "False" && previous.reason === reason && previous.message === message) return;
    const now = timestamp(this.deps.clock.now());
    this.deps.service.mutate(this.pods, pod.metadata.namespace, pod.metadata.name ?? "", (p) => {
      const status = ((p as Pod).status ??= {});
      const others = (status.conditions ?? []).filter((c) => c.type !== "PodScheduled");
      status.conditions = [...others, { type: "PodScheduled", status: "False", lastProbeTime: null, lastTransitionTime: previous?.status === "False" ? (previous.lastTransitionTime ?? now) : now, reason, message }];
      if (reason === "Unschedulable") status.phase ??= "Pending";
    }, { subresource: "status" });
  }

  /** A FailedScheduling event; repeats of the same message grow its `series` (events.k8s.io style). */
  private failedScheduling(pod: Pod, message: string): void {
    const { service, recorder, clock } = this.deps;
    const correlation = `${pod.metadata.uid ?? ""}\n${message}`;
    const existing = this.failedEvents.get(correlation);
    const namespace = pod.metadata.namespace ?? "default";
    if (existing && service.find(this.events, namespace, existing)) {
      service.mutate(this.events, namespace, existing, (e) => {
        const event = e as CoreEvent & { series?: { count: number; lastObservedTime: string } };
        event.series = { count: (event.series?.count ?? 1) + 1, lastObservedTime: microTimestamp(clock.now()) };
      });
      return;
    }
    recorder.recordAction(pod, { type: "Warning", reason: "FailedScheduling", message, component: SCHEDULER_NAME, instance: INSTANCE, action: "Scheduling" });
    const created = (service.list(this.events, namespace).items as CoreEvent[]).findLast((e) => e.reason === "FailedScheduling" && e.involvedObject.uid === pod.metadata.uid && e.message === message);
    if (created?.metadata.name) this.failedEvents.set(correlation, created.metadata.name);
  }

  /** Binding: spec.nodeName and the PodScheduled condition, as the binding subresource writes them. */
  private bind(pod: Pod, target: string): void {
    const { service, recorder, clock } = this.deps;
    const namespace = pod.metadata.namespace ?? "default";
    const name = pod.metadata.name ?? "";
    const now = timestamp(clock.now());
    const bound = service.mutate(this.pods, namespace, name, (p) => {
      (p as Pod).spec.nodeName = target;
      const status = ((p as Pod).status ??= {});
      const others = (status.conditions ?? []).filter((c) => c.type !== "PodScheduled");
      status.conditions = [...others, { type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: now }];
    }, { binding: true });
    if (bound) {
      recorder.recordAction(bound, { type: "Normal", reason: "Scheduled", message: `Successfully assigned ${namespace}/${name} to ${target}`, component: SCHEDULER_NAME, instance: INSTANCE, action: "Binding" });
    }
  }
}
