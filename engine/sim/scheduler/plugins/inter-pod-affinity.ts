// InterPodAffinity: required pod affinity (a matching pod must already run in
// the node's topology domain, e.g. the same kubernetes.io/hostname), required
// pod anti-affinity (no matching pod there), and the anti-affinity of pods
// already running (they keep matching pods out of their domain). Preferred
// terms add or subtract their weights per matching pod in the domain.
import { selectorMatches } from "../../controllers/ownership";
import type { LabelSelector } from "../../registry/workload";
import type { Pod } from "../../types";
import { MAX_NODE_SCORE, unresolvable, unschedulable, type CycleState, type FilterPlugin, type NodeInfo, type ScorePlugin } from "../framework";

export interface PodAffinityTerm {
  labelSelector?: LabelSelector;
  namespaces?: string[];
  namespaceSelector?: LabelSelector;
  topologyKey: string;
}

interface WeightedTerm {
  weight: number;
  podAffinityTerm: PodAffinityTerm;
}

interface PodAffinityRules {
  requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
  preferredDuringSchedulingIgnoredDuringExecution?: WeightedTerm[];
}

interface Affinity {
  podAffinity?: PodAffinityRules;
  podAntiAffinity?: PodAffinityRules;
}

const affinityOf = (pod: Pod): Affinity => (pod.spec.affinity ?? {});

/** Whether `candidate` is a pod the term (written in `owner`'s namespace) selects. */
function termSelects(term: PodAffinityTerm, owner: Pod, candidate: Pod): boolean {
  const namespaces = term.namespaces?.length ? term.namespaces : undefined;
  const anyNamespace = term.namespaceSelector && !term.namespaceSelector.matchLabels && !term.namespaceSelector.matchExpressions;
  if (!anyNamespace && !(namespaces ?? [owner.metadata.namespace ?? "default"]).includes(candidate.metadata.namespace ?? "default")) return false;
  const selector = term.labelSelector;
  if (!selector) return false;
  if (!Object.keys(selector.matchLabels ?? {}).length && !(selector.matchExpressions ?? []).length) return true;
  return selectorMatches(selector, candidate.metadata.labels);
}

function domain(node: NodeInfo, key: string): string | undefined {
  return node.node.metadata.labels?.[key];
}

/** Pods in the same topology domain as `node` for `key` (none when the node lacks the label). */
function podsInDomain(state: CycleState, node: NodeInfo, key: string): Pod[] {
  const value = domain(node, key);
  if (value === undefined) return [];
  return state.nodes.filter((n) => domain(n, key) === value).flatMap((n) => n.pods);
}

interface AntiAffinityOf {
  node: NodeInfo;
  pod: Pod;
  terms: PodAffinityTerm[];
}

/** The running pods with required anti-affinity terms (few have any), found once per cycle: the filter runs per node. */
function existingAntiAffinity(state: CycleState): AntiAffinityOf[] {
  let found = state.data.get("InterPodAffinity/existing") as AntiAffinityOf[] | undefined;
  if (!found) {
    found = [];
    for (const node of state.nodes) {
      for (const pod of node.pods) {
        const terms = affinityOf(pod).podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
        if (terms?.length) found.push({ node, pod, terms });
      }
    }
    state.data.set("InterPodAffinity/existing", found);
  }
  return found;
}

export const interPodAffinity: FilterPlugin & ScorePlugin = {
  name: "InterPodAffinity",
  weight: 1,
  filter(state, node) {
    const pod = state.pod;
    const affinity = affinityOf(pod);
    for (const term of affinity.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
      const here = podsInDomain(state, node, term.topologyKey).some((p) => termSelects(term, pod, p));
      if (here) continue;
      // The first pod of a group that selects itself may go anywhere the topology key exists, as upstream.
      const anywhere = state.nodes.some((n) => n.pods.some((p) => termSelects(term, pod, p)));
      if (!anywhere && termSelects(term, pod, pod) && domain(node, term.topologyKey) !== undefined) continue;
      return unresolvable("node(s) didn't match pod affinity rules");
    }
    for (const term of affinity.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
      if (podsInDomain(state, node, term.topologyKey).some((p) => termSelects(term, pod, p))) return unschedulable("node(s) didn't match pod anti-affinity rules");
    }
    for (const { node: otherNode, pod: existing, terms } of existingAntiAffinity(state)) {
      for (const term of terms) {
        const value = domain(otherNode, term.topologyKey);
        if (value !== undefined && domain(node, term.topologyKey) === value && termSelects(term, existing, pod)) {
          return unschedulable("node(s) didn't satisfy existing pods anti-affinity rules");
        }
      }
    }
    return undefined;
  },
  score(state, node) {
    const pod = state.pod;
    const affinity = affinityOf(pod);
    let total = 0;
    for (const { weight, podAffinityTerm } of affinity.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
      total += weight * podsInDomain(state, node, podAffinityTerm.topologyKey).filter((p) => termSelects(podAffinityTerm, pod, p)).length;
    }
    for (const { weight, podAffinityTerm } of affinity.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
      total -= weight * podsInDomain(state, node, podAffinityTerm.topologyKey).filter((p) => termSelects(podAffinityTerm, pod, p)).length;
    }
    return total;
  },
  normalize(scores) {
    const max = Math.max(...scores);
    const min = Math.min(...scores);
    return scores.map((s) => (max === min ? 0 : Math.floor(((s - min) * MAX_NODE_SCORE) / (max - min))));
  },
};
