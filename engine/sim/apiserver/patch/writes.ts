// How ResourceService's writes use the patch machinery: the body of a
// merge/strategic/json PATCH, a server-side apply request, and the
// bookkeeping of every update (generation, carried-over allocations,
// immutable fields, managedFields).
import { apiVersionOf, describeFieldError, timestamp, type FieldError, type ResourceType } from "../../registry";
import type { KObject } from "../../types";
import { goPrint, typeProblem } from "../../schema/type-check";
import { errors, failure, type ApiError } from "../status";
import { parseYamlBody } from "../body-limits";
import { isObject, jsonEqual, type Json, type JsonObject } from "./json";
import { jsonPatch } from "./json-patch";
import type { ManagedFieldsEntry } from "./managed-fields";
import { mergePatch } from "./merge-patch";
import type { PatchMeta } from "./patch-meta";
import { recordUpdate, serverSideApply } from "./server-side-apply";
import { strategicMergePatch } from "./strategic-merge";
import { carryOver, immutableChanges, nextGeneration } from "./update-rules";

export interface PatchWriteOptions {
  dryRun?: boolean;
  subresource?: "status";
  /** Who writes (the `fieldManager` query parameter, or the user agent's product). Unset: no managedFields bookkeeping (in-process writers). */
  fieldManager?: string;
  /** Server-side apply: take fields other managers own. */
  force?: boolean;
  /** Re-run defaulting (set by apply, whose managedFields are already decided). */
  redefault?: boolean;
}

/** The service operations an apply request needs. */
interface Writes {
  find(type: ResourceType, namespace: string | undefined, name: string): KObject | undefined;
  create(type: ResourceType, namespace: string | undefined, body: KObject, options: PatchWriteOptions): KObject;
  update(type: ResourceType, namespace: string | undefined, name: string, body: KObject, options: PatchWriteOptions): KObject;
}

/** The object a merge, strategic or JSON patch makes of `current`. */
export function applyPatchBody(current: KObject, patchType: "merge" | "strategic" | "json", patch: unknown, meta: PatchMeta): KObject {
  const doc = current as unknown as Json;
  let patched: Json;
  if (patchType === "json") patched = jsonPatch(doc, patch);
  else if (!isObject(patch)) throw errors.badRequest("json: cannot unmarshal array into Go value of type map[string]interface {}");
  else {
    const wrongType = meta.schema && typeProblem(meta.schema, patch, "converter");
    if (wrongType) throw invalidPatch(goPrint(patch), wrongType);
    patched = patchType === "merge" ? mergePatch(doc, patch) : strategicMergePatch(doc, patch, meta);
  }
  if (!isObject(patched) || !isObject(patched.metadata)) throw errors.badRequest("patch did not produce an object with metadata");
  // A JSON patch's result is decoded from its JSON text: the error shows all of it.
  const wrongType = patchType === "json" && meta.schema && typeProblem(meta.schema, patched, "json");
  if (wrongType) throw invalidPatch(JSON.stringify(patched), wrongType);
  return patched as unknown as KObject;
}

/** Upstream's answer to a patched object it cannot decode: Invalid, with no kind or name (kubectl: `The request is invalid: patch: ...`). */
function invalidPatch(value: string, detail: string): ApiError {
  const cause: FieldError = { type: "FieldValueInvalid", field: "patch", value, detail };
  const described = describeFieldError(cause);
  return failure(422, "Invalid", ` "" is invalid: ${described}`, { causes: [{ reason: cause.type, message: described.slice("patch: ".length), field: "patch" }] });
}


function scopeOf(type: ResourceType, subresource: string | undefined): "main" | "status" | "all" {
  if (subresource === "status") return "status";
  return type.statusSubresource ? "main" : "all";
}

/**
 * Everything an update decides besides validation: allocations carried over,
 * immutable fields, generation and managedFields. Returns the field errors
 * (immutable fields) for the caller to report as Invalid.
 */
export function prepareUpdate(type: ResourceType, current: KObject, next: KObject, options: PatchWriteOptions, now: number, meta: () => PatchMeta, defaults?: (object: KObject) => void): FieldError[] {
  if (options.subresource !== "status") carryOver(current, next);
  // ObjectMeta's maps are `omitempty` upstream: removing the last label or annotation leaves no `{}` behind.
  for (const key of ["labels", "annotations"] as const) {
    const map = next.metadata[key];
    if (map && Object.keys(map).length === 0) delete next.metadata[key];
  }
  // Upstream defaults every write it decodes: a field an apply pruned or a replace left out comes back defaulted.
  if (defaults && (options.fieldManager || options.redefault) && options.subresource !== "status") {
    const defaulted = structuredClone(next);
    defaults(defaulted);
    fillMissing(next as unknown as JsonObject, defaulted as unknown as JsonObject);
  }
  const problems = options.subresource === "status" ? [] : immutableChanges(current, next);
  // Status writes never bump generation (the Deployment controller sets its revision annotation that way).
  const generation = options.subresource === "status" ? current.metadata.generation : nextGeneration(current, next);
  if (generation === undefined) delete next.metadata.generation;
  else next.metadata.generation = generation;
  if (options.fieldManager) {
    const managed = recordUpdate(current as unknown as JsonObject, next as unknown as JsonObject, writerOf(type, options, options.fieldManager), timestamp(now), { meta: meta(), scope: scopeOf(type, options.subresource) });
    setManaged(next, managed);
  } else if (next.metadata.managedFields === undefined && current.metadata.managedFields !== undefined) {
    next.metadata.managedFields = structuredClone(current.metadata.managedFields);
  }
  return problems;
}

