// The DaemonSet controller, after upstream's pkg/controller/daemon: one pod
// per eligible node (nodeSelector, node affinity, taints against the
// template's tolerations plus the daemon tolerations upstream adds), named
// `<ds>-<5 chars>` and pinned to its node through required node affinity on
// metadata.name (the scheduler binds it). Each sync keeps the history first
// (a ControllerRevision per template, `controller-revision-hash` = the
// current one's hash), then manages nodes (create where missing, delete
// failed, extra and misplaced pods), then, once nothing is in flight, rolls
// old pods within maxUnavailable (or surges new ones within maxSurge);
// OnDelete leaves old pods until someone deletes them. A pod is up to date
// when its hash matches, or (the seeded kube-proxy pods) its
// `pod-template-generation` matches the DaemonSet's
// `deprecated.daemonset.template.generation` at the current generation.
import type { Clock } from "../../clock";
import type { ResourceService } from "../apiserver/service";
import type { Registry, ResourceType } from "../registry";
import type { LabelSelector, PodTemplate } from "../registry/workload";
import { termMatches, type NodeSelectorTerm } from "../scheduler/plugins/node-affinity";
import { tolerates } from "../scheduler/plugins/taint-toleration";
import type { Watch } from "../store/store";
import type { KObject, Node, Pod, Taint, Toleration } from "../types";
import { ControllerHistory, holdsTemplate, REVISION_HASH, type ControllerRevision } from "./controller-revisions";
import type { EventRecorder } from "./events";
import { controllerOf, controllerRef, isActivePod, isPodReady, podAvailability, selectorMatches, timeOf } from "./ownership";
import { WorkQueue } from "./workqueue";

const COMPONENT = "daemonset-controller";
const TEMPLATE_GENERATION = "pod-template-generation";
const TEMPLATE_GENERATION_ANNOTATION = "deprecated.daemonset.template.generation";
// Upstream's failedPodsBackoff: a pod the kubelet keeps failing is replaced at most this often.
const FAILED_BACKOFF_MS = 1000;
const FAILED_BACKOFF_MAX_MS = 15 * 60_000;

export interface DaemonSet extends KObject {
  spec?: {
    selector?: LabelSelector;
    template?: PodTemplate;
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
    updateStrategy?: { type?: string; rollingUpdate?: { maxUnavailable?: number | string; maxSurge?: number | string } };
    [field: string]: unknown;
  };
  status?: Record<string, unknown> & { collisionCount?: number };
}

export interface DaemonSetControllerDeps {
  service: ResourceService;
  registry: Registry;
  recorder: EventRecorder;
  clock: Clock;
}

