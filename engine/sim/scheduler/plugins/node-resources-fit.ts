// NodeResourcesFit: the pod's requests must fit in the node's allocatable
// minus what its other pods request (cpu, memory, ephemeral-storage, pod
// count). Scoring prefers the least allocated node (upstream's default
// LeastAllocated strategy, cpu and memory weighted equally).
import { cachedPodRequests, MAX_NODE_SCORE, unschedulable, type FilterPlugin, type ScorePlugin } from "../framework";
import type { Resources } from "../framework";

export const nodeResourcesFit: FilterPlugin & ScorePlugin = {
  name: "NodeResourcesFit",
  weight: 1,
  filter(state, node) {
    const wanted: Resources = cachedPodRequests(state.pod);
    const reasons: string[] = [];
    if (node.requested.pods + 1 > node.allocatable.pods) reasons.push("Too many pods");
    if (wanted.cpu > 0 && wanted.cpu > node.allocatable.cpu - node.requested.cpu) reasons.push("Insufficient cpu");
    if (wanted.memory > 0 && wanted.memory > node.allocatable.memory - node.requested.memory) reasons.push("Insufficient memory");
    if (wanted["ephemeral-storage"] > 0 && wanted["ephemeral-storage"] > node.allocatable["ephemeral-storage"] - node.requested["ephemeral-storage"]) reasons.push("Insufficient ephemeral-storage");
    return reasons.length ? unschedulable(...reasons) : undefined;
  },
  score(state, node) {
    const wanted = cachedPodRequests(state.pod, true);
    const free = (capacity: number, used: number): number => (capacity <= 0 || used > capacity ? 0 : ((capacity - used) * MAX_NODE_SCORE) / capacity);
    const cpu = free(node.allocatable.cpu, node.nonZeroRequested.cpu + wanted.cpu);
    const memory = free(node.allocatable.memory, node.nonZeroRequested.memory + wanted.memory);
    return Math.floor((cpu + memory) / 2);
  },
};

/** BalancedAllocation: prefer nodes whose cpu and memory fractions stay close to each other. */
export const balancedAllocation: ScorePlugin = {
  name: "NodeResourcesBalancedAllocation",
  weight: 1,
  score(state, node) {
    const wanted = cachedPodRequests(state.pod, true);
    const fraction = (capacity: number, used: number): number => (capacity <= 0 ? 1 : Math.min(1, used / capacity));
    const cpu = fraction(node.allocatable.cpu, node.nonZeroRequested.cpu + wanted.cpu);
    const memory = fraction(node.allocatable.memory, node.nonZeroRequested.memory + wanted.memory);
    const std = Math.abs(cpu - memory) / 2;
    return Math.floor((1 - std) * MAX_NODE_SCORE);
  },
};
