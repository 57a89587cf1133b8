// The StatefulSet controller, after upstream's pkg/controller/statefulset:
// pods `<set>-0 .. <set>-(N-1)` with stable hostname/subdomain, one claim per
// volumeClaimTemplate and ordinal (`<template>-<set>-<i>`, kept when the pod
// goes), OrderedReady (the next ordinal only once every earlier one is Running
// and available; scale down from the highest ordinal, one at a time) or
// Parallel management. Each template is a ControllerRevision `<set>-<hash>`
// (controller-revisions.ts); pods carry its name in `controller-revision-hash`,
// status.currentRevision/updateRevision name the old and new one, and
// RollingUpdate deletes pods from the highest ordinal down to the partition,
// one at a time, while OnDelete waits for someone to delete them.
import type { Clock } from "../../clock";
import type { ResourceService } from "../apiserver/service";
import type { Registry, ResourceType } from "../registry";
import type { LabelSelector, PodTemplate } from "../registry/workload";
import type { Watch } from "../store/store";
import type { KObject, Pod } from "../types";
import { ControllerHistory, REVISION_HASH, revisionTemplate, type ControllerRevision } from "./controller-revisions";
import type { EventRecorder } from "./events";
import { controllerOf, controllerRef, isPodReady, podAvailability, selectorMatches } from "./ownership";
import { WorkQueue } from "./workqueue";

const COMPONENT = "statefulset-controller";

export interface StatefulSet extends KObject {
  spec?: {
    replicas?: number;
    serviceName?: string;
    selector?: LabelSelector;
    template?: PodTemplate;
    podManagementPolicy?: string;
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
    updateStrategy?: { type?: string; rollingUpdate?: { partition?: number; maxUnavailable?: number | string } };
    volumeClaimTemplates?: KObject[];
    persistentVolumeClaimRetentionPolicy?: { whenDeleted?: string; whenScaled?: string };
    [field: string]: unknown;
  };
  status?: Record<string, unknown> & { collisionCount?: number; currentRevision?: string; currentReplicas?: number };
}

export interface StatefulSetControllerDeps {
  service: ResourceService;
  registry: Registry;
  recorder: EventRecorder;
  clock: Clock;
}

/** The revisions of one sync: `current` is what pods below the partition run, `update` the set's template now. */
interface Revisions {
  current: ControllerRevision;
  currentName: string;
  updateName: string;
}

/** StatefulSetStatus as the controller computes it (key order = what is stored). */
interface ReplicaStatus {
  observedGeneration: number;
  replicas: number;
  readyReplicas: number;
  currentReplicas: number;
  updatedReplicas: number;
  currentRevision: string;
  updateRevision: string;
  collisionCount: number;
  availableReplicas: number;
}

/** The earliest clock delay after which a sync should look again (a pod turning available). */
class Wait {
  ms: number | undefined;

  at(ms: number | undefined): void {
    if (ms !== undefined) this.ms = Math.min(this.ms ?? Infinity, ms);
  }
}

