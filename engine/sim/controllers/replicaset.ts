// The ReplicaSet controller (and, with the same logic, the
// ReplicationController manager): keeps spec.replicas active pods that match
// the selector and carry a controller ownerReference to it. It adopts orphans
// that match, releases pods that stop matching, creates pods named
// `<owner>-<5 chars>` from the template, deletes the least valuable pods first
// when scaling down (upstream's ranking), and reports replicas,
// fullyLabeledReplicas, readyReplicas, availableReplicas (minReadySeconds,
// on the injected clock) and observedGeneration.
import type { Clock } from "../../clock";
import type { ResourceService } from "../apiserver/service";
import { timestamp, type Registry, type ResourceType } from "../registry";
import type { LabelSelector, PodTemplate } from "../registry/workload";
import type { Watch } from "../store/store";
import type { KObject, OwnerReference, Pod } from "../types";
import type { EventRecorder } from "./events";
import { controllerOf, controllerRef, isActivePod, isPodReady, mapSelectorMatches, podAvailability, podReadySince, selectorMatches, timeOf } from "./ownership";
import { WorkQueue } from "./workqueue";

interface ReplicaOwner extends KObject {
  spec?: { replicas?: number; minReadySeconds?: number; selector?: LabelSelector | Record<string, string>; template?: PodTemplate };
  status?: Record<string, unknown>;
}

/** How long after a failed pod create the ReplicaSet tries again. */
const CREATE_RETRY_MS = 10_000;

/** Upstream creates at most this many pods per sync (slow start batches aside). */
const BURST = 500;

interface Flavour {
  group: string;
  version: string;
  plural: string;
  component: string;
  matches(owner: ReplicaOwner, labels: Record<string, string> | undefined): boolean;
}

const REPLICA_SETS: Flavour = {
  group: "apps",
  version: "v1",
  plural: "replicasets",
  component: "replicaset-controller",
  matches: (owner, labels) => selectorMatches(owner.spec?.selector, labels),
};

const REPLICATION_CONTROLLERS: Flavour = {
  group: "",
  version: "v1",
  plural: "replicationcontrollers",
  component: "replication-controller",
  matches: (owner, labels) => mapSelectorMatches(owner.spec?.selector as Record<string, string> | undefined, labels),
};

export interface ReplicaControllerDeps {
  service: ResourceService;
  registry: Registry;
  recorder: EventRecorder;
  clock: Clock;
}

