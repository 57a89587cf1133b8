// OpenAPI v3 documents generated from the schema registry, one per
// group/version, as kubectl expects them: explain reads the schemas and
// descriptions, apply reads the strategic-merge extensions, and create/apply
// only send fieldValidation=Strict when the PATCH operation declares it.
import { createHash } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { Registry, ResourceType } from "../registry";
import type { Field, FieldType, ObjectSchema } from "./dsl";
import { closure, jsonFields, schemaByName, schemaForKind } from "./registry";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";
const INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
const TIME = "io.k8s.apimachinery.pkg.apis.meta.v1.Time";
const MICRO_TIME = "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime";
const STATUS = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";

/** Schemas of the wire types that are not objects (no `type` on Quantity and IntOrString, so explain prints their names). */
const PRIMITIVES: Record<string, JsonObject> = {
  [QUANTITY]: {
    description: "An amount of a resource, as a number with an optional suffix: 100m (a tenth of a CPU), 128Mi, 1Gi, 2. Sent as a string.",
    oneOf: [{ type: "string" }, { type: "number" }],
  },
  [INT_OR_STRING]: {
    description: "Either a number or a string, e.g. a port number (8080) or a port name (\"http\"), or a count (1) or percentage (\"25%\").",
    format: "int-or-string",
    "x-kubernetes-int-or-string": true,
  },
  [TIME]: { description: "A point in time, in RFC 3339 form with seconds, in UTC (2026-03-01T12:00:00Z).", type: "string", format: "date-time" },
  [MICRO_TIME]: { description: "A point in time with microseconds, in RFC 3339 form (2026-03-01T12:00:00.000000Z).", type: "string", format: "date-time" },
};

const PATCH_TYPES = ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json"];

function ref(name: string): JsonObject {
  return { $ref: `#/components/schemas/${name}` };
}

function typeSchema(type: FieldType): JsonObject {
  switch (type.kind) {
    case "ref":
      return { allOf: [ref(type.name)] };
    case "map":
      return { type: "object", additionalProperties: typeSchema(type.values) };
    case "list": {
      const out: JsonObject = { type: "array", items: typeSchema(type.items) };
      if (type.listType) out["x-kubernetes-list-type"] = type.listType;
      if (type.mapKeys) out["x-kubernetes-list-map-keys"] = [...type.mapKeys];
      if (type.mergeKey) out["x-kubernetes-patch-merge-key"] = type.mergeKey;
      if (type.strategy) out["x-kubernetes-patch-strategy"] = type.strategy;
      return out;
    }
    case "scalar":
      break;
  }
  switch (type.scalar) {
    case "string":
      return type.enum ? { type: "string", enum: type.enum } : { type: "string" };
    case "int32":
      return { type: "integer", format: "int32" };
    case "int64":
      return { type: "integer", format: "int64" };
    case "number":
      return { type: "number", format: "double" };
    case "bool":
      return { type: "boolean" };
    case "bytes":
      return { type: "string", format: "byte" };
    case "duration":
      return { type: "string" };
    case "quantity":
      return { allOf: [ref(QUANTITY)] };
    case "intOrString":
      return { allOf: [ref(INT_OR_STRING)] };
    case "time":
      return { allOf: [ref(TIME)] };
    case "microTime":
      return { allOf: [ref(MICRO_TIME)] };
    case "raw":
      return { type: "object", "x-kubernetes-preserve-unknown-fields": true };
  }
}

function fieldSchema(field: Field): JsonObject {
  const schema: JsonObject = { description: field.description, ...typeSchema(field.type) };
  if (field.default !== undefined) schema.default = field.default as Json;
  // A list's merge metadata belongs on the property itself, where strategic merge looks for it.
  return schema;
}

