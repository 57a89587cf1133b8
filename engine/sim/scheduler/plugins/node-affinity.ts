// NodeAffinity: spec.nodeSelector and the node affinity's required terms
// (ORed terms of ANDed expressions: In, NotIn, Exists, DoesNotExist, Gt, Lt;
// matchFields on metadata.name) filter nodes; preferred terms add their
// weights to the score.
import { MAX_NODE_SCORE, unresolvable, type FilterPlugin, type ScorePlugin } from "../framework";
import type { Node, PodSpec } from "../../types";

export interface NodeSelectorRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt";
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

export interface NodeAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] };
  preferredDuringSchedulingIgnoredDuringExecution?: { weight: number; preference: NodeSelectorTerm }[];
}

export function requirementMatches(req: NodeSelectorRequirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, req.key);
  const value = labels[req.key];
  const values = req.values ?? [];
  switch (req.operator) {
    case "In":
      return has && values.includes(value ?? "");
    case "NotIn":
      return !has || !values.includes(value ?? "");
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
    case "Gt":
    case "Lt": {
      if (!has || values.length !== 1) return false;
      const mine = Number.parseInt(value ?? "", 10);
      const theirs = Number.parseInt(values[0] ?? "", 10);
      if (Number.isNaN(mine) || Number.isNaN(theirs)) return false;
      return req.operator === "Gt" ? mine > theirs : mine < theirs;
    }
    default:
      return false;
  }
}

/** A term with no requirements matches nothing, as upstream. */
export function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const expressions = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (!expressions.length && !fields.length) return false;
  const labels = node.metadata.labels ?? {};
  return expressions.every((r) => requirementMatches(r, labels)) && fields.every((r) => r.key === "metadata.name" && requirementMatches(r, { "metadata.name": node.metadata.name ?? "" }));
}

function affinityOf(spec: PodSpec): NodeAffinity | undefined {
  return (spec.affinity as { nodeAffinity?: NodeAffinity } | undefined)?.nodeAffinity;
}

export const nodeAffinity: FilterPlugin & ScorePlugin = {
  name: "NodeAffinity",
  weight: 2,
  filter(state, node) {
    const labels = node.node.metadata.labels ?? {};
    const selector = state.pod.spec.nodeSelector ?? {};
    const fail = unresolvable("node(s) didn't match Pod's node affinity/selector");
    if (Object.entries(selector).some(([k, v]) => labels[k] !== v)) return fail;
    const terms = affinityOf(state.pod.spec)?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
    if (terms && !terms.some((t) => termMatches(t, node.node))) return fail;
    return undefined;
  },
  score(state, node) {
    let total = 0;
    for (const p of affinityOf(state.pod.spec)?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
      if (p.weight && termMatches(p.preference, node.node)) total += p.weight;
    }
    return total;
  },
  normalize(scores) {
    const max = Math.max(0, ...scores);
    return scores.map((s) => (max === 0 ? 0 : Math.floor((s * MAX_NODE_SCORE) / max)));
  },
};
