// The DaemonSet controller, after upstream's pkg/controller/daemon: one pod
// per eligible node (nodeSelector, taints against the template's tolerations
// plus the daemon tolerations upstream adds), named `<ds>-<5 chars>` and
// pinned to its node through required node affinity on metadata.name (the
// scheduler binds it). Failed pods are replaced, extra pods on a node and
// pods on nodes that stopped qualifying are deleted. RollingUpdate replaces
// old pods within maxUnavailable; OnDelete waits for the user. Pods already
// owned (the seeded kube-proxy pods) are kept: a pod is up to date when its
// `controller-revision-hash` matches, or its `pod-template-generation` matches
// the DaemonSet's `deprecated.daemonset.template.generation` at the current
// generation.
import type { Clock } from "../../clock";
import type { ResourceService } from "../apiserver/service";
import type { Registry, ResourceType } from "../registry";
import type { LabelSelector, PodTemplate } from "../registry/workload";
import type { Watch } from "../store/store";
import type { KObject, Node, Pod, Taint, Toleration } from "../types";
import type { EventRecorder } from "./events";
import { computeHash, controllerOf, controllerRef, isActivePod, isPodReady, podAvailability, selectorMatches, timeOf } from "./ownership";
import { WorkQueue } from "./workqueue";

const COMPONENT = "daemonset-controller";
const REVISION_HASH = "controller-revision-hash";
const TEMPLATE_GENERATION = "pod-template-generation";
const TEMPLATE_GENERATION_ANNOTATION = "deprecated.daemonset.template.generation";

export interface DaemonSet extends KObject {
  spec?: {
    selector?: LabelSelector;
    template?: PodTemplate;
    minReadySeconds?: number;
    updateStrategy?: { type?: string; rollingUpdate?: { maxUnavailable?: number | string; maxSurge?: number | string } };
    [field: string]: unknown;
  };
  status?: Record<string, unknown>;
}

export interface DaemonSetControllerDeps {
  service: ResourceService;
  registry: Registry;
  recorder: EventRecorder;
  clock: Clock;
}