export function objectSchema(schema: ObjectSchema): JsonObject {
  const properties: JsonObject = {};
  const required: string[] = [];
  for (const [name, field] of Object.entries(jsonFields(schema))) {
    properties[name] = fieldSchema(field);
    if (field.required) required.push(name);
  }
  const out: JsonObject = { description: schema.description, type: "object", properties };
  if (required.length) out.required = required;
  if (schema.open) out["x-kubernetes-preserve-unknown-fields"] = true;
  if (schema.gvk) out["x-kubernetes-group-version-kind"] = [{ group: schema.gvk.group, kind: schema.gvk.kind, version: schema.gvk.version }];
  return out;
}

function usedPrimitives(schemas: JsonObject): string[] {
  const text = JSON.stringify(schemas);
  return Object.keys(PRIMITIVES).filter((name) => text.includes(`"#/components/schemas/${name}"`));
}

function queryParam(name: string, description: string, type: "string" | "boolean" | "integer" = "string"): JsonObject {
  return { name, in: "query", description, schema: { type, uniqueItems: true } };
}

const PARAMS = {
  dryRun: queryParam("dryRun", "All: check the request and answer as if it succeeded, but store nothing."),
  fieldManager: queryParam("fieldManager", "Name of the actor making this change, recorded in managedFields."),
  fieldValidation: queryParam("fieldValidation", "What to do with unknown or duplicate fields in the body: Ignore, Warn (answer with a warning header) or Strict (reject the request)."),
  force: queryParam("force", "Server-side apply: take ownership of fields other managers own.", "boolean"),
  pretty: queryParam("pretty", "Indent the output."),
  labelSelector: queryParam("labelSelector", "Only objects whose labels match this selector."),
  fieldSelector: queryParam("fieldSelector", "Only objects whose fields match this selector."),
  limit: queryParam("limit", "At most this many items; the rest comes with the continue token.", "integer"),
  continue: queryParam("continue", "Token from a previous page of a list."),
  watch: queryParam("watch", "Stream changes instead of returning a list.", "boolean"),
  resourceVersion: queryParam("resourceVersion", "Which version of the data a read or watch may start from."),
  gracePeriodSeconds: queryParam("gracePeriodSeconds", "Seconds the object gets to shut down before it is removed.", "integer"),
  propagationPolicy: queryParam("propagationPolicy", "Whether and how dependents are garbage collected: Orphan, Background or Foreground."),
};

function pathParam(name: string, description: string): JsonObject {
  return { name, in: "path", required: true, description, schema: { type: "string", uniqueItems: true } };
}

function content(schemaName: string, types = ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"]): JsonObject {
  const out: JsonObject = {};
  for (const t of types) out[t] = { schema: ref(schemaName) };
  return out;
}

interface Target {
  gvk: { group: string; version: string; kind: string };
  schema: string;
  /** false: no property schema, so strategic merge patches must not be advertised. */
  structured: boolean;
}

function operation(action: string, id: string, description: string, target: Target, parameters: Json[], body: JsonObject | undefined, response: string): JsonObject {
  const op: JsonObject = {
    description,
    operationId: id,
    parameters,
    responses: { "200": { description: "OK", content: content(response) }, "401": { description: "Unauthorized" } },
    "x-kubernetes-action": action,
    "x-kubernetes-group-version-kind": { group: target.gvk.group, kind: target.gvk.kind, version: target.gvk.version },
  };
  if (body) op.requestBody = body;
  return op;
}

function writeBody(schema: string): JsonObject {
  return { content: content(schema, ["*/*"]), required: true };
}

function patchBody(target: Target): JsonObject {
  const types = target.structured ? PATCH_TYPES : PATCH_TYPES.filter((t) => t !== "application/strategic-merge-patch+json");
  const out: JsonObject = {};
  for (const t of types) out[t] = { schema: { type: "object", description: "A patch of the kind named by the content type." } };
  return { content: out, required: true };
}

function targetOf(type: ResourceType, kind = type.kind, group = type.group, version = type.version): Target {
  const apiVersion = group ? `${group}/${version}` : version;
  const schema = schemaForKind(apiVersion, kind);
  return { gvk: { group, version, kind }, schema: schema?.name ?? fallbackName(group, version, kind), structured: !!schema };
}

