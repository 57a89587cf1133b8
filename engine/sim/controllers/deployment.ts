// The Deployment controller, after upstream's pkg/controller/deployment:
// one ReplicaSet per pod template (`<deployment>-<pod-template-hash>`), the
// revision annotations, RollingUpdate within maxSurge/maxUnavailable,
// Recreate, proportional scaling of a rollout in flight, pause/resume,
// revisionHistoryLimit cleanup, and the Available / Progressing conditions
// including ProgressDeadlineExceeded on the injected clock. `kubectl rollout
// undo` needs nothing special: it PATCHes the template back, and the matching
// old ReplicaSet becomes the new one with revision max+1.
import type { Clock } from "../../clock";
import type { ResourceService } from "../apiserver/service";
import { timestamp, type Registry, type ResourceType } from "../registry";
import type { LabelSelector, PodTemplate } from "../registry/workload";
import type { Watch } from "../store/store";
import type { KObject, Pod } from "../types";
import type { EventRecorder } from "./events";
import { canonical, computeHash, controllerOf, controllerRef, equalIgnoreHash, POD_TEMPLATE_HASH, selectorMatches, timeOf } from "./ownership";
import { WorkQueue } from "./workqueue";

export const REVISION = "deployment.kubernetes.io/revision";
export const REVISION_HISTORY = "deployment.kubernetes.io/revision-history";
export const DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas";
export const MAX_REPLICAS = "deployment.kubernetes.io/max-replicas";
const NOT_COPIED = new Set(["kubectl.kubernetes.io/last-applied-configuration", REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, "deprecated.deployment.rollback.to"]);
const COMPONENT = "deployment-controller";

type IntOrString = number | string;

export interface DeploymentCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  lastUpdateTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: DeploymentCondition[];
  collisionCount?: number;
}

export interface Deployment extends KObject {
  spec: {
    replicas?: number;
    selector?: LabelSelector;
    template?: PodTemplate;
    strategy?: { type?: string; rollingUpdate?: { maxSurge?: IntOrString; maxUnavailable?: IntOrString } };
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
    progressDeadlineSeconds?: number;
    paused?: boolean;
  };
  status?: DeploymentStatus;
}

export interface ReplicaSet extends KObject {
  spec: { replicas?: number; minReadySeconds?: number; selector?: LabelSelector; template?: PodTemplate };
  status?: { replicas?: number; readyReplicas?: number; availableReplicas?: number; observedGeneration?: number; conditions?: { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }[] };
}

const replicasOf = (o: { spec: { replicas?: number } } | undefined): number => o?.spec.replicas ?? 0;
const sum = (sets: (ReplicaSet | undefined)[], f: (rs: ReplicaSet) => number): number => sets.reduce((n, rs) => n + (rs ? f(rs) : 0), 0);
const specReplicas = (sets: (ReplicaSet | undefined)[]): number => sum(sets, (rs) => rs.spec.replicas ?? 0);
const actualReplicas = (sets: (ReplicaSet | undefined)[]): number => sum(sets, (rs) => rs.status?.replicas ?? 0);
const availableReplicas = (sets: (ReplicaSet | undefined)[]): number => sum(sets, (rs) => rs.status?.availableReplicas ?? 0);
const readyReplicas = (sets: (ReplicaSet | undefined)[]): number => sum(sets, (rs) => rs.status?.readyReplicas ?? 0);
const active = (sets: (ReplicaSet | undefined)[]): ReplicaSet[] => sets.filter((rs): rs is ReplicaSet => !!rs && replicasOf(rs) > 0);
const revisionOf = (rs: KObject): number => {
  const n = Number.parseInt(rs.metadata.annotations?.[REVISION] ?? "", 10);
  return Number.isNaN(n) ? 0 : n;
};
const created = (o: KObject): number => timeOf(o.metadata.creationTimestamp);
const byCreation = (a: KObject, b: KObject): number => created(a) - created(b) || (a.metadata.name ?? "").localeCompare(b.metadata.name ?? "");