const keyOf = (o: KObject): string => `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;
const isTerminal = (pod: Pod): boolean => pod.status?.phase === "Failed" || pod.status?.phase === "Succeeded";

/** The tolerations upstream adds to every daemon pod (AddOrUpdateDaemonPodTolerations). */
export function daemonTolerations(hostNetwork: boolean): Toleration[] {
  const out: Toleration[] = [
    { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" },
    { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" },
    { key: "node.kubernetes.io/disk-pressure", operator: "Exists", effect: "NoSchedule" },
    { key: "node.kubernetes.io/memory-pressure", operator: "Exists", effect: "NoSchedule" },
    { key: "node.kubernetes.io/pid-pressure", operator: "Exists", effect: "NoSchedule" },
    { key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" },
  ];
  if (hostNetwork) out.push({ key: "node.kubernetes.io/network-unavailable", operator: "Exists", effect: "NoSchedule" });
  return out;
}

interface Placement {
  /** A daemon pod belongs on the node (counted as desired, created when missing). */
  shouldRun: boolean;
  /** A pod already there may stay (only an untolerated NoExecute taint or a selector mismatch evicts it). */
  shouldContinueRunning: boolean;
}

/** Upstream's NodeShouldRunDaemonPod: nodeName, nodeSelector, required node affinity, then taints. */
export function daemonPlacement(template: PodTemplate | undefined, node: Node): Placement {
  const spec = template?.spec ?? { containers: [] };
  const nowhere = { shouldRun: false, shouldContinueRunning: false };
  if (spec.nodeName && spec.nodeName !== node.metadata.name) return nowhere;
  const labels = node.metadata.labels ?? {};
  if (Object.entries(spec.nodeSelector ?? {}).some(([k, v]) => labels[k] !== v)) return nowhere;
  const terms = (spec.affinity as { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] } } } | undefined)?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms && !terms.some((term) => termMatches(term, node))) return nowhere;
  const tolerations = [...(spec.tolerations ?? []), ...daemonTolerations(!!spec.hostNetwork)];
  const untolerated = (effect: string): boolean => (node.spec?.taints ?? []).some((taint: Taint) => taint.effect === effect && !tolerates(tolerations, taint));
  if (untolerated("NoExecute")) return nowhere;
  return { shouldRun: !untolerated("NoSchedule"), shouldContinueRunning: true };
}

/** The node a daemon pod is for: where it is bound, else its metadata.name affinity. */
export function daemonPodNode(pod: Pod): string | undefined {
  if (pod.spec.nodeName) return pod.spec.nodeName;
  const affinity = pod.spec.affinity as { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] } } } | undefined;
  for (const term of affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    const field = term.matchFields?.find((f) => f.key === "metadata.name");
    if (field?.values?.[0]) return field.values[0];
  }
  return undefined;
}

/** An int-or-percent of `total`, rounded up (as maxUnavailable and maxSurge are for DaemonSets). */
function scaled(value: number | string | undefined, total: number): number {
  if (value === undefined) return 0;
  if (typeof value === "number") return value;
  const m = /^(\d+)%$/.exec(value);
  return m ? Math.ceil((Number(m[1]) * total) / 100) : Number(value) || 0;
}

/** Bound pods first, then oldest, then by name (upstream's podByCreationTimestampAndPhase). */
function byCreationAndPhase(a: Pod, b: Pod): number {
  const bound = Number(!a.spec.nodeName) - Number(!b.spec.nodeName);
  return bound || timeOf(a.metadata.creationTimestamp) - timeOf(b.metadata.creationTimestamp) || (a.metadata.name ?? "").localeCompare(b.metadata.name ?? "");
}

export class DaemonSetController {
  private readonly queue: WorkQueue;
  private readonly dsType: ResourceType;
  private readonly podType: ResourceType;
  private readonly nodeType: ResourceType;
  private readonly history: ControllerHistory;
  private readonly failedBackoff = new Map<string, { delay: number; at: number }>();
  private watches: Watch[] = [];

  constructor(private readonly deps: DaemonSetControllerDeps) {
    this.dsType = deps.registry.find("apps", "v1", "daemonsets") as ResourceType;
    this.podType = deps.registry.find("", "v1", "pods") as ResourceType;
    this.nodeType = deps.registry.find("", "v1", "nodes") as ResourceType;
    this.history = new ControllerHistory(deps.service, deps.registry);
    this.queue = new WorkQueue(deps.clock, (key) => this.reconcile(key));
  }

  start(): void {
    const { store } = this.deps.service;
    const { registry } = this.deps;
    this.watches.push(
      store.watch(registry.key(this.dsType), undefined, (event) => this.queue.add(keyOf(event.object))),
      store.watch(registry.key(this.podType), undefined, (event) => this.dependentChanged(event.object, event.previous)),
      store.watch(registry.key(this.history.type), undefined, (event) => this.dependentChanged(event.object, event.previous)),
      store.watch(registry.key(this.nodeType), undefined, (event) => {
        if (event.type === "MODIFIED" && JSON.stringify([event.object.metadata.labels, event.object.spec]) === JSON.stringify([event.previous?.metadata.labels, event.previous?.spec])) return;
        this.enqueueAll();
      }),
    );
    this.enqueueAll();
  }

  stop(): void {
    for (const w of this.watches) w.stop();
    this.watches = [];
    this.queue.dispose();
  }

  private enqueueAll(): void {
    for (const ds of this.deps.service.list(this.dsType, undefined).items) this.queue.add(keyOf(ds));
  }

  /** A pod or revision changed: its DaemonSet, or for an orphan every DaemonSet that may adopt it. */
  private dependentChanged(object: KObject, previous: KObject | undefined): void {
    const namespace = object.metadata.namespace ?? "";
    for (const o of previous ? [object, previous] : [object]) {
      const ref = controllerOf(o);
      if (ref) {
        if (ref.kind === "DaemonSet") this.queue.add(`${namespace}/${ref.name}`);
        continue;
      }
      if (!isActivePod(o as Pod)) continue;
      for (const ds of this.deps.service.list(this.dsType, namespace).items as DaemonSet[]) {
        if (selectorMatches(ds.spec?.selector, o.metadata.labels)) this.queue.add(keyOf(ds));
      }
    }
  }

  private reconcile(key: string): void {
    const [namespace, name] = key.split("/") as [string, string];
    const ds: DaemonSet | undefined = this.deps.service.find(this.dsType, namespace, name);
    // A DaemonSet being deleted is left to the garbage collector, as upstream.
    if (!ds || ds.metadata.deletionTimestamp) return;
    const nodes = this.deps.service.list(this.nodeType, undefined).items as Node[];
    const { hash, old, collisionCount } = this.constructHistory(ds);
    const byNode = this.nodeToDaemonPods(ds);
    const changed = this.manage(ds, nodes, byNode, hash);
    // Like upstream's expectations: roll only once the manage pass's creations and deletions are seen (so `byNode` is still current).
    if (!changed && (ds.spec?.updateStrategy?.type ?? "RollingUpdate") === "RollingUpdate") this.rollingUpdate(ds, nodes, byNode, hash);
    this.cleanupHistory(ds, old);
    this.updateStatus(ds, nodes, hash, collisionCount);
  }

  private claimPods(ds: DaemonSet): Pod[] {
    const { service } = this.deps;
    const uid = ds.metadata.uid;
    const claimed: Pod[] = [];
    for (const pod of service.list(this.podType, ds.metadata.namespace).items as Pod[]) {
      const ref = controllerOf(pod);
      if (ref) {
        if (ref.uid === uid) claimed.push(pod);
        continue;
      }
      if (!isActivePod(pod) || !selectorMatches(ds.spec?.selector, pod.metadata.labels)) continue;
      try {
        const adopted = service.mutate(this.podType, pod.metadata.namespace, pod.metadata.name ?? "", (p) => {
          p.metadata.ownerReferences = [...(p.metadata.ownerReferences ?? []), controllerRef(ds)];
        }) as Pod | undefined;
        if (adopted) claimed.push(adopted);
      } catch {
        // Gone meanwhile.
      }
    }
    return claimed;
  }

  /** Claimed pods by target node; finished pods already being deleted are left out unless `withDeletedTerminal`. */
  private nodeToDaemonPods(ds: DaemonSet, withDeletedTerminal = false): Map<string, Pod[]> {
    const byNode = new Map<string, Pod[]>();
    for (const pod of this.claimPods(ds)) {
      if (!withDeletedTerminal && isTerminal(pod) && pod.metadata.deletionTimestamp) continue;
      const node = daemonPodNode(pod) ?? "";
      byNode.set(node, [...(byNode.get(node) ?? []), pod]);
    }
    return byNode;
  }

  /**
   * The current revision (found or written) and the older ones, as upstream's
   * constructHistory; several revisions of the current template (made by
   * hand) are folded into the newest, their pods relabelled.
   */
  private constructHistory(ds: DaemonSet): { hash: string; old: ControllerRevision[]; collisionCount: number } {
    const revisions = this.history.claim(ds);
    const { revision: current, collisionCount } = this.history.revisionFor(ds, revisions, ds.status?.collisionCount ?? 0);
    // A revision made by hand may lack the label: its name stands in, as upstream labels it.
    const hash = current.metadata.labels?.[REVISION_HASH] ?? current.metadata.name ?? "";
    const old: ControllerRevision[] = [];
    for (const revision of revisions) {
      if (revision.metadata.name === current.metadata.name) continue;
      const duplicateHash = revision.metadata.labels?.[REVISION_HASH];
      if (duplicateHash && holdsTemplate(revision, ds.spec?.template)) {
        this.relabelPods(ds, duplicateHash, hash);
        this.history.delete(revision);
        continue;
      }
      old.push(revision);
    }
    return { hash, old, collisionCount };
  }

  private relabelPods(ds: DaemonSet, from: string, to: string): void {
    for (const pod of this.claimPods(ds)) {
      if (pod.metadata.labels?.[REVISION_HASH] !== from) continue;
      this.deps.service.mutate(this.podType, pod.metadata.namespace, pod.metadata.name ?? "", (p) => {
        p.metadata.labels = { ...p.metadata.labels, [REVISION_HASH]: to };
      });
    }
  }

  /** Old revisions beyond revisionHistoryLimit go, oldest first, unless a pod still carries their hash. */
  private cleanupHistory(ds: DaemonSet, old: ControllerRevision[]): void {
    const excess = old.length - (ds.spec?.revisionHistoryLimit ?? 10);
    if (excess <= 0) return;
    const liveHashes = new Set<string>();
    for (const pods of this.nodeToDaemonPods(ds, true).values()) {
      for (const pod of pods) {
        const hash = pod.metadata.labels?.[REVISION_HASH];
        if (hash) liveHashes.add(hash);
      }
    }
    this.history.deleteOldest(old, excess, (r) => liveHashes.has(r.metadata.labels?.[REVISION_HASH] ?? ""));
  }

  /** Upstream's IsPodUpdated: the revision hash, or the deprecated template generation. */
  private isUpdated(ds: DaemonSet, pod: Pod, hash: string): boolean {
    const labels = pod.metadata.labels ?? {};
    if (hash && labels[REVISION_HASH] === hash) return true;
    const generation = ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
    // Nothing bumps the annotation on template changes here, so it only counts while the generation agrees.
    return generation !== undefined && labels[TEMPLATE_GENERATION] === generation && generation === String(ds.metadata.generation ?? 1);
  }

  /** Create and delete so that each node has what it should (upstream's manage + podsShouldBeOnNode); true when it wrote anything. */
  private manage(ds: DaemonSet, nodes: Node[], byNode: Map<string, Pod[]>, hash: string): boolean {
    const toCreate: string[] = [];
    const toDelete: Pod[] = [];
    const nodeNames = new Set(nodes.map((n) => n.metadata.name ?? ""));
    for (const node of nodes) {
      const name = node.metadata.name ?? "";
      const { shouldRun, shouldContinueRunning } = daemonPlacement(ds.spec?.template, node);
      const pods = byNode.get(name);
      if (!pods) {
        if (shouldRun) toCreate.push(name);
        continue;
      }
      if (!shouldContinueRunning) {
        toDelete.push(...pods.filter((p) => !p.metadata.deletionTimestamp));
        continue;
      }
      const running: Pod[] = [];
      for (const pod of pods) {
        if (pod.metadata.deletionTimestamp) continue;
        if (!isTerminal(pod)) running.push(pod);
        else if (this.mayReplaceFinished(ds, pod, name)) toDelete.push(pod);
      }
      running.sort(byCreationAndPhase);
      if (!this.allowsSurge(ds)) {
        toDelete.push(...running.slice(1));
        continue;
      }
      if (!running.length) {
        if (shouldRun) toCreate.push(name);
        continue;
      }
      // Surging: an old and a new pod may share a node while the new one is not yet available.
      const oldestNew = running.find((p) => p.metadata.labels?.[REVISION_HASH] === hash);
      const oldestOld = running.find((p) => p.metadata.labels?.[REVISION_HASH] !== hash);
      toDelete.push(...running.filter((p) => p !== oldestNew && p !== oldestOld));
      if (oldestNew && oldestOld && (!isPodReady(oldestOld) || podAvailability(oldestNew, ds.spec?.minReadySeconds ?? 0, this.deps.clock.now()).available)) toDelete.push(oldestOld);
    }
    // Pods for nodes that no longer exist (bound ones included: no pod GC runs here).
    for (const [node, pods] of byNode) {
      if (!nodeNames.has(node)) toDelete.push(...pods.filter((p) => !p.metadata.deletionTimestamp));
    }
    this.syncNodes(ds, toDelete, toCreate, hash);
    return toCreate.length + toDelete.length > 0;
  }

  /** A finished pod is replaced, with an exponential back-off per node so a rejecting kubelet is not hammered. */
  private mayReplaceFinished(ds: DaemonSet, pod: Pod, node: string): boolean {
    const now = this.deps.clock.now();
    const key = `${keyOf(ds)}/${node}`;
    const last = this.failedBackoff.get(key);
    if (last && now - last.at < last.delay) {
      this.queue.addAfter(keyOf(ds), last.delay - (now - last.at));
      return false;
    }
    const delay = last && now - last.at <= 2 * FAILED_BACKOFF_MAX_MS ? Math.min(last.delay * 2, FAILED_BACKOFF_MAX_MS) : FAILED_BACKOFF_MS;
    this.failedBackoff.set(key, { delay, at: now });
    if (pod.status?.phase === "Failed") {
      this.deps.recorder.record(ds, { type: "Warning", reason: "FailedDaemonPod", message: `Found failed daemon pod ${pod.metadata.namespace ?? ""}/${pod.metadata.name ?? ""} on node ${node}, will try to kill it`, component: COMPONENT });
    }
    return true;
  }

  private allowsSurge(ds: DaemonSet): boolean {
    const strategy = ds.spec?.updateStrategy;
    return (strategy?.type ?? "RollingUpdate") === "RollingUpdate" && scaled(strategy?.rollingUpdate?.maxSurge, 1) > 0;
  }

  /** The pods of one node split into the up-to-date and the old one; undefined when there is more than one of either. */
  private updatedAndOld(ds: DaemonSet, pods: Pod[], hash: string): { updated?: Pod; old?: Pod } | undefined {
    const out: { updated?: Pod; old?: Pod } = {};
    for (const pod of pods) {
      if (pod.metadata.deletionTimestamp) continue;
      const slot = this.isUpdated(ds, pod, hash) ? "updated" : "old";
      if (out[slot]) return undefined;
      out[slot] = pod;
    }
    return out;
  }

  /** Upstream's rollingUpdate: replace old pods within maxUnavailable, or surge new ones within maxSurge. */
  private rollingUpdate(ds: DaemonSet, nodes: Node[], byNode: Map<string, Pod[]>, hash: string): void {
    const minReady = ds.spec?.minReadySeconds ?? 0;
    const now = this.deps.clock.now();
    const available = (pod: Pod): boolean => podAvailability(pod, minReady, now).available;
    let desired = 0;
    for (const node of nodes) {
      if (!daemonPlacement(ds.spec?.template, node).shouldRun) continue;
      desired++;
      if (!byNode.has(node.metadata.name ?? "")) byNode.set(node.metadata.name ?? "", []);
    }
    const rolling = ds.spec?.updateStrategy?.rollingUpdate;
    let maxUnavailable = scaled(rolling?.maxUnavailable, desired);
    const maxSurge = scaled(rolling?.maxSurge, desired);
    if (desired > 0 && maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
    // Node order is random upstream (a Go map); by name here, so runs repeat.
    const perNode = [...byNode.keys()].sort().map((node) => ({ node, split: this.updatedAndOld(ds, byNode.get(node) ?? [], hash) }));

    if (maxSurge === 0) {
      let unavailable = 0;
      const replace: Pod[] = [];
      const candidates: Pod[] = [];
      for (const { split } of perNode) {
        if (!split || !split.old === !split.updated) unavailable++;
        else if (split.updated) {
          if (!available(split.updated)) unavailable++;
        } else if (split.old && !available(split.old)) replace.push(split.old);
        else if (split.old && unavailable < maxUnavailable) candidates.push(split.old);
      }
      const room = Math.min(Math.max(maxUnavailable - unavailable, 0), candidates.length);
      this.syncNodes(ds, [...replace, ...candidates.slice(0, room)], [], hash);
      return;
    }

    let surging = 0;
    const toDelete: Pod[] = [];
    const replaceOn: string[] = [];
    const candidates: string[] = [];
    for (const { node, split } of perNode) {
      if (!split) {
        surging++;
        continue;
      }
      const { updated, old } = split;
      if (!old) continue;
      if (!updated) {
        if (!available(old)) {
          const target = nodes.find((n) => n.metadata.name === node);
          if (!target || !daemonPlacement(ds.spec?.template, target).shouldRun) toDelete.push(old);
          else replaceOn.push(node);
        } else if (surging < maxSurge) candidates.push(node);
        continue;
      }
      if (!available(updated)) surging++;
      else toDelete.push(old);
    }
    const room = Math.min(Math.max(maxSurge - surging, 0), candidates.length);
    this.syncNodes(ds, toDelete, [...replaceOn, ...candidates.slice(0, room)], hash);
  }

  private syncNodes(ds: DaemonSet, toDelete: Pod[], toCreate: string[], hash: string): void {
    for (const node of toCreate) this.createPod(ds, node, hash);
    for (const pod of new Set(toDelete)) this.deletePod(ds, pod);
  }

  private createPod(ds: DaemonSet, node: string, hash: string): void {
    const { service, recorder } = this.deps;
    const template = ds.spec?.template ?? {};
    const meta = template.metadata ?? {};
    const spec = structuredClone(template.spec ?? { containers: [] }) as Record<string, unknown> & { tolerations?: Toleration[]; hostNetwork?: boolean; affinity?: Record<string, unknown> };
    const tolerations = [...(spec.tolerations ?? [])];
    for (const t of daemonTolerations(!!spec.hostNetwork)) {
      if (!tolerations.some((x) => x.key === t.key && x.effect === t.effect)) tolerations.push(t);
    }
    spec.tolerations = tolerations;
    const nodeAffinity = ((spec.affinity ??= {}).nodeAffinity ??= {}) as Record<string, unknown>;
    nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: [node] }] }] };
    const generation = ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION] ?? String(ds.metadata.generation ?? 1);
    const pod: KObject = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        generateName: `${ds.metadata.name ?? ""}-`,
        labels: { ...meta.labels, [REVISION_HASH]: hash, [TEMPLATE_GENERATION]: generation },
        ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
        ownerReferences: [controllerRef(ds)],
      },
      spec,
    };
    try {
      const created = service.create(this.podType, ds.metadata.namespace, pod);
      recorder.record(ds, { type: "Normal", reason: "SuccessfulCreate", message: `Created pod: ${created.metadata.name ?? ""}`, component: COMPONENT });
    } catch (error) {
      recorder.record(ds, { type: "Warning", reason: "FailedCreate", message: `Error creating: ${(error as Error).message}`, component: COMPONENT });
    }
  }

  private deletePod(ds: DaemonSet, pod: Pod): void {
    try {
      this.deps.service.delete(this.podType, pod.metadata.namespace, pod.metadata.name ?? "");
      this.deps.recorder.record(ds, { type: "Normal", reason: "SuccessfulDelete", message: `Deleted pod: ${pod.metadata.name ?? ""}`, component: COMPONENT });
    } catch {
      // Gone already.
    }
  }

  /** Upstream's updateDaemonSetStatus: per node, the oldest bound pod counts (terminating ones included). */
  private updateStatus(ds: DaemonSet, nodes: Node[], hash: string, collisionCount: number): void {
    const now = this.deps.clock.now();
    const minReady = ds.spec?.minReadySeconds ?? 0;
    const byNode = this.nodeToDaemonPods(ds);
    let desired = 0;
    let current = 0;
    let misscheduled = 0;
    let ready = 0;
    let available = 0;
    let updated = 0;
    let wait: number | undefined;
    for (const node of nodes) {
      const { shouldRun } = daemonPlacement(ds.spec?.template, node);
      const pods = [...(byNode.get(node.metadata.name ?? "") ?? [])].sort(byCreationAndPhase);
      const pod = pods[0];
      if (!shouldRun) {
        if (pod) misscheduled++;
        continue;
      }
      desired++;
      if (!pod) continue;
      current++;
      if (isPodReady(pod)) {
        ready++;
        const a = podAvailability(pod, minReady, now);
        if (a.available) available++;
        else if (a.wait !== undefined) wait = Math.min(wait ?? Infinity, a.wait);
      }
      if (this.isUpdated(ds, pod, hash)) updated++;
    }
    const status: Record<string, unknown> = {
      currentNumberScheduled: current,
      desiredNumberScheduled: desired,
      numberMisscheduled: misscheduled,
      numberReady: ready,
      observedGeneration: ds.metadata.generation ?? 1,
    };
    if (available) status.numberAvailable = available;
    if (desired - available > 0) status.numberUnavailable = desired - available;
    if (updated) status.updatedNumberScheduled = updated;
    if (collisionCount) status.collisionCount = collisionCount;
    if (JSON.stringify(status) !== JSON.stringify(ds.status ?? {})) {
      try {
        this.deps.service.mutate(this.dsType, ds.metadata.namespace, ds.metadata.name ?? "", (o) => {
          o.status = status;
        }, { subresource: "status" });
      } catch {
        // Deleted meanwhile.
      }
    }
    if (wait !== undefined) this.queue.addAfter(keyOf(ds), wait);
  }
}
