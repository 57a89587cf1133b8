// TaintToleration: a node's NoSchedule and NoExecute taints keep out pods
// that do not tolerate them; PreferNoSchedule taints only lower the score.
import { MAX_NODE_SCORE, unresolvable, type FilterPlugin, type ScorePlugin } from "../framework";
import type { Taint, Toleration } from "../../types";

/** Upstream's Toleration.ToleratesTaint. An empty key with Exists matches every taint; an empty effect every effect. */
export function toleratesOne(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  const operator = t.operator ?? "Equal";
  if (operator === "Exists") return true;
  if (!t.key) return false;
  return (t.value ?? "") === (taint.value ?? "");
}

export function tolerates(tolerations: Toleration[], taint: Taint): boolean {
  return tolerations.some((t) => toleratesOne(t, taint));
}

export const taintToleration: FilterPlugin & ScorePlugin = {
  name: "TaintToleration",
  weight: 3,
  filter(state, node) {
    const tolerations = state.pod.spec.tolerations ?? [];
    for (const taint of node.node.spec?.taints ?? []) {
      if (taint.effect !== "NoSchedule" && taint.effect !== "NoExecute") continue;
      if (!tolerates(tolerations, taint)) return unresolvable(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ""}}`);
    }
    return undefined;
  },
  score(state, node) {
    const tolerations = (state.pod.spec.tolerations ?? []).filter((t) => !t.effect || t.effect === "PreferNoSchedule");
    return (node.node.spec?.taints ?? []).filter((taint) => taint.effect === "PreferNoSchedule" && !tolerates(tolerations, taint)).length;
  },
  normalize(scores) {
    // Fewer intolerable taints is better: reverse.
    const max = Math.max(0, ...scores);
    return scores.map((s) => (max === 0 ? MAX_NODE_SCORE : MAX_NODE_SCORE - Math.floor((s * MAX_NODE_SCORE) / max)));
  },
};
