// The default profile: filters in upstream's order (a node's first failing
// filter is the one FailedScheduling counts) and the weighted scorers.
import type { FilterPlugin, ScorePlugin } from "../framework";
import { interPodAffinity } from "./inter-pod-affinity";
import { nodeAffinity } from "./node-affinity";
import { nodePorts } from "./node-ports";
import { balancedAllocation, nodeResourcesFit } from "./node-resources-fit";
import { nodeUnschedulable } from "./node-unschedulable";
import { taintToleration } from "./taint-toleration";

export const DEFAULT_FILTERS: FilterPlugin[] = [nodeUnschedulable, taintToleration, nodeAffinity, nodePorts, nodeResourcesFit, interPodAffinity];
export const DEFAULT_SCORES: ScorePlugin[] = [taintToleration, nodeAffinity, nodeResourcesFit, balancedAllocation, interPodAffinity];

export { tolerates, toleratesOne } from "./taint-toleration";
export { UNSCHEDULABLE_TAINT } from "./node-unschedulable";
