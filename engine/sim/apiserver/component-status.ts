// core/v1 ComponentStatus (`kubectl get cs`): the API server's own health
// checks of the scheduler, the controller manager and etcd, computed when
// asked and never stored. A component is healthy while its static pod in
// kube-system runs and is ready, so the stopComponent drill shows here too.
import { apiVersionOf, type Registry, type ResourceType } from "../registry";
import type { KObject, Pod } from "../types";
import type { ExtensionAnswer, ExtensionRoute, RouteExtension } from "./extension";
import type { ResourceService } from "./service";
import { errors } from "./status";
import { includeObjectPolicy, toTable, wantsTable } from "./table";

interface Checked {
  name: string;
  /** The `component` label of its static pod. */
  component: string;
  /** Where the API server asks (insecure https healthz), for the error text. */
  healthz?: string;
}

/** In upstream's order of listing them. */
const COMPONENTS: Checked[] = [
  { name: "scheduler", component: "kube-scheduler", healthz: "https://127.0.0.1:10259/healthz" },
  { name: "controller-manager", component: "kube-controller-manager", healthz: "https://127.0.0.1:10257/healthz" },
  // The API server answers at all only while etcd does.
  { name: "etcd-0", component: "etcd" },
];

function ready(pod: Pod | undefined): boolean {
  return pod?.status?.phase === "Running" && !!pod.status.containerStatuses?.length && pod.status.containerStatuses.every((s) => s.ready);
}

function componentStatus(checked: Checked, pod: Pod | undefined): KObject {
  const healthy = !checked.healthz || ready(pod);
  const port = checked.healthz ? new URL(checked.healthz).port : "";
  const condition = healthy
    ? { type: "Healthy", status: "True", message: "ok" }
    : { type: "Healthy", status: "False", error: `Get "${checked.healthz ?? ""}": dial tcp 127.0.0.1:${port}: connect: connection refused` };
  return { kind: "ComponentStatus", apiVersion: "v1", metadata: { name: checked.name, creationTimestamp: null }, conditions: [condition] };
}

/** A computed, read-only answer: a Table when kubectl asks for one, else the object or the list. */
function readOnlyAnswer(route: ExtensionRoute, items: KObject[], now: number): ExtensionAnswer {
  const type: ResourceType = route.type;
  if (wantsTable(route.req.headers.accept)) return { code: 200, body: toTable(type, items, { now, include: includeObjectPolicy(route.query.get("includeObject")) }) };
  if (route.name) return { code: 200, body: items[0] };
  const apiVersion = apiVersionOf(type);
  return { code: 200, body: { kind: type.listKind, apiVersion, metadata: {}, items: items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest) } };
}

export function componentStatusExtension(service: ResourceService, registry: Registry): RouteExtension {
  const podType = registry.find("", "v1", "pods") as ResourceType;
  return (route) => {
    if (route.type.kind !== "ComponentStatus") return undefined;
    if (route.method !== "GET") throw errors.methodNotAllowed();
    const wanted = route.name ? COMPONENTS.filter((c) => c.name === route.name) : COMPONENTS;
    if (!wanted.length) throw errors.notFound(route.type, route.name ?? "");
    const systemPods = service.list(podType, "kube-system").items as Pod[];
    const items = wanted.map((c) => componentStatus(c, systemPods.find((p) => p.metadata.labels?.component === c.component)));
    return readOnlyAnswer(route, items, service.clock.now());
  };
}
