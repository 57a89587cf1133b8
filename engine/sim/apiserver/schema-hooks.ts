// Where the API server's HTTP layer meets the schema registry: protobuf
// request bodies, fieldValidation on writes, and the OpenAPI v3 documents.
import type { ServerResponse } from "node:http";
import type { Registry, ResourceType } from "../registry";
import type { KObject } from "../types";
import { parseFieldValidation, pruneUnknownFields, unknownFields } from "../schema/fields";
import { typeProblem } from "../schema/type-check";
import { decodeProtobufObject, ProtobufError } from "../schema/protobuf";
import { errors } from "./status";

export { serveOpenApi } from "../schema/openapi";
export { PROTOBUF_CONTENT_TYPE } from "../schema/protobuf";

/** A `k8s\0` + runtime.Unknown body as the JSON object it carries, decoded with the schema the registry has for its kind. */
export function decodeProtobufBody(registry: Registry, body: Buffer): KObject {
  try {
    return decodeProtobufObject(body, (apiVersion, kind) => registry.schemaFor(apiVersion, kind)?.name) as unknown as KObject;
  } catch (error) {
    if (error instanceof ProtobufError) throw errors.badRequest(`error decoding protobuf request body: ${error.message}`);
    throw error;
  }
}

/**
 * Apply `fieldValidation` to a create/update body or a merge/strategic patch
 * (a body's values of the wrong JSON type are a 400 first): Strict rejects
 * unknown fields (400), Warn adds one `Warning` header per field, Ignore is
 * silent. Unknown fields are removed from `body` either way: upstream
 * decodes into typed structs, so they are never stored.
 */
export function checkFields(type: ResourceType, body: unknown, query: URLSearchParams, res: ServerResponse, patch = false): void {
  const mode = parseFieldValidation(query.get("fieldValidation"));
  if (!mode) {
    throw errors.badRequest(`fieldValidation parameter unsupported: ${query.get("fieldValidation") ?? ""}. Supported values are: Ignore, Warn, Strict`);
  }
  const cannotHandle = `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: `;
  // Decoding into the typed object fails before any unknown field is looked at (patches: patch/writes.ts).
  const wrongType = patch ? undefined : typeProblem(type.schema, body, "json");
  if (wrongType) throw errors.badRequest(cannotHandle + wrongType);
  if (mode === "Ignore") {
    pruneUnknownFields(type.schema, body, patch);
    return;
  }
  const unknown = mode === "Strict" ? unknownFields(type.schema, body, patch) : pruneUnknownFields(type.schema, body, patch);
  if (!unknown.length) return;
  const described = unknown.map((path) => `unknown field "${path}"`);
  if (mode === "Strict") {
    const prefix = patch ? "" : cannotHandle;
    throw errors.badRequest(`${prefix}strict decoding error: ${described.join(", ")}`);
  }
  const previous = res.getHeader("Warning");
  const existing = Array.isArray(previous) ? previous : previous === undefined ? [] : [String(previous)];
  res.setHeader("Warning", [...existing, ...described.map((text) => `299 - ${JSON.stringify(text)}`)]);
}