/** Component name for a kind the schema registry does not describe yet. */
function fallbackName(group: string, version: string, kind: string): string {
  const reversed = group ? group.split(".").reverse().join(".") : "core";
  return `io.k8s.sim.${reversed}.${version}.${kind}`;
}

function resourcePaths(type: ResourceType, prefix: string, paths: JsonObject, targets: Target[]): void {
  const target = targetOf(type);
  targets.push(target);
  const kind = type.kind;
  const verbs = new Set(type.verbs);
  const nsParam = pathParam("namespace", "The namespace the objects live in.");
  const nameParam = pathParam("name", `Name of the ${kind}.`);
  const base = type.namespaced ? `${prefix}/namespaces/{namespace}/${type.plural}` : `${prefix}/${type.plural}`;
  const scope = type.namespaced ? [nsParam] : [];
  const idPart = `${kind}${type.namespaced ? "Namespaced" : ""}`;
  const write = [PARAMS.dryRun, PARAMS.fieldManager, PARAMS.fieldValidation, PARAMS.pretty];
  const collection: JsonObject = { parameters: [...scope] };
  const listParams = [PARAMS.labelSelector, PARAMS.fieldSelector, PARAMS.limit, PARAMS.continue, PARAMS.resourceVersion, PARAMS.watch];
  if (verbs.has("list")) collection.get = operation("list", `list${idPart}`, `List or watch ${type.plural}.`, target, listParams, undefined, target.schema);
  if (verbs.has("create")) collection.post = operation("post", `create${idPart}`, `Create a ${kind}.`, target, write, writeBody(target.schema), target.schema);
  if (verbs.has("deletecollection")) collection.delete = operation("deletecollection", `deleteCollection${idPart}`, `Delete the ${type.plural} that match the selectors.`, target, [...listParams, PARAMS.gracePeriodSeconds, PARAMS.propagationPolicy, PARAMS.dryRun], undefined, STATUS);
  paths[base] = collection;

  const item: JsonObject = { parameters: [...scope, nameParam] };
  if (verbs.has("get")) item.get = operation("get", `read${idPart}`, `Read one ${kind}.`, target, [PARAMS.pretty], undefined, target.schema);
  if (verbs.has("update")) item.put = operation("put", `replace${idPart}`, `Replace one ${kind}.`, target, write, writeBody(target.schema), target.schema);
  if (verbs.has("patch")) item.patch = operation("patch", `patch${idPart}`, `Change part of one ${kind}.`, target, [...write, PARAMS.force], patchBody(target), target.schema);
  if (verbs.has("delete")) item.delete = operation("delete", `delete${idPart}`, `Delete one ${kind}.`, target, [PARAMS.gracePeriodSeconds, PARAMS.propagationPolicy, PARAMS.dryRun], undefined, STATUS);
  paths[`${base}/{name}`] = item;

  if (type.namespaced && verbs.has("list")) {
    paths[`${prefix}/${type.plural}`] = { parameters: [], get: operation("list", `list${kind}ForAllNamespaces`, `List or watch ${type.plural} in every namespace.`, target, listParams, undefined, target.schema) };
  }

  for (const sub of type.subresources) {
    if (sub.name !== "status" && sub.name !== "scale") continue;
    const subTarget = sub.name === "scale" ? targetOf(type, sub.kind, sub.group ?? type.group, sub.version ?? type.version) : target;
    if (sub.name === "scale") targets.push(subTarget);
    const cap = sub.name === "status" ? "Status" : "Scale";
    const entry: JsonObject = { parameters: [...scope, nameParam] };
    if (sub.verbs.includes("get")) entry.get = operation("get", `read${idPart}${cap}`, `Read the ${sub.name} of one ${kind}.`, subTarget, [PARAMS.pretty], undefined, subTarget.schema);
    if (sub.verbs.includes("update")) entry.put = operation("put", `replace${idPart}${cap}`, `Replace the ${sub.name} of one ${kind}.`, subTarget, write, writeBody(subTarget.schema), subTarget.schema);
    if (sub.verbs.includes("patch")) entry.patch = operation("patch", `patch${idPart}${cap}`, `Change part of the ${sub.name} of one ${kind}.`, subTarget, [...write, PARAMS.force], patchBody(subTarget), subTarget.schema);
    paths[`${base}/{name}/${sub.name}`] = entry;
  }
}

