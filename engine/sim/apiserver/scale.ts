// The `scale` subresource of Deployments, ReplicaSets, StatefulSets and
// ReplicationControllers: an autoscaling/v1 Scale view of spec.replicas
// (what `kubectl scale` patches and reads back).
import type { KObject } from "../types";
import { SCALABLE_KINDS } from "../registry/apps";
import { formatMapSelector, formatSelector, type LabelSelector } from "../registry/workload";
import type { RouteExtension } from "./extension";
import type { ResourceService } from "./service";
import { errors } from "./status";

function toScale(object: KObject): KObject {
  const spec = (object.spec ?? {}) as { replicas?: number; selector?: LabelSelector | Record<string, string> };
  const status = (object.status ?? {}) as { replicas?: number };
  const selector = object.kind === "ReplicationController" ? formatMapSelector(spec.selector as Record<string, string>) : formatSelector(spec.selector);
  const { name, namespace, uid, resourceVersion, creationTimestamp } = object.metadata;
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: selector === "<none>" ? "" : selector },
  };
}

/** A Scale has one writable field, spec.replicas: read it from a merge patch or a JSON patch. */
function patchScale(scale: KObject, json: boolean, patch: unknown): KObject {
  const replicas = (value: unknown): KObject => ({ ...scale, spec: { replicas: value } });
  if (!json) {
    if (patch === null || typeof patch !== "object" || Array.isArray(patch)) throw errors.badRequest("patch body must be a JSON object");
    const spec = (patch as { spec?: { replicas?: unknown } }).spec;
    return spec && "replicas" in spec ? replicas(spec.replicas) : scale;
  }
  if (!Array.isArray(patch)) throw errors.badRequest("json patch must be an array of operations");
  let result = scale;
  for (const op of patch as { op?: string; path?: string; value?: unknown }[]) {
    if (op.path !== "/spec/replicas") continue;
    if (op.op === "replace" || op.op === "add") result = replicas(op.value);
    else if (op.op === "test" && (result.spec as { replicas?: unknown }).replicas !== op.value) throw errors.badRequest("the test operation on /spec/replicas failed");
  }
  return result;
}

export function scaleExtension(service: ResourceService): RouteExtension {
  return async (route) => {
    if (route.subresource !== "scale" || !route.name || !SCALABLE_KINDS.has(route.type.kind)) return undefined;
    const { type, namespace, name } = route;
    const current = service.get(type, namespace, name);
    if (route.method === "GET") return { code: 200, body: toScale(current) };
    let wanted: KObject;
    if (route.method === "PUT") wanted = await route.readObject();
    else if (route.method === "PATCH") {
      const media = (route.req.headers["content-type"] ?? "").split(";")[0]?.trim();
      let patch: unknown;
      try {
        patch = JSON.parse((await route.readBody()).toString("utf8"));
      } catch (error) {
        throw errors.badRequest(`error decoding patch: ${(error as Error).message}`);
      }
      wanted = patchScale(toScale(current), media === "application/json-patch+json", patch);
    } else throw errors.methodNotAllowed();
    const replicas = (wanted.spec as { replicas?: unknown } | undefined)?.replicas;
    if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) {
      throw errors.invalid(type, name, [{ field: "spec.replicas", type: "FieldValueInvalid", value: replicas, detail: "must be greater than or equal to 0" }]);
    }
    const expected = wanted.metadata?.resourceVersion;
    if (route.method === "PUT" && expected && expected !== current.metadata.resourceVersion) throw errors.conflict(type, name);
    const dryRun = route.query.get("dryRun") === "All";
    const updated = service.mutate(type, namespace, name, (o) => {
      (o.spec as { replicas?: number }).replicas = replicas;
    }, { dryRun });
    return { code: 200, body: toScale(updated ?? current) };
  };
}