/** Copy into `target` what `source` has and `target` lacks (same-length lists item by item). */
function fillMissing(target: JsonObject, source: JsonObject): void {
  for (const [key, value] of Object.entries(source)) {
    const have = target[key];
    if (have === undefined) target[key] = value;
    else if (isObject(have) && isObject(value)) fillMissing(have, value);
    else if (Array.isArray(have) && Array.isArray(value) && have.length === value.length) {
      have.forEach((item, i) => {
        const from = value[i];
        if (isObject(item) && isObject(from)) fillMissing(item, from);
      });
    }
  }
}

/** managedFields of a create by `options.fieldManager`. */
export function recordCreate(type: ResourceType, object: KObject, options: PatchWriteOptions, now: number, meta: PatchMeta): void {
  if (!options.fieldManager) return;
  const body = { ...object, metadata: { ...object.metadata, managedFields: [] } } as unknown as JsonObject;
  setManaged(object, recordUpdate(undefined, body, writerOf(type, options, options.fieldManager), timestamp(now), { meta, scope: scopeOf(type, options.subresource) }));
}

function setManaged(object: KObject, managed: ManagedFieldsEntry[]): void {
  if (managed.length) object.metadata.managedFields = managed;
  else delete object.metadata.managedFields;
}

function writerOf(type: ResourceType, options: PatchWriteOptions, manager: string): { manager: string; apiVersion: string; subresource?: string } {
  return { manager, apiVersion: apiVersionOf(type), ...(options.subresource ? { subresource: options.subresource } : {}) };
}

/** Whether an update changes nothing (then nothing is written and resourceVersion stays). */
export function unchanged(current: KObject, next: KObject): boolean {
  const strip = (o: KObject): Json => ({ ...o, metadata: { ...o.metadata, resourceVersion: null } }) as unknown as Json;
  return jsonEqual(strip(current), strip(next));
}

/** PATCH application/apply-patch+yaml: server-side apply, creating the object if it does not exist. */
export function applyRequest(service: Writes, type: ResourceType, namespace: string | undefined, name: string, body: unknown, options: PatchWriteOptions, now: number, meta: PatchMeta): KObject {
  const manager = options.fieldManager;
  if (!manager) {
    throw failure(422, "Invalid", 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch', {
      group: "meta.k8s.io",
      kind: "PatchOptions",
      causes: [{ reason: "FieldValueRequired", message: "Required value: is required for apply patch", field: "fieldManager" }],
    });
  }
  if (!isObject(body)) throw errors.badRequest("error decoding YAML: the applied configuration must be a mapping");
  const config = structuredClone(body);
  const apiVersion = apiVersionOf(type);
  if (typeof config.kind !== "string" || !config.kind) throw errors.badRequest("Object 'Kind' is missing in the applied configuration");
  if (config.kind !== type.kind || (config.apiVersion !== undefined && config.apiVersion !== apiVersion)) {
    throw errors.badRequest(`the apiVersion and kind of the applied configuration (${JSON.stringify(config.apiVersion ?? null)}, ${config.kind}) do not match the resource (${apiVersion}, ${type.kind})`);
  }
  const metadata = isObject(config.metadata) ? config.metadata : (config.metadata = {});
  if (metadata.name !== undefined && metadata.name !== name) {
    throw errors.badRequest(`the name of the object (${JSON.stringify(metadata.name)}) does not match the name on the URL (${name})`);
  }
  // structured-merge-diff types the applied configuration first; a value of the wrong type is a 500 (a plain error upstream).
  const wrongType = meta.schema && typeProblem(meta.schema, config, "apply");
  if (wrongType) {
    const namespace = typeof metadata.namespace === "string" ? metadata.namespace : "";
    throw failure(500, "", `failed to create typed patch object (${namespace}/${name}; ${type.group}/${type.version}, Kind=${type.kind}): ${wrongType}`);
  }
  if (scopeOf(type, options.subresource) === "main") delete config.status;
  const writer = writerOf(type, options, manager);
  const walk = { meta, scope: scopeOf(type, options.subresource) };
  const live = service.find(type, namespace, name);
  const writeOptions: PatchWriteOptions = { dryRun: options.dryRun, subresource: options.subresource, redefault: true };
  if (!live) {
    metadata.name = name;
    const result = serverSideApply(undefined, config, writer, !!options.force, timestamp(now), walk);
    const object = result.object as unknown as KObject;
    setManaged(object, result.managedFields);
    return service.create(type, namespace, object, writeOptions);
  }
  const result = serverSideApply(live as unknown as JsonObject, config, writer, !!options.force, timestamp(now), walk);
  const next = result.object as unknown as KObject;
  setManaged(next, result.managedFields);
  // An applied resourceVersion is a precondition; otherwise apply to whatever is current.
  next.metadata.resourceVersion = typeof metadata.resourceVersion === "string" ? metadata.resourceVersion : live.metadata.resourceVersion;
  return service.update(type, namespace, name, next, writeOptions);
}

/** An apply body: YAML (JSON is YAML too). */
export function parseApplyBody(body: Buffer): unknown {
  return parseYamlBody(body.toString("utf8"), "error decoding YAML");
}

/** The manager of a request: `fieldManager`, else the user agent's product ("kubectl/v1.32.3 (...)" -> "kubectl"). */
export function managerOf(query: URLSearchParams, userAgent: string | undefined): string | undefined {
  const explicit = query.get("fieldManager");
  if (explicit) return explicit;
  const product = (userAgent ?? "").split("/")[0]?.trim();
  return product || undefined;
}
