// The StatefulSet controller, after upstream's pkg/controller/statefulset:
// pods `<set>-0 .. <set>-(N-1)` with stable hostname/subdomain, one claim per
// volumeClaimTemplate and ordinal (`<template>-<set>-<i>`, kept when the pod
// goes), OrderedReady (the next ordinal only once every earlier one is Running
// and Ready; scale down from the highest ordinal, one at a time) or Parallel
// management, and RollingUpdate from the highest ordinal down to the
// partition, one pod at a time. Revisions are `<set>-<hash of the template>`
// in the `controller-revision-hash` label.
import type { Clock } from "../../clock";
import type { ResourceService } from "../apiserver/service";
import type { Registry, ResourceType } from "../registry";
import type { LabelSelector, PodTemplate } from "../registry/workload";
import type { Watch } from "../store/store";
import type { KObject, Pod } from "../types";
import type { EventRecorder } from "./events";
import { computeHash, controllerOf, controllerRef, isPodReady, podAvailability, selectorMatches } from "./ownership";
import { WorkQueue } from "./workqueue";

const COMPONENT = "statefulset-controller";
const REVISION_HASH = "controller-revision-hash";

export interface StatefulSet extends KObject {
  spec?: {
    replicas?: number;
    serviceName?: string;
    selector?: LabelSelector;
    template?: PodTemplate;
    podManagementPolicy?: string;
    minReadySeconds?: number;
    updateStrategy?: { type?: string; rollingUpdate?: { partition?: number; maxUnavailable?: number | string } };
    volumeClaimTemplates?: KObject[];
    persistentVolumeClaimRetentionPolicy?: { whenDeleted?: string; whenScaled?: string };
    [field: string]: unknown;
  };
  status?: Record<string, unknown>;
}

export interface StatefulSetControllerDeps {
  service: ResourceService;
  registry: Registry;
  recorder: EventRecorder;
  clock: Clock;
}

