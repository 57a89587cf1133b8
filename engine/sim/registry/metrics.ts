// metrics.k8s.io/v1beta1 NodeMetrics and PodMetrics (what metrics-server
// serves, and `kubectl top` reads). Read-only and never stored: the answers
// are computed from the pods running at the time (apiserver/metrics.ts).
import type { KObject } from "../types";
import { column, defineResource } from "./resource";
import { nodeMetricsSchema, podMetricsSchema } from "../schema/metrics";

interface Metrics extends KObject {
  usage?: Record<string, string>;
  containers?: { name: string; usage: Record<string, string> }[];
  window?: string;
}

/** Usage summed over containers, shown as millicores and MiB. */
function total(m: Metrics, resource: "cpu" | "memory"): string {
  const values = m.usage ? [m.usage[resource] ?? ""] : (m.containers ?? []).map((c) => c.usage[resource] ?? "");
  let sum = 0;
  for (const value of values) {
    const match = /^(\d+)(n|Ki)?$/.exec(value);
    sum += match ? Number(match[1]) : 0;
  }
  return resource === "cpu" ? `${Math.round(sum / 1e6)}m` : `${Math.round(sum / 1024)}Mi`;
}

const columns = [
  column("CPU", "string", "CPU in use, in cores (n = nanocores)."),
  column("Memory", "string", "Working-set memory in use."),
  column("Window", "string", "The span the usage was averaged over."),
];

export const nodemetrics = defineResource<Metrics>(nodeMetricsSchema, {
  plural: "nodes",
  singular: "",
  namespaced: false,
  shortNames: [],
  categories: [],
  verbs: ["get", "list"],
  subresources: [],
  columns,
  cells: (m) => [total(m, "cpu"), total(m, "memory"), m.window ?? ""],
});

export const podmetrics = defineResource<Metrics>(podMetricsSchema, {
  plural: "pods",
  singular: "",
  namespaced: true,
  shortNames: [],
  categories: [],
  verbs: ["get", "list"],
  subresources: [],
  columns,
  cells: (m) => [total(m, "cpu"), total(m, "memory"), m.window ?? ""],
});