const keyOf = (o: KObject): string => `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;

export class ReplicaSetController {
  private readonly queue: WorkQueue;
  private readonly ownerType: ResourceType;
  private readonly podType: ResourceType;
  private watches: Watch[] = [];

  constructor(
    private readonly deps: ReplicaControllerDeps,
    private readonly flavour: Flavour = REPLICA_SETS,
  ) {
    this.ownerType = deps.registry.find(flavour.group, flavour.version, flavour.plural) as ResourceType;
    this.podType = deps.registry.find("", "v1", "pods") as ResourceType;
    this.queue = new WorkQueue(deps.clock, (key) => this.reconcile(key));
  }

  /** The same loop for core/v1 ReplicationControllers. */
  static forReplicationControllers(deps: ReplicaControllerDeps): ReplicaSetController {
    return new ReplicaSetController(deps, REPLICATION_CONTROLLERS);
  }

  start(): void {
    const { store } = this.deps.service;
    this.watches.push(
      store.watch(this.deps.registry.key(this.ownerType), undefined, (event) => this.queue.add(keyOf(event.object))),
      store.watch(this.deps.registry.key(this.podType), undefined, (event) => this.podChanged(event.object as Pod, event.previous as Pod | undefined)),
    );
    for (const owner of this.deps.service.list(this.ownerType, undefined).items) this.queue.add(keyOf(owner));
  }

  stop(): void {
    for (const w of this.watches) w.stop();
    this.watches = [];
    this.queue.dispose();
  }

  private podChanged(pod: Pod, previous: Pod | undefined): void {
    const namespace = pod.metadata.namespace ?? "";
    for (const p of previous ? [pod, previous] : [pod]) {
      const ref = controllerOf(p);
      if (ref) {
        if (ref.kind === this.ownerType.kind) this.queue.add(`${namespace}/${ref.name}`);
        continue;
      }
      // An orphan: every owner whose selector matches may adopt it.
      if (!isActivePod(p)) continue;
      for (const owner of this.deps.service.list(this.ownerType, namespace).items as ReplicaOwner[]) {
        if (this.flavour.matches(owner, p.metadata.labels)) this.queue.add(keyOf(owner));
      }
    }
  }

  private reconcile(key: string): void {
    const [namespace, name] = key.split("/") as [string, string];
    const owner = this.deps.service.find(this.ownerType, namespace, name);
    if (!owner) return;
    const pods = this.claimPods(owner);
    let failure: string | undefined;
    if (!owner.metadata.deletionTimestamp) failure = this.manageReplicas(owner, pods);
    this.updateStatus(owner, pods, failure);
  }

  /** Adopt matching orphans, release owned pods that stopped matching; return the active pods it controls. */
  private claimPods(owner: ReplicaOwner): Pod[] {
    const { service } = this.deps;
    const namespace = owner.metadata.namespace;
    const uid = owner.metadata.uid;
    const deleting = !!owner.metadata.deletionTimestamp;
    const claimed: Pod[] = [];
    for (const pod of service.list(this.podType, namespace).items as Pod[]) {
      if (!isActivePod(pod)) continue;
      const ref = controllerOf(pod);
      const matches = this.flavour.matches(owner, pod.metadata.labels);
      if (ref) {
        if (ref.uid !== uid) continue;
        if (matches) claimed.push(pod);
        else if (!deleting) this.setOwnerRefs(pod, (refs) => refs.filter((r) => r.uid !== uid));
        continue;
      }
      if (!matches || deleting) continue;
      const adopted = this.setOwnerRefs(pod, (refs) => [...refs, controllerRef(owner)]);
      if (adopted) claimed.push(adopted);
    }
    return claimed;
  }

  private setOwnerRefs(pod: Pod, change: (refs: OwnerReference[]) => OwnerReference[]): Pod | undefined {
    try {
      return this.deps.service.mutate(this.podType, pod.metadata.namespace, pod.metadata.name ?? "", (p) => {
        const refs = change(p.metadata.ownerReferences ?? []);
        if (refs.length) p.metadata.ownerReferences = refs;
        else delete p.metadata.ownerReferences;
      }) as Pod | undefined;
    } catch {
      return undefined;
    }
  }

  /** Create or delete pods towards spec.replicas; returns a failure message for the ReplicaFailure condition. */
  private manageReplicas(owner: ReplicaOwner, pods: Pod[]): string | undefined {
    const wanted = owner.spec?.replicas ?? 1;
    const diff = pods.length - wanted;
    if (diff < 0) {
      for (let i = 0; i < Math.min(-diff, BURST); i++) {
        const failure = this.createPod(owner);
        if (failure) return failure;
      }
    } else if (diff > 0) {
      for (const pod of this.podsToDelete(owner, pods, diff)) this.deletePod(owner, pod);
    }
    return undefined;
  }

  private createPod(owner: ReplicaOwner): string | undefined {
    const { service, recorder } = this.deps;
    const template = owner.spec?.template ?? {};
    const meta = template.metadata ?? {};
    const pod: KObject = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        generateName: `${owner.metadata.name ?? ""}-`,
        ...(meta.labels ? { labels: { ...meta.labels } } : {}),
        ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
        ...(Array.isArray(meta.finalizers) ? { finalizers: [...(meta.finalizers as string[])] } : {}),
        ownerReferences: [controllerRef(owner)],
      },
      spec: structuredClone(template.spec ?? { containers: [] }),
    };
    try {
      const created = service.create(this.podType, owner.metadata.namespace, pod);
      recorder.record(owner, { type: "Normal", reason: "SuccessfulCreate", message: `Created pod: ${created.metadata.name ?? ""}`, component: this.flavour.component });
      return undefined;
    } catch (error) {
      const message = `Error creating: ${(error as Error).message}`;
      recorder.record(owner, { type: "Warning", reason: "FailedCreate", message, component: this.flavour.component });
      return message;
    }
  }

  private deletePod(owner: ReplicaOwner, pod: Pod): void {
    try {
      this.deps.service.delete(this.podType, pod.metadata.namespace, pod.metadata.name ?? "");
      this.deps.recorder.record(owner, { type: "Normal", reason: "SuccessfulDelete", message: `Deleted pod: ${pod.metadata.name ?? ""}`, component: this.flavour.component });
    } catch {
      // Already gone.
    }
  }

  /**
   * Which `count` pods go first: unscheduled, then pending, not ready, doubled
   * up on a node, ready for less time, restarted more, newer (upstream's
   * ActivePodsWithRanks with logarithmic scale-down buckets).
   */
  private podsToDelete(owner: ReplicaOwner, pods: Pod[], count: number): Pod[] {
    if (count >= pods.length) return pods;
    const related = this.relatedPods(owner, pods);
    const perNode = new Map<string, number>();
    for (const p of related) if (p.spec.nodeName) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
    const now = this.deps.clock.now();
    const ranked = pods.map((pod) => ({ pod, rank: pod.spec.nodeName ? (perNode.get(pod.spec.nodeName) ?? 0) : 0 }));
    ranked.sort((a, b) => comparePodsForDeletion(a.pod, a.rank, b.pod, b.rank, now));
    return ranked.slice(0, count).map((r) => r.pod);
  }

  /** Its own pods plus those of sibling ReplicaSets under the same Deployment (for the per-node rank). */
  private relatedPods(owner: ReplicaOwner, pods: Pod[]): Pod[] {
    const parent = controllerOf(owner);
    if (!parent) return pods;
    const siblings = new Set(
      this.deps.service
        .list(this.ownerType, owner.metadata.namespace)
        .items.filter((o) => controllerOf(o)?.uid === parent.uid)
        .map((o) => o.metadata.uid),
    );
    return (this.deps.service.list(this.podType, owner.metadata.namespace).items as Pod[]).filter((p) => isActivePod(p) && siblings.has(controllerOf(p)?.uid));
  }

  private updateStatus(owner: ReplicaOwner, pods: Pod[], failure: string | undefined): void {
    const now = this.deps.clock.now();
    const minReady = owner.spec?.minReadySeconds ?? 0;
    const templateLabels = owner.spec?.template?.metadata?.labels ?? {};
    let fullyLabeled = 0;
    let ready = 0;
    let available = 0;
    let wait: number | undefined;
    for (const pod of pods) {
      const labels = pod.metadata.labels ?? {};
      if (Object.entries(templateLabels).every(([k, v]) => labels[k] === v)) fullyLabeled++;
      if (isPodReady(pod)) ready++;
      const a = podAvailability(pod, minReady, now);
      if (a.available) available++;
      else if (a.wait !== undefined) wait = Math.min(wait ?? Infinity, a.wait);
    }
    const previous = owner.status ?? {};
    const status: Record<string, unknown> = { replicas: pods.length };
    if (fullyLabeled) status.fullyLabeledReplicas = fullyLabeled;
    if (ready) status.readyReplicas = ready;
    if (available) status.availableReplicas = available;
    if (owner.metadata.generation) status.observedGeneration = owner.metadata.generation;
    const conditions = ((previous.conditions as Record<string, unknown>[] | undefined) ?? []).filter((c) => c.type !== "ReplicaFailure");
    const oldFailure = ((previous.conditions as Record<string, unknown>[] | undefined) ?? []).find((c) => c.type === "ReplicaFailure");
    if (failure) {
      conditions.push(
        // As upstream's SetCondition: same status and reason keep the old condition (the
        // message names a generated pod, so replacing it would rewrite status forever).
        oldFailure?.reason === "FailedCreate"
          ? oldFailure
          : { type: "ReplicaFailure", status: "True", lastTransitionTime: timestamp(now), reason: "FailedCreate", message: failure },
      );
    }
    if (conditions.length) status.conditions = conditions;
    if (JSON.stringify(status) !== JSON.stringify(previous)) {
      try {
        this.deps.service.mutate(this.ownerType, owner.metadata.namespace, owner.metadata.name ?? "", (o) => {
          o.status = status;
        }, { subresource: "status" });
      } catch {
        // Deleted meanwhile.
      }
    }
    // A failed create (quota, admission) is retried after a while, as upstream's rate-limited requeue.
    if (failure) wait = Math.min(wait ?? Infinity, CREATE_RETRY_MS);
    if (wait !== undefined) this.queue.addAfter(keyOf(owner), wait);
  }
}

const PHASE_ORDER: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function restarts(pod: Pod): number {
  return Math.max(0, ...(pod.status?.containerStatuses ?? []).map((s) => s.restartCount ?? 0));
}

/** Upstream's logarithmic buckets: two times in the same power-of-two age bucket count as equal. */
function logRank(t: number, now: number): number {
  const age = (now - t) * 1_000_000;
  return age > 0 ? Math.floor(Math.log2(age)) : -1;
}

/** Negative when `a` should be deleted before `b`. */
export function comparePodsForDeletion(a: Pod, rankA: number, b: Pod, rankB: number, now: number): number {
  const nodeA = a.spec.nodeName ?? "";
  const nodeB = b.spec.nodeName ?? "";
  if (nodeA !== nodeB && (!nodeA || !nodeB)) return nodeA ? 1 : -1;
  const phaseA = PHASE_ORDER[a.status?.phase ?? ""] ?? 0;
  const phaseB = PHASE_ORDER[b.status?.phase ?? ""] ?? 0;
  if (phaseA !== phaseB) return phaseA - phaseB;
  const readyA = isPodReady(a);
  if (readyA !== isPodReady(b)) return readyA ? 1 : -1;
  if (rankA !== rankB) return rankB - rankA;
  if (readyA) {
    const ra = podReadySince(a);
    const rb = podReadySince(b);
    if (ra !== rb) {
      if (ra === undefined) return -1;
      if (rb === undefined) return 1;
      const diff = logRank(ra, now) - logRank(rb, now);
      if (diff !== 0) return diff;
      return (a.metadata.uid ?? "") < (b.metadata.uid ?? "") ? -1 : 1;
    }
  }
  const restartDiff = restarts(b) - restarts(a);
  if (restartDiff !== 0) return restartDiff;
  const ca = timeOf(a.metadata.creationTimestamp);
  const cb = timeOf(b.metadata.creationTimestamp);
  if (ca !== cb) {
    if (!ca) return -1;
    if (!cb) return 1;
    const diff = logRank(ca, now) - logRank(cb, now);
    if (diff !== 0) return diff;
    return (a.metadata.uid ?? "") < (b.metadata.uid ?? "") ? -1 : 1;
  }
  return 0;
}