const keyOf = (o: KObject): string => `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;
const isTerminal = (pod: Pod): boolean => pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
const runningAndReady = (pod: Pod): boolean => pod.status?.phase === "Running" && isPodReady(pod) && !pod.metadata.deletionTimestamp;

/** The ordinal of `<set>-<n>`, or -1. */
export function ordinalOf(set: string, podName: string | undefined): number {
  const m = /^(.*)-(\d+)$/.exec(podName ?? "");
  return m && m[1] === set ? Number(m[2]) : -1;
}

export class StatefulSetController {
  private readonly queue: WorkQueue;
  private readonly setType: ResourceType;
  private readonly podType: ResourceType;
  private readonly claimType: ResourceType;
  private watches: Watch[] = [];

  constructor(private readonly deps: StatefulSetControllerDeps) {
    this.setType = deps.registry.find("apps", "v1", "statefulsets") as ResourceType;
    this.podType = deps.registry.find("", "v1", "pods") as ResourceType;
    this.claimType = deps.registry.find("", "v1", "persistentvolumeclaims") as ResourceType;
    this.queue = new WorkQueue(deps.clock, (key) => this.reconcile(key));
  }

  start(): void {
    const { store } = this.deps.service;
    this.watches.push(
      store.watch(this.deps.registry.key(this.setType), undefined, (event) => this.queue.add(keyOf(event.object))),
      store.watch(this.deps.registry.key(this.podType), undefined, (event) => {
        for (const p of [event.object, event.previous]) {
          if (!p) continue;
          const ref = controllerOf(p);
          if (ref?.kind === "StatefulSet") this.queue.add(`${p.metadata.namespace ?? ""}/${ref.name}`);
          else if (!ref) {
            for (const set of this.deps.service.list(this.setType, p.metadata.namespace).items as StatefulSet[]) {
              if (selectorMatches(set.spec?.selector, p.metadata.labels)) this.queue.add(keyOf(set));
            }
          }
        }
      }),
    );
    for (const set of this.deps.service.list(this.setType, undefined).items) this.queue.add(keyOf(set));
  }

  stop(): void {
    for (const w of this.watches) w.stop();
    this.watches = [];
    this.queue.dispose();
  }

  private revision(set: StatefulSet): string {
    return `${set.metadata.name ?? ""}-${computeHash(set.spec?.template ?? {})}`;
  }

  private reconcile(key: string): void {
    const [namespace, name] = key.split("/") as [string, string];
    const set: StatefulSet | undefined = this.deps.service.find(this.setType, namespace, name);
    if (!set) return;
    const pods = this.claimPods(set);
    if (!set.metadata.deletionTimestamp) this.manage(set, pods);
    this.updateStatus(set, this.claimPods(set));
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

  private manage(set: StatefulSet, pods: Pod[]): void {
    const name = set.metadata.name ?? "";
    const replicas = set.spec?.replicas ?? 1;
    const ordered = (set.spec?.podManagementPolicy ?? "OrderedReady") === "OrderedReady";
    const byOrdinal = new Map<number, Pod>();
    for (const pod of pods) byOrdinal.set(ordinalOf(name, pod.metadata.name), pod);

    // Replicas: create missing ordinals in order, replace finished pods.
    for (let i = 0; i < replicas; i++) {
      const pod = byOrdinal.get(i);
      if (!pod) {
        this.createPod(set, i);
        if (ordered) return;
        continue;
      }
      if (isTerminal(pod) && !pod.metadata.deletionTimestamp) {
        this.deletePod(set, pod);
        if (ordered) return;
        continue;
      }
      if (ordered && !runningAndReady(pod)) return;
    }

    // Condemned ordinals, highest first.
    const condemned = pods.filter((p) => ordinalOf(name, p.metadata.name) >= replicas).sort((a, b) => ordinalOf(name, b.metadata.name) - ordinalOf(name, a.metadata.name));
    for (const pod of condemned) {
      if (pod.metadata.deletionTimestamp) {
        if (ordered) return;
        continue;
      }
      if (ordered && pods.some((p) => p !== pod && ordinalOf(name, p.metadata.name) < replicas && !runningAndReady(p))) return;
      this.deletePod(set, pod);
      if (ordered) return;
    }

    // Rolling update: highest ordinal first, down to the partition, one at a time.
    if ((set.spec?.updateStrategy?.type ?? "RollingUpdate") !== "RollingUpdate") return;
    const partition = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
    const revision = this.revision(set);
    const live = pods.filter((p) => ordinalOf(name, p.metadata.name) < replicas);
    if (live.length < replicas || live.some((p) => !runningAndReady(p))) return;
    const stale = live
      .filter((p) => ordinalOf(name, p.metadata.name) >= partition && p.metadata.labels?.[REVISION_HASH] !== revision)
      .sort((a, b) => ordinalOf(name, b.metadata.name) - ordinalOf(name, a.metadata.name));
    if (stale[0]) this.deletePod(set, stale[0]);
  }

  private claimName(template: KObject, set: StatefulSet, ordinal: number): string {
    return `${template.metadata.name ?? ""}-${set.metadata.name ?? ""}-${ordinal}`;
  }

  private createPod(set: StatefulSet, ordinal: number): void {
    const { service, recorder } = this.deps;
    const setName = set.metadata.name ?? "";
    const podName = `${setName}-${ordinal}`;
    const namespace = set.metadata.namespace;
    const template = set.spec?.template ?? {};
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
          [REVISION_HASH]: this.revision(set),
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

  private updateStatus(set: StatefulSet, pods: Pod[]): void {
    const now = this.deps.clock.now();
    const revision = this.revision(set);
    const minReady = set.spec?.minReadySeconds ?? 0;
    const live = pods.filter((p) => !p.metadata.deletionTimestamp && !isTerminal(p));
    const previousCurrent = set.status?.currentRevision as string | undefined;
    const updated = live.filter((p) => p.metadata.labels?.[REVISION_HASH] === revision).length;
    const replicas = set.spec?.replicas ?? 1;
    const current = updated === replicas && live.length === replicas ? revision : (previousCurrent ?? revision);
    let wait: number | undefined;
    let available = 0;
    for (const pod of live) {
      const a = podAvailability(pod, minReady, now);
      if (a.available) available++;
      else if (a.wait !== undefined) wait = Math.min(wait ?? Infinity, a.wait);
    }
    const status: Record<string, unknown> = {
      observedGeneration: set.metadata.generation ?? 1,
      replicas: live.length,
      readyReplicas: live.filter(isPodReady).length,
      currentReplicas: live.filter((p) => p.metadata.labels?.[REVISION_HASH] === current).length,
      updatedReplicas: updated,
      currentRevision: current,
      updateRevision: revision,
      collisionCount: 0,
      availableReplicas: available,
    };
    for (const k of ["readyReplicas", "currentReplicas", "updatedReplicas"]) if (status[k] === 0) delete status[k];
    if (JSON.stringify(status) !== JSON.stringify(set.status ?? {})) {
      try {
        this.deps.service.mutate(this.setType, set.metadata.namespace, set.metadata.name ?? "", (o) => {
          o.status = status;
        }, { subresource: "status" });
      } catch {
        // Deleted meanwhile.
      }
    }
    if (wait !== undefined) this.queue.addAfter(keyOf(set), wait);
  }
}