/** An int or a percentage of `total`, rounded up (surge) or down (unavailable), as GetScaledValueFromIntOrPercent. */
export function scaledValue(value: IntOrString | undefined, total: number, roundUp: boolean): number {
  if (value === undefined) return 0;
  if (typeof value === "number") return value;
  const percent = /^(-?\d+)%$/.exec(value);
  if (!percent) {
    const n = Number.parseInt(value, 10);
    return Number.isNaN(n) ? 0 : n;
  }
  const scaled = (Number(percent[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

const isRolling = (d: Deployment): boolean => (d.spec.strategy?.type ?? "RollingUpdate") === "RollingUpdate";

/** maxSurge and maxUnavailable resolved against spec.replicas; both zero becomes unavailable 1. */
export function fenceposts(d: Deployment): { surge: number; unavailable: number } {
  const desired = replicasOf(d);
  const ru = d.spec.strategy?.rollingUpdate ?? {};
  const surge = scaledValue(ru.maxSurge ?? 0, desired, true);
  let unavailable = scaledValue(ru.maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function maxSurge(d: Deployment): number {
  return isRolling(d) ? fenceposts(d).surge : 0;
}

export function maxUnavailable(d: Deployment): number {
  const desired = replicasOf(d);
  if (!isRolling(d) || desired === 0) return 0;
  return Math.min(fenceposts(d).unavailable, desired);
}

export class DeploymentController {
  private readonly queue: WorkQueue;
  private readonly deployments: ResourceType;
  private readonly replicaSets: ResourceType;
  private readonly pods: ResourceType;
  private watches: Watch[] = [];

  constructor(
    private readonly deps: { service: ResourceService; registry: Registry; recorder: EventRecorder; clock: Clock },
  ) {
    this.deployments = deps.registry.find("apps", "v1", "deployments") as ResourceType;
    this.replicaSets = deps.registry.find("apps", "v1", "replicasets") as ResourceType;
    this.pods = deps.registry.find("", "v1", "pods") as ResourceType;
    this.queue = new WorkQueue(deps.clock, (key) => this.reconcile(key));
  }

  start(): void {
    const { store } = this.deps.service;
    const keyOf = (o: KObject): string => `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;
    this.watches.push(
      store.watch(this.deps.registry.key(this.deployments), undefined, (event) => this.queue.add(keyOf(event.object))),
      store.watch(this.deps.registry.key(this.replicaSets), undefined, (event) => {
        for (const rs of event.previous ? [event.object, event.previous] : [event.object]) this.replicaSetChanged(rs);
      }),
      store.watch(this.deps.registry.key(this.pods), undefined, (event) => {
        // Recreate waits for old pods to be gone, which only pod deletions reveal.
        if (event.type !== "DELETED") return;
        const ref = controllerOf(event.object);
        if (ref?.kind !== "ReplicaSet") return;
        const rs = this.deps.service.find(this.replicaSets, event.object.metadata.namespace, ref.name);
        const owner = rs && controllerOf(rs);
        if (owner?.kind === "Deployment") this.queue.add(`${event.object.metadata.namespace ?? ""}/${owner.name}`);
      }),
    );
    for (const d of this.deps.service.list(this.deployments, undefined).items) this.queue.add(keyOf(d));
  }

  stop(): void {
    for (const w of this.watches) w.stop();
    this.watches = [];
    this.queue.dispose();
  }

  private replicaSetChanged(rs: KObject): void {
    const namespace = rs.metadata.namespace ?? "";
    const ref = controllerOf(rs);
    if (ref) {
      if (ref.kind === "Deployment") this.queue.add(`${namespace}/${ref.name}`);
      return;
    }
    for (const d of this.deps.service.list(this.deployments, namespace).items as Deployment[]) {
      if (selectorMatches(d.spec.selector, rs.metadata.labels)) this.queue.add(`${namespace}/${d.metadata.name ?? ""}`);
    }
  }

  private reconcile(key: string): void {
    const [namespace, name] = key.split("/") as [string, string];
    const d = this.deps.service.find(this.deployments, namespace, name) as Deployment | undefined;
    if (!d) return;
    const sets = this.claimReplicaSets(d);
    if (d.metadata.deletionTimestamp) {
      this.syncStatusOnly(d, sets);
      return;
    }
    const current = this.checkPausedConditions(d);
    if (current.spec.paused) {
      this.sync(current, sets);
      return;
    }
    if (this.isScalingEvent(current, sets)) {
      this.sync(this.fresh(current), this.claimReplicaSets(current));
      return;
    }
    if (isRolling(current)) this.rolloutRolling(this.fresh(current), this.claimReplicaSets(current));
    else this.rolloutRecreate(this.fresh(current), this.claimReplicaSets(current));
  }

  private fresh(d: Deployment): Deployment {
    return (this.deps.service.find(this.deployments, d.metadata.namespace, d.metadata.name ?? "") as Deployment | undefined) ?? d;
  }

  // --- ownership -------------------------------------------------------------

  private claimReplicaSets(d: Deployment): ReplicaSet[] {
    const { service } = this.deps;
    const uid = d.metadata.uid;
    const out: ReplicaSet[] = [];
    for (const rs of service.list(this.replicaSets, d.metadata.namespace).items as ReplicaSet[]) {
      const ref = controllerOf(rs);
      const matches = selectorMatches(d.spec.selector, rs.metadata.labels);
      if (ref) {
        if (ref.uid !== uid) continue;
        if (matches) out.push(rs);
        else if (!d.metadata.deletionTimestamp) this.mutateRS(rs, (o) => {
          const refs = (o.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
          if (refs.length) o.metadata.ownerReferences = refs;
          else delete o.metadata.ownerReferences;
        });
        continue;
      }
      if (!matches || d.metadata.deletionTimestamp || rs.metadata.deletionTimestamp) continue;
      const adopted = this.mutateRS(rs, (o) => {
        o.metadata.ownerReferences = [...(o.metadata.ownerReferences ?? []), controllerRef(d)];
      });
      if (adopted) out.push(adopted);
    }
    return out;
  }

  private mutateRS(rs: KObject, change: (o: ReplicaSet) => void): ReplicaSet | undefined {
    try {
      return this.deps.service.mutate(this.replicaSets, rs.metadata.namespace, rs.metadata.name ?? "", (o) => change(o as ReplicaSet)) as ReplicaSet | undefined;
    } catch {
      return undefined;
    }
  }

  // --- new and old ReplicaSets ---------------------------------------------

  /** Split into the ReplicaSet running the current template (the oldest such) and the others; sync revisions. */
  private getAllReplicaSetsAndSyncRevision(d: Deployment, sets: ReplicaSet[], createIfMissing: boolean): { newRS?: ReplicaSet; oldRSs: ReplicaSet[] } {
    const sorted = [...sets].sort(byCreation);
    const existing = sorted.find((rs) => equalIgnoreHash(rs.spec.template, d.spec.template));
    const oldRSs = sorted.filter((rs) => rs !== existing);
    const newRS = this.getNewReplicaSet(d, existing, oldRSs, createIfMissing);
    return { newRS, oldRSs };
  }

  private getNewReplicaSet(d: Deployment, existing: ReplicaSet | undefined, oldRSs: ReplicaSet[], createIfMissing: boolean): ReplicaSet | undefined {
    const maxOld = Math.max(0, ...oldRSs.map(revisionOf));
    const newRevision = String(maxOld + 1);
    if (existing) {
      let rs = existing;
      const copy = structuredClone(existing);
      const annotationsChanged = setNewReplicaSetAnnotations(d, copy, newRevision, true);
      const minReadyChanged = (copy.spec.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0);
      if (annotationsChanged || minReadyChanged) {
        if (minReadyChanged) {
          if (d.spec.minReadySeconds) copy.spec.minReadySeconds = d.spec.minReadySeconds;
          else delete copy.spec.minReadySeconds;
        }
        rs = this.updateRS(copy) ?? rs;
      }
      const revision = rs.metadata.annotations?.[REVISION] ?? "";
      this.setDeploymentRevision(d, revision);
      if (!this.condition(d, "Progressing")) {
        this.writeStatus(d, (status) => setCondition(status, this.newCondition("Progressing", "True", "FoundNewReplicaSet", `Found new replica set "${rs.metadata.name ?? ""}"`)));
      }
      return rs;
    }
    if (!createIfMissing) return undefined;
    const collisionCount = d.status?.collisionCount;
    const hash = computeHash(d.spec.template, collisionCount);
    const template = structuredClone(d.spec.template ?? {});
    template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [POD_TEMPLATE_HASH]: hash } };
    const selector = structuredClone(d.spec.selector ?? {});
    selector.matchLabels = { ...selector.matchLabels, [POD_TEMPLATE_HASH]: hash };
    const rs: ReplicaSet = {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: {
        name: `${d.metadata.name ?? ""}-${hash}`,
        namespace: d.metadata.namespace,
        labels: { ...template.metadata.labels },
        ownerReferences: [controllerRef(d)],
      },
      spec: { replicas: 0, ...(d.spec.minReadySeconds ? { minReadySeconds: d.spec.minReadySeconds } : {}), selector, template },
    };
    rs.spec.replicas = newRSNewReplicas(d, [...oldRSs, rs], rs);
    setNewReplicaSetAnnotations(d, rs, newRevision, false);
    let createdRS: ReplicaSet;
    try {
      createdRS = this.deps.service.create(this.replicaSets, d.metadata.namespace, rs) as ReplicaSet;
    } catch (error) {
      const clash = this.deps.service.find(this.replicaSets, d.metadata.namespace, rs.metadata.name ?? "") as ReplicaSet | undefined;
      if (clash && controllerOf(clash)?.uid === d.metadata.uid && equalIgnoreHash(clash.spec.template, d.spec.template)) return clash;
      if (clash) {
        // A hash collision: bump collisionCount and try again on the next pass.
        this.writeStatus(d, (status) => {
          status.collisionCount = (status.collisionCount ?? 0) + 1;
        });
        return undefined;
      }
      const message = `Failed to create new replica set "${rs.metadata.name ?? ""}": ${(error as Error).message}`;
      this.deps.recorder.record(d, { type: "Warning", reason: "FailedCreate", message, component: COMPONENT });
      this.writeStatus(d, (status) => setCondition(status, this.newCondition("Progressing", "False", "ReplicaSetCreateError", message)));
      return undefined;
    }
    if (replicasOf(createdRS) > 0) {
      this.deps.recorder.record(d, { type: "Normal", reason: "ScalingReplicaSet", message: `Scaled up replica set ${createdRS.metadata.name ?? ""} from 0 to ${replicasOf(createdRS)}`, component: COMPONENT });
    }
    this.setDeploymentRevision(d, newRevision);
    this.writeStatus(d, (status) => setCondition(status, this.newCondition("Progressing", "True", "NewReplicaSetCreated", `Created new replica set "${createdRS.metadata.name ?? ""}"`)));
    return createdRS;
  }

  private updateRS(rs: ReplicaSet): ReplicaSet | undefined {
    try {
      return this.deps.service.update(this.replicaSets, rs.metadata.namespace, rs.metadata.name ?? "", rs) as ReplicaSet;
    } catch {
      return undefined;
    }
  }

  /** The Deployment's own revision annotation (upstream writes it with the status). */
  private setDeploymentRevision(d: Deployment, revision: string): void {
    const current = this.fresh(d);
    if (!revision || current.metadata.annotations?.[REVISION] === revision) return;
    try {
      this.deps.service.mutate(this.deployments, d.metadata.namespace, d.metadata.name ?? "", (o) => {
        o.metadata.annotations = { ...o.metadata.annotations, [REVISION]: revision };
      }, { subresource: "status" });
    } catch {
      // Deleted meanwhile.
    }
  }

  // --- scaling ---------------------------------------------------------------

  private isScalingEvent(d: Deployment, sets: ReplicaSet[]): boolean {
    const { newRS, oldRSs } = this.getAllReplicaSetsAndSyncRevision(d, sets, false);
    for (const rs of active([...oldRSs, newRS])) {
      const desired = Number.parseInt(rs.metadata.annotations?.[DESIRED_REPLICAS] ?? "", 10);
      if (Number.isNaN(desired)) continue;
      if (desired !== replicasOf(d)) return true;
    }
    return false;
  }

  /** Scaling without a rollout (paused, or spec.replicas changed mid-rollout): proportional across active ReplicaSets. */
  private sync(d: Deployment, sets: ReplicaSet[]): void {
    const { newRS, oldRSs } = this.getAllReplicaSetsAndSyncRevision(d, sets, false);
    this.scale(d, newRS, oldRSs);
    if (d.spec.paused) this.cleanup(d, this.refreshAll(oldRSs));
    this.syncDeploymentStatus(d, this.refreshAll([...oldRSs, newRS]), this.refresh(newRS));
  }

  private syncStatusOnly(d: Deployment, sets: ReplicaSet[]): void {
    const { newRS, oldRSs } = this.getAllReplicaSetsAndSyncRevision(d, sets, false);
    this.syncDeploymentStatus(d, [...oldRSs, newRS], newRS);
  }

  private scale(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): void {
    const desired = replicasOf(d);
    const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
    if (activeOrLatest) {
      if (replicasOf(activeOrLatest) !== desired) this.scaleAndRecord(activeOrLatest, desired, d);
      return;
    }
    if (isSaturated(d, newRS)) {
      for (const old of active(oldRSs)) this.scaleAndRecord(old, 0, d);
      return;
    }
    if (!isRolling(d)) return;
    const all = active([...oldRSs, newRS]);
    const allowed = desired > 0 ? desired + maxSurge(d) : 0;
    const toAdd = allowed - specReplicas(all);
    let operation = "";
    if (toAdd > 0) {
      all.sort((a, b) => replicasOf(b) - replicasOf(a) || created(b) - created(a));
      operation = "up";
    } else if (toAdd < 0) {
      all.sort((a, b) => replicasOf(b) - replicasOf(a) || created(a) - created(b));
      operation = "down";
    }
    let added = 0;
    const sizes = new Map<ReplicaSet, number>();
    for (const rs of all) {
      if (toAdd !== 0) {
        const proportion = getProportion(rs, d, toAdd, added);
        sizes.set(rs, replicasOf(rs) + proportion);
        added += proportion;
      } else sizes.set(rs, replicasOf(rs));
    }
    all.forEach((rs, i) => {
      if (i === 0 && toAdd !== 0) sizes.set(rs, Math.max(0, (sizes.get(rs) ?? 0) + toAdd - added));
      this.scaleRS(rs, sizes.get(rs) ?? 0, d, operation);
    });
  }

  private scaleAndRecord(rs: ReplicaSet, size: number, d: Deployment): boolean {
    if (replicasOf(rs) === size) return false;
    return this.scaleRS(rs, size, d, replicasOf(rs) < size ? "up" : "down");
  }

  private scaleRS(rs: ReplicaSet, size: number, d: Deployment, operation: string): boolean {
    const desired = replicasOf(d);
    const max = desired + maxSurge(d);
    const sizeChanged = replicasOf(rs) !== size;
    const annotations = rs.metadata.annotations ?? {};
    const annotationsChanged = annotations[DESIRED_REPLICAS] !== String(desired) || annotations[MAX_REPLICAS] !== String(max);
    if (!sizeChanged && !annotationsChanged) return false;
    const from = replicasOf(rs);
    const copy = structuredClone(rs);
    copy.spec.replicas = size;
    copy.metadata.annotations = { ...copy.metadata.annotations, [DESIRED_REPLICAS]: String(desired), [MAX_REPLICAS]: String(max) };
    const updated = this.updateRS(copy);
    if (!updated || !sizeChanged) return false;
    this.deps.recorder.record(d, { type: "Normal", reason: "ScalingReplicaSet", message: `Scaled ${operation} replica set ${rs.metadata.name ?? ""} from ${from} to ${size}`, component: COMPONENT });
    return true;
  }

  // --- strategies ------------------------------------------------------------

  private rolloutRolling(d: Deployment, sets: ReplicaSet[]): void {
    const found = this.getAllReplicaSetsAndSyncRevision(d, sets, true);
    const newRS = found.newRS;
    let oldRSs = found.oldRSs;
    if (!newRS) return;
    const all = (): ReplicaSet[] => this.refreshAll([...oldRSs, newRS]);
    if (this.reconcileNewReplicaSet(d, [...oldRSs, newRS], newRS)) return this.syncRolloutStatus(d, all(), this.refresh(newRS));
    const fresh = this.refresh(newRS) ?? newRS;
    if (this.reconcileOldReplicaSets(d, [...oldRSs, fresh], active(oldRSs), fresh)) return this.syncRolloutStatus(d, all(), this.refresh(newRS));
    if (deploymentComplete(d, d.status ?? {})) {
      this.cleanup(d, oldRSs);
      oldRSs = this.refreshAll(oldRSs);
    }
    this.syncRolloutStatus(d, all(), this.refresh(newRS));
  }

  private reconcileNewReplicaSet(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet): boolean {
    const desired = replicasOf(d);
    if (replicasOf(newRS) === desired) return false;
    if (replicasOf(newRS) > desired) return this.scaleAndRecord(newRS, desired, d);
    return this.scaleAndRecord(newRS, newRSNewReplicas(d, all, newRS), d);
  }

  private reconcileOldReplicaSets(d: Deployment, all: ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet): boolean {
    const oldPods = specReplicas(oldRSs);
    if (oldPods === 0) return false;
    const minAvailable = replicasOf(d) - maxUnavailable(d);
    const newUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
    const maxScaledDown = specReplicas(all) - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;
    // Unhealthy old pods go first, or they would block the rollout forever.
    const sorted = [...oldRSs].sort(byCreation);
    let cleaned = 0;
    for (let i = 0; i < sorted.length; i++) {
      const rs = sorted[i] as ReplicaSet;
      if (cleaned >= maxScaledDown) break;
      const replicas = replicasOf(rs);
      const available = rs.status?.availableReplicas ?? 0;
      if (replicas === 0 || replicas === available) continue;
      const down = Math.min(maxScaledDown - cleaned, replicas - available);
      this.scaleAndRecord(rs, replicas - down, d);
      cleaned += down;
      sorted[i] = this.refresh(rs) ?? rs;
    }
    // Then scale down as far as availability allows.
    const availableNow = availableReplicas([...sorted, newRS]);
    let scaledDown = 0;
    if (availableNow > minAvailable) {
      const total = availableNow - minAvailable;
      for (const rs of sorted) {
        if (scaledDown >= total) break;
        if (replicasOf(rs) === 0) continue;
        const down = Math.min(replicasOf(rs), total - scaledDown);
        this.scaleAndRecord(rs, replicasOf(rs) - down, d);
        scaledDown += down;
      }
    }
    return cleaned + scaledDown > 0;
  }

  private rolloutRecreate(d: Deployment, sets: ReplicaSet[]): void {
    let { newRS, oldRSs } = this.getAllReplicaSetsAndSyncRevision(d, sets, false);
    let scaledDown = false;
    for (const rs of active(oldRSs)) scaledDown = this.scaleAndRecord(rs, 0, d) || scaledDown;
    if (scaledDown) return this.syncRolloutStatus(d, this.refreshAll([...oldRSs, newRS]), this.refresh(newRS));
    if (this.oldPodsRunning(newRS, oldRSs)) return this.syncRolloutStatus(d, this.refreshAll([...oldRSs, newRS]), this.refresh(newRS));
    if (!newRS) ({ newRS, oldRSs } = this.getAllReplicaSetsAndSyncRevision(d, this.claimReplicaSets(d), true));
    if (newRS) this.scaleAndRecord(newRS, replicasOf(d), d);
    if (deploymentComplete(d, d.status ?? {})) this.cleanup(d, oldRSs);
    this.syncRolloutStatus(d, this.refreshAll([...oldRSs, newRS]), this.refresh(newRS));
  }

  private oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): boolean {
    if (actualReplicas(oldRSs) > 0) return true;
    const oldUids = new Set(oldRSs.map((rs) => rs.metadata.uid));
    const namespace = newRS?.metadata.namespace ?? oldRSs[0]?.metadata.namespace;
    return (this.deps.service.list(this.pods, namespace).items as Pod[]).some((p) => {
      const uid = controllerOf(p)?.uid;
      if (!uid || !oldUids.has(uid)) return false;
      const phase = p.status?.phase;
      return phase !== "Failed" && phase !== "Succeeded";
    });
  }

  /** Delete old, empty ReplicaSets beyond revisionHistoryLimit, lowest revisions first. */
  private cleanup(d: Deployment, oldRSs: ReplicaSet[]): void {
    const limit = d.spec.revisionHistoryLimit;
    if (limit === undefined) return;
    const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
    const diff = cleanable.length - limit;
    if (diff <= 0) return;
    cleanable.sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
    for (const rs of cleanable.slice(0, diff)) {
      if ((rs.status?.replicas ?? 0) !== 0 || replicasOf(rs) !== 0 || (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      try {
        this.deps.service.delete(this.replicaSets, rs.metadata.namespace, rs.metadata.name ?? "");
      } catch {
        // Already gone.
      }
    }
  }

  // --- status ----------------------------------------------------------------

  private refresh(rs: ReplicaSet | undefined): ReplicaSet | undefined {
    if (!rs) return undefined;
    return this.deps.service.find(this.replicaSets, rs.metadata.namespace, rs.metadata.name ?? "") as ReplicaSet | undefined;
  }

  private refreshAll(sets: (ReplicaSet | undefined)[]): ReplicaSet[] {
    return sets.map((rs) => this.refresh(rs)).filter((rs): rs is ReplicaSet => !!rs);
  }

  private condition(d: Deployment, type: string): DeploymentCondition | undefined {
    return this.fresh(d).status?.conditions?.find((c) => c.type === type);
  }

  private newCondition(type: string, status: DeploymentCondition["status"], reason: string, message: string): DeploymentCondition {
    const now = timestamp(this.deps.clock.now());
    return { type, status, lastUpdateTime: now, lastTransitionTime: now, reason, message };
  }

  private writeStatus(d: Deployment, change: (status: DeploymentStatus) => void): void {
    try {
      this.deps.service.mutate(this.deployments, d.metadata.namespace, d.metadata.name ?? "", (o) => {
        const status = ((o as Deployment).status ??= {});
        change(status);
      }, { subresource: "status" });
    } catch {
      // Deleted meanwhile.
    }
  }

  /** Progressing Unknown DeploymentPaused / DeploymentResumed when spec.paused flips. */
  private checkPausedConditions(d: Deployment): Deployment {
    if (d.spec.progressDeadlineSeconds === undefined) return d;
    const cond = d.status?.conditions?.find((c) => c.type === "Progressing");
    if (cond?.reason === "ProgressDeadlineExceeded") return d;
    const pausedCond = cond?.reason === "DeploymentPaused";
    if (d.spec.paused && !pausedCond) this.writeStatus(d, (s) => setCondition(s, this.newCondition("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused")));
    else if (!d.spec.paused && pausedCond) this.writeStatus(d, (s) => setCondition(s, this.newCondition("Progressing", "Unknown", "DeploymentResumed", "Deployment is resumed")));
    else return d;
    return this.fresh(d);
  }

  private calculateStatus(d: Deployment, all: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): DeploymentStatus {
    const available = availableReplicas(all);
    const total = specReplicas(all);
    const status: DeploymentStatus = {
      observedGeneration: d.metadata.generation,
      replicas: actualReplicas(all),
      updatedReplicas: actualReplicas([newRS]),
      readyReplicas: readyReplicas(all),
      availableReplicas: available,
      unavailableReplicas: Math.max(0, total - available),
      conditions: structuredClone(d.status?.conditions ?? []),
      collisionCount: d.status?.collisionCount,
    };
    if (available >= replicasOf(d) - maxUnavailable(d)) setCondition(status, this.newCondition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability."));
    else setCondition(status, this.newCondition("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability."));
    return status;
  }

  private syncDeploymentStatus(d: Deployment, all: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): void {
    const current = this.fresh(d);
    const status = this.calculateStatus(current, all, newRS);
    this.storeStatus(current, status);
  }

  private syncRolloutStatus(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet | undefined): void {
    const current = this.fresh(d);
    const status = this.calculateStatus(current, all, newRS);
    const hasDeadline = current.spec.progressDeadlineSeconds !== undefined;
    if (!hasDeadline) status.conditions = status.conditions?.filter((c) => c.type !== "Progressing");
    const cond = current.status?.conditions?.find((c) => c.type === "Progressing");
    const complete = status.replicas === status.updatedReplicas && cond?.reason === "NewReplicaSetAvailable";
    const rsName = newRS?.metadata.name;
    if (hasDeadline && !complete) {
      if (deploymentComplete(current, status)) {
        setCondition(status, this.newCondition("Progressing", "True", "NewReplicaSetAvailable", rsName ? `ReplicaSet "${rsName}" has successfully progressed.` : `Deployment "${current.metadata.name ?? ""}" has successfully progressed.`));
      } else if (deploymentProgressing(current, status)) {
        const next = this.newCondition("Progressing", "True", "ReplicaSetUpdated", rsName ? `ReplicaSet "${rsName}" is progressing.` : `Deployment "${current.metadata.name ?? ""}" is progressing.`);
        if (cond) {
          if (cond.status === "True" && cond.lastTransitionTime) next.lastTransitionTime = cond.lastTransitionTime;
          status.conditions = status.conditions?.filter((c) => c.type !== "Progressing");
        }
        setCondition(status, next);
      } else if (this.timedOut(current, status)) {
        setCondition(status, this.newCondition("Progressing", "False", "ProgressDeadlineExceeded", rsName ? `ReplicaSet "${rsName}" has timed out progressing.` : `Deployment "${current.metadata.name ?? ""}" has timed out progressing.`));
      }
    }
    const failure = all.concat(newRS ? [newRS] : []).flatMap((rs) => rs.status?.conditions ?? []).find((c) => c.type === "ReplicaFailure" && c.status === "True");
    if (failure) setCondition(status, { type: "ReplicaFailure", status: "True", lastUpdateTime: timestamp(this.deps.clock.now()), lastTransitionTime: failure.lastTransitionTime ?? timestamp(this.deps.clock.now()), reason: failure.reason, message: failure.message });
    else status.conditions = status.conditions?.filter((c) => c.type !== "ReplicaFailure");
    if (!this.storeStatus(current, status)) this.requeueStuck(current, status);
  }

  private timedOut(d: Deployment, status: DeploymentStatus): boolean {
    const cond = status.conditions?.find((c) => c.type === "Progressing");
    if (!cond || cond.reason === "NewReplicaSetAvailable") return false;
    if (cond.reason === "ProgressDeadlineExceeded") return true;
    const from = timeOf(cond.lastUpdateTime);
    return from + (d.spec.progressDeadlineSeconds ?? 0) * 1000 < this.deps.clock.now();
  }

  /** Come back when the progress deadline would pass, as upstream's requeueStuckDeployment. */
  private requeueStuck(d: Deployment, status: DeploymentStatus): void {
    const cond = d.status?.conditions?.find((c) => c.type === "Progressing");
    if (d.spec.progressDeadlineSeconds === undefined || !cond) return;
    if (deploymentComplete(d, status) || cond.reason === "ProgressDeadlineExceeded") return;
    const after = timeOf(cond.lastUpdateTime) + d.spec.progressDeadlineSeconds * 1000 - this.deps.clock.now();
    this.queue.addAfter(`${d.metadata.namespace ?? ""}/${d.metadata.name ?? ""}`, Math.max(after, 0) + 1000);
  }

  /** Write the status if it changed; false when nothing was new. */
  private storeStatus(d: Deployment, status: DeploymentStatus): boolean {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(status)) if (v !== undefined && !(k === "conditions" && (v as unknown[]).length === 0)) out[k] = v;
    // Zero counts are omitted, as upstream's omitempty does.
    for (const k of ["replicas", "updatedReplicas", "readyReplicas", "availableReplicas", "unavailableReplicas"]) if (out[k] === 0) delete out[k];
    if (JSON.stringify(canonical(out)) === JSON.stringify(canonical(d.status ?? {}))) return false;
    this.writeStatus(d, (s) => {
      for (const key of Object.keys(s)) delete (s as Record<string, unknown>)[key];
      Object.assign(s, out);
    });
    return true;
  }
}

// --- upstream's deployment util, pure ----------------------------------------

function setCondition(status: DeploymentStatus, condition: DeploymentCondition): void {
  const conditions = status.conditions ?? [];
  const current = conditions.find((c) => c.type === condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return;
  if (current && current.status === condition.status) condition.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...conditions.filter((c) => c.type !== condition.type), condition];
}

/** Copy annotations, raise the revision (remembering the old one in revision-history); replicas annotations on create. */
function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: string, exists: boolean): boolean {
  const annotations = { ...rs.metadata.annotations };
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (NOT_COPIED.has(k) || annotations[k] === v) continue;
    annotations[k] = v;
    changed = true;
  }
  const oldRevision = annotations[REVISION];
  const oldNumber = Number.parseInt(oldRevision ?? "", 10);
  if (Number.isNaN(oldNumber) || oldNumber < Number(newRevision)) {
    annotations[REVISION] = newRevision;
    changed = true;
    if (oldRevision) {
      const history = annotations[REVISION_HISTORY];
      annotations[REVISION_HISTORY] = history ? `${history},${oldRevision}` : oldRevision;
    }
  }
  if (!exists) {
    annotations[DESIRED_REPLICAS] = String(replicasOf(d));
    annotations[MAX_REPLICAS] = String(replicasOf(d) + maxSurge(d));
    changed = true;
  }
  rs.metadata.annotations = annotations;
  return changed;
}

function newRSNewReplicas(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet): number {
  const desired = replicasOf(d);
  if (!isRolling(d)) return desired;
  const surge = scaledValue(d.spec.strategy?.rollingUpdate?.maxSurge ?? 0, desired, true);
  const current = specReplicas(all);
  const maxTotal = desired + surge;
  if (current >= maxTotal) return replicasOf(newRS);
  return replicasOf(newRS) + Math.min(maxTotal - current, desired - replicasOf(newRS));
}

function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && !oldRSs.length) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreation(b, a));
  const all = active([...newestFirst, newRS]);
  if (all.length === 0) return newRS ?? newestFirst[0];
  if (all.length === 1) return all[0];
  return undefined;
}

function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = Number.parseInt(rs.metadata.annotations?.[DESIRED_REPLICAS] ?? "", 10);
  return replicasOf(rs) === replicasOf(d) && desired === replicasOf(d) && (rs.status?.availableReplicas ?? 0) === replicasOf(d);
}

function getProportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if (replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  let fraction: number;
  if (replicasOf(d) === 0) fraction = -replicasOf(rs);
  else {
    const deploymentReplicas = replicasOf(d) + maxSurge(d);
    const annotated = Number.parseInt(rs.metadata.annotations?.[MAX_REPLICAS] ?? "", 10);
    const base = Number.isNaN(annotated) ? (d.status?.replicas ?? 0) : annotated;
    fraction = base ? roundHalfAway((replicasOf(rs) * deploymentReplicas) / base) - replicasOf(rs) : 0;
  }
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

function deploymentComplete(d: Deployment, status: DeploymentStatus): boolean {
  const desired = replicasOf(d);
  return (status.updatedReplicas ?? 0) === desired && (status.replicas ?? 0) === desired && (status.availableReplicas ?? 0) === desired && (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

function deploymentProgressing(d: Deployment, status: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (status.replicas ?? 0) - (status.updatedReplicas ?? 0);
  return (status.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld || (status.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (status.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}
