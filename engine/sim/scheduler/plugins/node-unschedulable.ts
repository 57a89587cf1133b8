// NodeUnschedulable: a cordoned node (spec.unschedulable) takes no new pods,
// unless the pod tolerates the node.kubernetes.io/unschedulable:NoSchedule taint.
import { unresolvable, type FilterPlugin } from "../framework";
import { tolerates } from "./taint-toleration";

export const UNSCHEDULABLE_TAINT = { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" };

export const nodeUnschedulable: FilterPlugin = {
  name: "NodeUnschedulable",
  filter(state, node) {
    if (!node.node.spec?.unschedulable) return undefined;
    if (tolerates(state.pod.spec.tolerations ?? [], UNSCHEDULABLE_TAINT)) return undefined;
    return unresolvable("node(s) were unschedulable");
  },
};
