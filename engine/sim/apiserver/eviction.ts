// The `eviction` subresource of pods (policy/v1 Eviction), what `kubectl
// drain` POSTs for each pod: a delete that first asks the pod's
// PodDisruptionBudgets (when that kind is served), with the Eviction's
// deleteOptions. 429 TooManyRequests when a budget allows no disruption.
import type { KObject } from "../types";
import type { Registry } from "../registry";
import { selectorMatches } from "../controllers/ownership";
import type { LabelSelector } from "../registry/workload";
import type { RouteExtension } from "./extension";
import type { ResourceService } from "./service";
import { errors, failure } from "./status";

interface Eviction extends KObject {
  deleteOptions?: { gracePeriodSeconds?: number; dryRun?: string[]; preconditions?: { uid?: string } };
}

interface Budget extends KObject {
  spec?: { selector?: LabelSelector };
  status?: { disruptionsAllowed?: number };
}

export function evictionExtension(service: ResourceService, registry: Registry): RouteExtension {
  return async (route) => {
    if (route.subresource !== "eviction" || route.type.kind !== "Pod" || !route.name) return undefined;
    if (route.method !== "POST") throw errors.methodNotAllowed();
    const { type, namespace, name } = route;
    const eviction = (await route.readObject()) as Eviction;
    if (eviction.metadata?.name && eviction.metadata.name !== name) throw errors.badRequest(`name in URL does not match name in Eviction object`);
    const pod = service.get(type, namespace, name);
    const options = eviction.deleteOptions ?? {};
    if (options.preconditions?.uid && options.preconditions.uid !== pod.metadata.uid) throw errors.conflict(type, name);
    const dryRun = route.query.get("dryRun") === "All" || options.dryRun?.includes("All") === true;
    const phase = (pod.status as { phase?: string } | undefined)?.phase;
    const budgets = registry.types.find((t) => t.group === "policy" && t.plural === "poddisruptionbudgets");
    // Terminal or already deleting pods are deleted without asking any budget, as upstream.
    if (budgets && phase !== "Succeeded" && phase !== "Failed" && !pod.metadata.deletionTimestamp) {
      const matching = (service.list(budgets, namespace).items as Budget[]).filter((b) => selectorMatches(b.spec?.selector, pod.metadata.labels));
      if (matching.length > 1) throw failure(500, "InternalError", "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.");
      const budget = matching[0];
      if (budget && (budget.status?.disruptionsAllowed ?? 0) <= 0) {
        throw failure(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.", {
          causes: [{ reason: "DisruptionBudget", message: `The disruption budget ${budget.metadata.name ?? ""} needs ${String((budget.status as { desiredHealthy?: number } | undefined)?.desiredHealthy ?? 0)} healthy pods and has ${String((budget.status as { currentHealthy?: number } | undefined)?.currentHealthy ?? 0)} currently` }],
        });
      }
    }
    service.delete(type, namespace, name, { gracePeriodSeconds: options.gracePeriodSeconds, dryRun });
    return { code: 201, body: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 } };
  };
}