const keyOf = (o: KObject): string => `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;
const isTerminal = (pod: Pod): boolean => pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
const runningAndReady = (pod: Pod): boolean => pod.status?.phase === "Running" && isPodReady(pod);
const healthy = (pod: Pod): boolean => runningAndReady(pod) && !pod.metadata.deletionTimestamp;

/** The ordinal of `<set>-<n>`, or -1. */
export function ordinalOf(set: string, podName: string | undefined): number {
  const m = /^(.*)-(\d+)$/.exec(podName ?? "");
  return m && m[1] === set ? Number(m[2]) : -1;
}

/** Upstream's updateStatus over existing pods: terminating ones count as replicas, not as current or updated. */
function replicaStatus(set: StatefulSet, revs: Revisions, pods: Pod[], now: number, wait: Wait): ReplicaStatus {
  const status: ReplicaStatus = {
    observedGeneration: set.metadata.generation ?? 1,
    replicas: 0,
    readyReplicas: 0,
    currentReplicas: 0,
    updatedReplicas: 0,
    currentRevision: revs.currentName,
    updateRevision: revs.updateName,
    collisionCount: 0,
    availableReplicas: 0,
  };
  for (const pod of pods) {
    status.replicas++;
    if (runningAndReady(pod)) {
      status.readyReplicas++;
      const availability = podAvailability(pod, set.spec?.minReadySeconds ?? 0, now);
      if (availability.available) status.availableReplicas++;
      // availableReplicas changes with time alone: look again then.
      else wait.at(availability.wait);
    }
    if (pod.metadata.deletionTimestamp) continue;
    const revision = pod.metadata.labels?.[REVISION_HASH];
    if (revision === revs.currentName) status.currentReplicas++;
    if (revision === revs.updateName) status.updatedReplicas++;
  }
  return status;
}

export class StatefulSetController {
  private readonly queue: WorkQueue;
  private readonly setType: ResourceType;
  private readonly podType: ResourceType;
  private readonly claimType: ResourceType;
  private readonly history: ControllerHistory;
  private watches: Watch[] = [];

  constructor(private readonly deps: StatefulSetControllerDeps) {
    this.setType = deps.registry.find("apps", "v1", "statefulsets") as ResourceType;
    this.podType = deps.registry.find("", "v1", "pods") as ResourceType;
    this.claimType = deps.registry.find("", "v1", "persistentvolumeclaims") as ResourceType;
    this.history = new ControllerHistory(deps.service, deps.registry);
    this.queue = new WorkQueue(deps.clock, (key) => this.reconcile(key));
  }

  start(): void {
    const { store } = this.deps.service;
    this.watches.push(
      store.watch(this.deps.registry.key(this.setType), undefined, (event) => this.queue.add(keyOf(event.object))),
      store.watch(this.deps.registry.key(this.podType), undefined, (event) => this.dependentChanged(event.object, event.previous)),
      store.watch(this.deps.registry.key(this.history.type), undefined, (event) => this.dependentChanged(event.object, event.previous)),
    );
    for (const set of this.deps.service.list(this.setType, undefined).items) this.queue.add(keyOf(set));
  }

  stop(): void {
    for (const w of this.watches) w.stop();
    this.watches = [];
    this.queue.dispose();
  }

  /** A pod or revision changed: its StatefulSet, or for an orphan every StatefulSet that may adopt it. */
  private dependentChanged(object: KObject, previous: KObject | undefined): void {
    for (const o of previous ? [object, previous] : [object]) {
      const ref = controllerOf(o);
      if (ref?.kind === "StatefulSet") this.queue.add(`${o.metadata.namespace ?? ""}/${ref.name}`);
      else if (!ref) {
        for (const set of this.deps.service.list(this.setType, o.metadata.namespace).items as StatefulSet[]) {
          if (selectorMatches(set.spec?.selector, o.metadata.labels)) this.queue.add(keyOf(set));
        }
      }
    }
  }

  /** Upstream's UpdateStatefulSet: revisions, the pods, status, then the history limit. */
  private reconcile(key: string): void {
    const [namespace, name] = key.split("/") as [string, string];
    const set: StatefulSet | undefined = this.deps.service.find(this.setType, namespace, name);
    if (!set) return;
    const pods = this.claimPods(set);
    const revisions = this.history.claim(set);
    const { revision: update, collisionCount } = this.history.revisionFor(set, revisions, set.status?.collisionCount ?? 0);
    const current = revisions.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
    const revs: Revisions = { current, currentName: current.metadata.name ?? "", updateName: update.metadata.name ?? "" };
    const wait = new Wait();
    const status = this.updateStatefulSet(set, revs, pods, wait);
    status.collisionCount = collisionCount;
    this.writeStatus(set, status);
    this.truncateHistory(set, pods, revisions, revs);
    if (wait.ms !== undefined) this.queue.addAfter(key, wait.ms);
  }

  private claimPods(set: StatefulSet): Pod[] {
    const uid = set.metadata.uid;
    const out: Pod[] = [];
    for (const pod of this.deps.service.list(this.podType, set.metadata.namespace).items as Pod[]) {
      const ref = controllerOf(pod);
      if (ref) {
        if (ref.uid === uid) out.push(pod);
        continue;
      }
      if (set.metadata.deletionTimestamp || ordinalOf(set.metadata.name ?? "", pod.metadata.name) < 0 || !selectorMatches(set.spec?.selector, pod.metadata.labels)) continue;
      try {
        const adopted = this.deps.service.mutate(this.podType, pod.metadata.namespace, pod.metadata.name ?? "", (p) => {
          p.metadata.ownerReferences = [...(p.metadata.ownerReferences ?? []), controllerRef(set)];
        }) as Pod | undefined;
        if (adopted) out.push(adopted);
      } catch {
        // Gone meanwhile.
      }
    }
    return out;
  }

  /** Running, Ready for minReadySeconds and not terminating; `wait` learns when a ready pod will be available. */
  private runningAndAvailable(set: StatefulSet, pod: Pod, wait: Wait): boolean {
    if (!runningAndReady(pod)) return false;
    const a = podAvailability(pod, set.spec?.minReadySeconds ?? 0, this.deps.clock.now());
    wait.at(a.wait);
    return a.available;
  }

  /**
   * Upstream's updateStatefulSet: create missing ordinals (below the partition
   * from the current revision), replace finished pods, remove condemned
   * ordinals highest first, then (RollingUpdate) delete the highest pod not at
   * the update revision, down to the partition, one at a time. OrderedReady
   * stops at the first pod that is not yet Running and available.
   */
  private updateStatefulSet(set: StatefulSet, revs: Revisions, pods: Pod[], wait: Wait): ReplicaStatus {
    const name = set.metadata.name ?? "";
    const replicaCount = set.spec?.replicas ?? 1;
    const replicas: (Pod | undefined)[] = Array.from({ length: replicaCount }, () => undefined);
    const condemned: Pod[] = [];
    for (const pod of pods) {
      const ordinal = ordinalOf(name, pod.metadata.name);
      if (ordinal >= 0 && ordinal < replicaCount) replicas[ordinal] = pod;
      else if (ordinal >= 0) condemned.push(pod);
    }
    condemned.sort((a, b) => ordinalOf(name, b.metadata.name) - ordinalOf(name, a.metadata.name));
    const status = replicaStatus(set, revs, [...replicas.filter((p) => p !== undefined), ...condemned], this.deps.clock.now(), wait);
    if (set.metadata.deletionTimestamp) return status;
    const monotonic = (set.spec?.podManagementPolicy ?? "OrderedReady") !== "Parallel";

    for (let ordinal = 0; ordinal < replicaCount; ordinal++) {
      const pod = replicas[ordinal];
      if (!pod) {
        this.createPod(set, ordinal, revs);
        if (monotonic) return status;
        continue;
      }
      if (isTerminal(pod)) {
        // Replaced once the deletion has gone through.
        if (!pod.metadata.deletionTimestamp) this.deletePod(set, pod);
        if (monotonic) return status;
        continue;
      }
      if (monotonic && (pod.metadata.deletionTimestamp || !this.runningAndAvailable(set, pod, wait))) return status;
    }

    // OrderedReady removes an unhealthy condemned pod only when it is the first unhealthy pod of all.
    const firstUnhealthy = replicas.every((p) => p && healthy(p)) ? condemned.find((p) => !healthy(p)) : undefined;
    for (const pod of condemned) {
      if (pod.metadata.deletionTimestamp) {
        if (monotonic) return status;
        continue;
      }
      if (monotonic && pod !== firstUnhealthy && !this.runningAndAvailable(set, pod, wait)) return status;
      this.deletePod(set, pod);
      if (monotonic) return status;
    }

    if ((set.spec?.updateStrategy?.type ?? "RollingUpdate") !== "RollingUpdate") return status;
    const partition = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
    for (let ordinal = replicaCount - 1; ordinal >= partition; ordinal--) {
      const pod = replicas[ordinal];
      if (!pod) return status;
      if (pod.metadata.labels?.[REVISION_HASH] !== revs.updateName && !pod.metadata.deletionTimestamp) {
        this.deletePod(set, pod);
        status.currentReplicas--;
        return status;
      }
      if (!healthy(pod)) return status;
    }
    return status;
  }

  /** Non-live revisions beyond revisionHistoryLimit go, oldest first (live: current, update, any pod's). */
  private truncateHistory(set: StatefulSet, pods: Pod[], revisions: ControllerRevision[], revs: Revisions): void {
    const live = new Set([revs.currentName, revs.updateName, ...pods.map((p) => p.metadata.labels?.[REVISION_HASH] ?? "")]);
    const historic = revisions.filter((r) => !live.has(r.metadata.name ?? ""));
    this.history.deleteOldest(historic, historic.length - (set.spec?.revisionHistoryLimit ?? 10));
  }

  private claimName(template: KObject, set: StatefulSet, ordinal: number): string {
    return `${template.metadata.name ?? ""}-${set.metadata.name ?? ""}-${ordinal}`;
  }

  /** Upstream's newVersionedStatefulSetPod: below the partition a new pod is made at the current revision, else at the update revision. */
  private createPod(set: StatefulSet, ordinal: number, revs: Revisions): void {
    const { service, recorder } = this.deps;
    const setName = set.metadata.name ?? "";
    const podName = `${setName}-${ordinal}`;
    const namespace = set.metadata.namespace;
    const strategy = set.spec?.updateStrategy;
    const keptBack = (strategy?.type ?? "RollingUpdate") === "RollingUpdate" && ordinal < (strategy?.rollingUpdate ? (strategy.rollingUpdate.partition ?? 0) : Number(set.status?.currentReplicas ?? 0));
    const revision = keptBack ? revs.currentName : revs.updateName;
    const template = (keptBack ? revisionTemplate(revs.current) : undefined) ?? set.spec?.template ?? {};
    const spec = structuredClone(template.spec ?? { containers: [] }) as Record<string, unknown> & { volumes?: { name: string }[] };
    // Claims first, as upstream's createPersistentVolumeClaims.
    for (const claimTemplate of set.spec?.volumeClaimTemplates ?? []) {
      const claimName = this.claimName(claimTemplate, set, ordinal);
      if (!service.find(this.claimType, namespace, claimName)) {
        const retention = set.spec?.persistentVolumeClaimRetentionPolicy;
        const claim: KObject = {
          apiVersion: "v1",
          kind: "PersistentVolumeClaim",
          metadata: {
            name: claimName,
            labels: { ...set.spec?.selector?.matchLabels, ...(claimTemplate.metadata.labels ?? {}) },
            ...(claimTemplate.metadata.annotations ? { annotations: { ...claimTemplate.metadata.annotations } } : {}),
            ...(retention?.whenDeleted === "Delete" ? { ownerReferences: [{ ...controllerRef(set), controller: true }] } : {}),
          },
          spec: structuredClone(claimTemplate.spec ?? {}),
        };
        try {
          service.create(this.claimType, namespace, claim);
          recorder.record(set, { type: "Normal", reason: "SuccessfulCreate", message: `create Claim ${claimName} Pod ${podName} in StatefulSet ${setName} success`, component: COMPONENT });
        } catch (error) {
          recorder.record(set, { type: "Warning", reason: "FailedCreate", message: `create Claim ${claimName} for Pod ${podName} in StatefulSet ${setName} failed error: ${(error as Error).message}`, component: COMPONENT });
          return;
        }
      }
      const volumes = (spec.volumes ?? []).filter((v) => v.name !== claimTemplate.metadata.name);
      volumes.push({ name: claimTemplate.metadata.name ?? "", persistentVolumeClaim: { claimName } } as { name: string });
      spec.volumes = volumes;
    }
    spec.hostname = podName;
    if (set.spec?.serviceName) spec.subdomain = set.spec.serviceName;
    const pod: KObject = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: podName,
        labels: {
          ...template.metadata?.labels,
          "apps.kubernetes.io/pod-index": String(ordinal),
          [REVISION_HASH]: revision,
          "statefulset.kubernetes.io/pod-name": podName,
        },
        ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
        ownerReferences: [controllerRef(set)],
      },
      spec,
    };
    try {
      service.create(this.podType, namespace, pod);
      recorder.record(set, { type: "Normal", reason: "SuccessfulCreate", message: `create Pod ${podName} in StatefulSet ${setName} successful`, component: COMPONENT });
    } catch (error) {
      recorder.record(set, { type: "Warning", reason: "FailedCreate", message: `create Pod ${podName} in StatefulSet ${setName} failed error: ${(error as Error).message}`, component: COMPONENT });
    }
  }

  private deletePod(set: StatefulSet, pod: Pod): void {
    try {
      this.deps.service.delete(this.podType, pod.metadata.namespace, pod.metadata.name ?? "");
      this.deps.recorder.record(set, { type: "Normal", reason: "SuccessfulDelete", message: `delete Pod ${pod.metadata.name ?? ""} in StatefulSet ${set.metadata.name ?? ""} successful`, component: COMPONENT });
    } catch {
      // Gone already.
    }
  }

  /** Upstream's updateStatefulSetStatus: a finished rolling update makes the update revision current; written only when it changed. */
  private writeStatus(set: StatefulSet, computed: ReplicaStatus): void {
    const done = (set.spec?.updateStrategy?.type ?? "RollingUpdate") === "RollingUpdate" && computed.updatedReplicas === computed.replicas && computed.readyReplicas === computed.replicas;
    if (done) {
      computed.currentReplicas = computed.updatedReplicas;
      computed.currentRevision = computed.updateRevision;
    }
    const status: Record<string, unknown> = { ...computed };
    // Go's omitempty: these three are left out at zero.
    for (const k of ["readyReplicas", "currentReplicas", "updatedReplicas"]) if (status[k] === 0) delete status[k];
    if (JSON.stringify(status) === JSON.stringify(set.status ?? {})) return;
    try {
      this.deps.service.mutate(this.setType, set.metadata.namespace, set.metadata.name ?? "", (o) => {
        o.status = status;
      }, { subresource: "status" });
    } catch {
      // Deleted meanwhile.
    }
  }
}