const keyOf = (o: KObject): string => `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;

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

function tolerates(tolerations: Toleration[], taint: Taint): boolean {
  return tolerations.some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (!t.key) return t.operator === "Exists";
    if (t.key !== taint.key) return false;
    return t.operator === "Exists" || (t.value ?? "") === (taint.value ?? "");
  });
}

/** Whether a daemon pod of this template belongs on `node` (nodeSelector, required node affinity labels, taints). */
export function nodeShouldRunDaemonPod(template: PodTemplate | undefined, node: Node): boolean {
  const spec = (template?.spec ?? {}) as { nodeSelector?: Record<string, string>; tolerations?: Toleration[]; hostNetwork?: boolean; affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: { matchExpressions?: { key: string; operator: string; values?: string[] }[] }[] } } } };
  const labels = node.metadata.labels ?? {};
  if (Object.entries(spec.nodeSelector ?? {}).some(([k, v]) => labels[k] !== v)) return false;
  const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms?.length && !terms.some((term) => (term.matchExpressions ?? []).every((e) => selectorMatches({ matchExpressions: [e] }, labels)))) return false;
  const tolerations = [...(spec.tolerations ?? []), ...daemonTolerations(!!spec.hostNetwork)];
  return !(node.spec?.taints ?? []).some((taint) => (taint.effect === "NoSchedule" || taint.effect === "NoExecute") && !tolerates(tolerations, taint));
}

/** The node a daemon pod is for: where it is bound, else its metadata.name affinity. */
export function daemonPodNode(pod: Pod): string | undefined {
  if (pod.spec.nodeName) return pod.spec.nodeName;
  const affinity = pod.spec.affinity as { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: { matchFields?: { key: string; values?: string[] }[] }[] } } } | undefined;
  for (const term of affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    const field = term.matchFields?.find((f) => f.key === "metadata.name");
    if (field?.values?.[0]) return field.values[0];
  }
  return undefined;
}

/** An int-or-percent of `total`, rounded up (as maxUnavailable is for DaemonSets). */
function scaled(value: number | string | undefined, total: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value === "number") return value;
  const m = /^(\d+)%$/.exec(value);
  return m ? Math.ceil((Number(m[1]) * total) / 100) : Number(value) || fallback;
}

export class DaemonSetController {
  private readonly queue: WorkQueue;
  private readonly dsType: ResourceType;
  private readonly podType: ResourceType;
  private readonly nodeType: ResourceType;
  private watches: Watch[] = [];

  constructor(private readonly deps: DaemonSetControllerDeps) {
    this.dsType = deps.registry.find("apps", "v1", "daemonsets") as ResourceType;
    this.podType = deps.registry.find("", "v1", "pods") as ResourceType;
    this.nodeType = deps.registry.find("", "v1", "nodes") as ResourceType;
    this.queue = new WorkQueue(deps.clock, (key) => this.reconcile(key));
  }

  start(): void {
    const { store } = this.deps.service;
    this.watches.push(
      store.watch(this.deps.registry.key(this.dsType), undefined, (event) => this.queue.add(keyOf(event.object))),
      store.watch(this.deps.registry.key(this.podType), undefined, (event) => this.podChanged(event.object as Pod, event.previous as Pod | undefined)),
      store.watch(this.deps.registry.key(this.nodeType), undefined, (event) => {
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

  private podChanged(pod: Pod, previous: Pod | undefined): void {
    const namespace = pod.metadata.namespace ?? "";
    for (const p of previous ? [pod, previous] : [pod]) {
      const ref = controllerOf(p);
      if (ref) {
        if (ref.kind === "DaemonSet") this.queue.add(`${namespace}/${ref.name}`);
        continue;
      }
      if (!isActivePod(p)) continue;
      for (const ds of this.deps.service.list(this.dsType, namespace).items as DaemonSet[]) {
        if (selectorMatches(ds.spec?.selector, p.metadata.labels)) this.queue.add(keyOf(ds));
      }
    }
  }

  private reconcile(key: string): void {
    const [namespace, name] = key.split("/") as [string, string];
    const ds: DaemonSet | undefined = this.deps.service.find(this.dsType, namespace, name);
    if (!ds) return;
    const pods = this.claimPods(ds);
    const nodes = this.deps.service.list(this.nodeType, undefined).items as Node[];
    const byNode = new Map<string, Pod[]>();
    for (const pod of pods) {
      const node = daemonPodNode(pod) ?? "";
      byNode.set(node, [...(byNode.get(node) ?? []), pod]);
    }
    if (!ds.metadata.deletionTimestamp) this.manage(ds, nodes, byNode);
    this.updateStatus(ds, nodes, this.claimPods(ds));
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
      if (ds.metadata.deletionTimestamp || !isActivePod(pod) || !selectorMatches(ds.spec?.selector, pod.metadata.labels)) continue;
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

  private hash(ds: DaemonSet): string {
    return computeHash(ds.spec?.template ?? {});
  }

  isUpdated(ds: DaemonSet, pod: Pod): boolean {
    const labels = pod.metadata.labels ?? {};
    if (labels[REVISION_HASH] === this.hash(ds)) return true;
    const generation = ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
    return generation !== undefined && labels[TEMPLATE_GENERATION] === generation && generation === String(ds.metadata.generation ?? 1);
  }

  private manage(ds: DaemonSet, nodes: Node[], byNode: Map<string, Pod[]>): void {
    const minReady = ds.spec?.minReadySeconds ?? 0;
    const now = this.deps.clock.now();
    const rolling = (ds.spec?.updateStrategy?.type ?? "RollingUpdate") === "RollingUpdate";
    const eligible = nodes.filter((n) => nodeShouldRunDaemonPod(ds.spec?.template, n));
    const eligibleNames = new Set(eligible.map((n) => n.metadata.name ?? ""));
    const toDelete: Pod[] = [];
    const toCreate: string[] = [];
    const old: Pod[] = [];
    let unavailable = 0;
    for (const [node, pods] of byNode) {
      if (!eligibleNames.has(node)) toDelete.push(...pods.filter((p) => !p.metadata.deletionTimestamp));
    }
    for (const node of eligible) {
      const name = node.metadata.name ?? "";
      const pods = (byNode.get(name) ?? []).filter((p) => !p.metadata.deletionTimestamp);
      const failed = pods.filter((p) => p.status?.phase === "Failed" || p.status?.phase === "Succeeded");
      toDelete.push(...failed);
      const live = pods.filter((p) => !failed.includes(p)).sort((a, b) => timeOf(a.metadata.creationTimestamp) - timeOf(b.metadata.creationTimestamp));
      const terminating = (byNode.get(name) ?? []).some((p) => p.metadata.deletionTimestamp);
      if (!live.length) {
        if (!terminating) toCreate.push(name);
        unavailable++;
        continue;
      }
      toDelete.push(...live.slice(1));
      const pod = live[0] as Pod;
      if (!podAvailability(pod, minReady, now).available) unavailable++;
      if (!this.isUpdated(ds, pod)) old.push(pod);
    }
    if (rolling && old.length) {
      const max = scaled(ds.spec?.updateStrategy?.rollingUpdate?.maxUnavailable, eligible.length, 1);
      // Unavailable old pods go at once; available ones within the budget.
      for (const pod of old) {
        if (!podAvailability(pod, minReady, now).available) toDelete.push(pod);
      }
      let budget = max - unavailable;
      for (const pod of old) {
        if (budget <= 0) break;
        if (!podAvailability(pod, minReady, now).available) continue;
        toDelete.push(pod);
        budget--;
      }
    }
    for (const node of toCreate) this.createPod(ds, node);
    for (const pod of new Set(toDelete)) this.deletePod(ds, pod);
  }

  private createPod(ds: DaemonSet, node: string): void {
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
        labels: { ...meta.labels, [REVISION_HASH]: this.hash(ds), [TEMPLATE_GENERATION]: generation },
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

  private updateStatus(ds: DaemonSet, nodes: Node[], pods: Pod[]): void {
    const now = this.deps.clock.now();
    const minReady = ds.spec?.minReadySeconds ?? 0;
    let desired = 0;
    let current = 0;
    let misscheduled = 0;
    let ready = 0;
    let available = 0;
    let updated = 0;
    let wait: number | undefined;
    for (const node of nodes) {
      const name = node.metadata.name ?? "";
      const should = nodeShouldRunDaemonPod(ds.spec?.template, node);
      const onNode = pods.filter((p) => daemonPodNode(p) === name && !p.metadata.deletionTimestamp && p.spec.nodeName);
      if (should) desired++;
      if (!onNode.length) continue;
      if (!should) {
        misscheduled++;
        continue;
      }
      current++;
      const pod = onNode[0] as Pod;
      if (this.isUpdated(ds, pod)) updated++;
      if (isPodReady(pod)) {
        ready++;
        const a = podAvailability(pod, minReady, now);
        if (a.available) available++;
        else if (a.wait !== undefined) wait = Math.min(wait ?? Infinity, a.wait);
      }
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