/** The OpenAPI v3 document of one group/version. */
export function groupVersionDocument(registry: Registry, group: string, version: string): JsonObject | undefined {
  const types = registry.inGroupVersion(group, version);
  if (!types.length) return undefined;
  const prefix = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const paths: JsonObject = {};
  const targets: Target[] = [];
  for (const type of types) resourcePaths(type, prefix, paths, targets);
  const structured = targets.filter((t) => t.structured).map((t) => t.schema);
  const schemas: JsonObject = {};
  for (const name of closure([...structured, STATUS])) {
    const schema = schemaByName(name);
    if (schema) schemas[name] = objectSchema(schema);
  }
  for (const t of targets) {
    if (t.structured || schemas[t.schema]) continue;
    schemas[t.schema] = {
      description: `${t.gvk.kind} (this simulator does not describe its fields yet).`,
      type: "object",
      "x-kubernetes-preserve-unknown-fields": true,
      "x-kubernetes-group-version-kind": [{ group: t.gvk.group, kind: t.gvk.kind, version: t.gvk.version }],
    };
  }
  for (const name of usedPrimitives(schemas)) schemas[name] = PRIMITIVES[name] as JsonObject;
  const sorted: JsonObject = {};
  for (const name of Object.keys(schemas).sort()) sorted[name] = schemas[name] as Json;
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: "v1.32.3" },
    paths,
    components: { schemas: sorted },
  };
}

interface Served {
  index: JsonObject;
  docs: Map<string, { text: string; hash: string }>;
}

const cache = new WeakMap<Registry, Served>();

/** Every document of a registry, rendered once: the registry is shared and fixed. */
export function openApiDocuments(registry: Registry): Served {
  let served = cache.get(registry);
  if (served) return served;
  const docs = new Map<string, { text: string; hash: string }>();
  const index: JsonObject = {};
  for (const gv of registry.groupVersions()) {
    const doc = groupVersionDocument(registry, gv.group, gv.version);
    if (!doc) continue;
    const key = gv.group ? `apis/${gv.group}/${gv.version}` : `api/${gv.version}`;
    const text = JSON.stringify(doc);
    const hash = createHash("sha512").update(text).digest("hex").toUpperCase();
    docs.set(key, { text, hash });
    index[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
  }
  served = { index: { paths: index }, docs };
  cache.set(registry, served);
  return served;
}

/**
 * Serve `/openapi/v3` and `/openapi/v3/<api/v1|apis/g/v>`. Returns false for
 * paths it does not know (the caller answers 404).
 */
export function serveOpenApi(registry: Registry, url: URL, res: ServerResponse): boolean {
  const parts = url.pathname.split("/").filter(Boolean);
  if (parts[0] !== "openapi" || parts[1] !== "v3") return false;
  const served = openApiDocuments(registry);
  if (parts.length === 2) {
    const text = JSON.stringify(served.index);
    res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), "Cache-Control": "no-cache, private" });
    res.end(text);
    return true;
  }
  const doc = served.docs.get(parts.slice(2).join("/"));
  if (!doc) return false;
  const hashed = url.searchParams.get("hash") === doc.hash;
  res.writeHead(200, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(doc.text),
    // With the content hash in the URL the document can never change: kubectl keeps it on disk.
    "Cache-Control": hashed ? "public, immutable" : "no-cache, private",
    Etag: `"${doc.hash}"`,
  });
  res.end(doc.text);
  return true;
}
