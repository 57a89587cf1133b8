// The scheduling framework in miniature, after upstream's
// pkg/scheduler/framework: a cycle builds one NodeInfo per node (its pods and
// what they request), runs every Filter plugin on every node (stopping at a
// node's first failure, as upstream), then scores the nodes that passed with
// the weighted Score plugins. Each plugin is one file in plugins/.
import type { Node, Pod } from "../types";
import { cpuMillis, quantityValue } from "./quantity";

export interface Resources {
  /** Millicores. */
  cpu: number;
  /** Bytes. */
  memory: number;
  "ephemeral-storage": number;
  pods: number;
}

export interface NodeInfo {
  name: string;
  node: Node;
  /** Non-terminal pods bound to the node. */
  pods: Pod[];
  /** Summed requests of those pods (the filter's view). */
  requested: Resources;
  /** Summed requests with upstream's non-zero defaults (100m cpu, 200Mi memory) for containers without any: the scorers' view. */
  nonZeroRequested: { cpu: number; memory: number };
  allocatable: Resources;
}

/** Upstream's two failure codes: preemption may help the first, never the second. */
export type FailureCode = "Unschedulable" | "UnschedulableAndUnresolvable";

export interface FilterFailure {
  code: FailureCode;
  /** The reasons as FailedScheduling counts them (one node can give several, e.g. Insufficient cpu and memory). */
  reasons: string[];
}

export interface CycleState {
  pod: Pod;
  nodes: NodeInfo[];
  /** Plugin-private data computed once per cycle (PreFilter's role). */
  data: Map<string, unknown>;
}

export interface FilterPlugin {
  readonly name: string;
  filter(state: CycleState, node: NodeInfo): FilterFailure | undefined;
}

export interface ScorePlugin {
  readonly name: string;
  readonly weight: number;
  /** A raw score for one node. */
  score(state: CycleState, node: NodeInfo): number;
  /** Bring raw scores to 0..100 (upstream's NormalizeScore); scores are used as they are without it. */
  normalize?(scores: number[]): number[];
}

export const unschedulable = (...reasons: string[]): FilterFailure => ({ code: "Unschedulable", reasons });
export const unresolvable = (...reasons: string[]): FilterFailure => ({ code: "UnschedulableAndUnresolvable", reasons });

export const MAX_NODE_SCORE = 100;
const DEFAULT_MILLI_CPU = 100;
const DEFAULT_MEMORY = 200 * 1024 * 1024;

type Requests = Record<string, string | number | undefined> | undefined;

interface ContainerLike {
  resources?: { requests?: Requests; limits?: Requests };
  restartPolicy?: string;
}

function containerRequests(c: ContainerLike): Resources {
  // Requests default from limits at admission; read limits as a fallback for objects stored without defaults.
  const requests = { ...c.resources?.limits, ...c.resources?.requests };
  return { cpu: cpuMillis(requests.cpu), memory: quantityValue(requests.memory), "ephemeral-storage": quantityValue(requests["ephemeral-storage"]), pods: 0 };
}

const RESOURCE_KEYS = ["cpu", "memory", "ephemeral-storage"] as const;

/** A pod's effective requests: the sum over its containers (and sidecars), or the largest init container if bigger. */
export function podRequests(pod: Pod, nonZero = false): Resources {
  const total: Resources = { cpu: 0, memory: 0, "ephemeral-storage": 0, pods: 1 };
  for (const c of pod.spec.containers as ContainerLike[]) {
    const r = containerRequests(c);
    if (nonZero) {
      if (r.cpu === 0) r.cpu = DEFAULT_MILLI_CPU;
      if (r.memory === 0) r.memory = DEFAULT_MEMORY;
    }
    for (const k of RESOURCE_KEYS) total[k] += r[k];
  }
  const sidecars: Resources = { cpu: 0, memory: 0, "ephemeral-storage": 0, pods: 0 };
  for (const c of (pod.spec.initContainers ?? []) as ContainerLike[]) {
    const r = containerRequests(c);
    if (c.restartPolicy === "Always") {
      for (const k of RESOURCE_KEYS) sidecars[k] += r[k];
      continue;
    }
    for (const k of RESOURCE_KEYS) total[k] = Math.max(total[k], r[k] + sidecars[k]);
  }
  for (const k of RESOURCE_KEYS) total[k] += sidecars[k];
  return total;
}

/**
 * Stored pods are frozen and shared, so their requests are computed once per
 * stored version: every scheduling cycle sums them over all pods.
 */
const requestsOfStored = new WeakMap<Pod, { plain: Resources; nonZero: Resources }>();

function storedPodRequests(pod: Pod): { plain: Resources; nonZero: Resources } {
  let cached = requestsOfStored.get(pod);
  if (!cached) {
    cached = { plain: podRequests(pod), nonZero: podRequests(pod, true) };
    if (Object.isFrozen(pod)) requestsOfStored.set(pod, cached);
  }
  return cached;
}

/** `podRequests`, computed once per stored pod (plugins ask for the pod being scheduled on every node). */
export function cachedPodRequests(pod: Pod, nonZero = false): Resources {
  const cached = storedPodRequests(pod);
  return nonZero ? cached.nonZero : cached.plain;
}

export function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
}

/** The nodes with their non-terminal pods, leaving out the pod with uid `except` (the one being scheduled, for what-ifs). */
export function nodeInfos(nodes: Node[], pods: Pod[], except?: string): NodeInfo[] {
  const byNode = new Map<string, Pod[]>();
  for (const pod of pods) {
    const name = pod.spec.nodeName;
    if (!name || isTerminal(pod) || (except && pod.metadata.uid === except)) continue;
    const list = byNode.get(name);
    if (list) list.push(pod);
    else byNode.set(name, [pod]);
  }
  return nodes.map((node) => {
    const name = node.metadata.name ?? "";
    const mine = byNode.get(name) ?? [];
    const requested: Resources = { cpu: 0, memory: 0, "ephemeral-storage": 0, pods: 0 };
    const nonZeroRequested = { cpu: 0, memory: 0 };
    for (const pod of mine) {
      const { plain: r, nonZero: nz } = storedPodRequests(pod);
      for (const k of RESOURCE_KEYS) requested[k] += r[k];
      requested.pods += 1;
      nonZeroRequested.cpu += nz.cpu;
      nonZeroRequested.memory += nz.memory;
    }
    return { name, node, pods: mine, requested, nonZeroRequested, allocatable: allocatableOf(node) };
  });
}

/** A stored node's allocatable, parsed once per version (every cycle reads every node's). */
const allocatableOfStored = new WeakMap<Node, Resources>();

function allocatableOf(node: Node): Resources {
  let parsed = allocatableOfStored.get(node);
  if (!parsed) {
    const alloc = (node.status?.allocatable ?? {}) as Record<string, string>;
    parsed = { cpu: cpuMillis(alloc.cpu), memory: quantityValue(alloc.memory), "ephemeral-storage": quantityValue(alloc["ephemeral-storage"]), pods: quantityValue(alloc.pods) };
    if (Object.isFrozen(node)) allocatableOfStored.set(node, parsed);
  }
  return parsed;
}
