// Server-side field validation (the `fieldValidation` query parameter):
// fields a body carries that its schema does not know. kubectl sends
// fieldValidation=Strict by default (its --validate=strict) and Warn for
// --validate=warn; without the parameter the server warns.
import type { FieldType, ObjectSchema } from "./dsl";
import { jsonFields, schemaByName } from "./registry";

export type FieldValidation = "Strict" | "Warn" | "Ignore";

export function parseFieldValidation(value: string | null): FieldValidation | undefined {
  if (value === null || value === "") return "Warn";
  if (value === "Strict" || value === "Warn" || value === "Ignore") return value;
  return undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Strategic-merge directives are not fields: `$patch`, `$retainKeys`,
 * `$setElementOrder/containers`, `$deleteFromPrimitiveList/finalizers`.
 */
export function isDirective(key: string): boolean {
  return key.startsWith("$");
}

/** Walk options: collect unknown paths into `out`; with `prune`, also delete them (the server never stores them). */
interface Walk {
  out: string[];
  patch: boolean;
  prune: boolean;
}

function walkType(type: FieldType, value: unknown, path: string, walk: Walk): void {
  if (value === null || value === undefined) return;
  switch (type.kind) {
    case "ref": {
      const schema = schemaByName(type.name);
      if (schema && isRecord(value)) walkObject(schema, value, path, walk);
      return;
    }
    case "list":
      if (Array.isArray(value)) value.forEach((item, i) => walkType(type.items, item, `${path}[${i}]`, walk));
      return;
    case "map":
      if (isRecord(value)) for (const [key, item] of Object.entries(value)) walkType(type.values, item, `${path}.${key}`, walk);
      return;
    case "scalar":
      return;
  }
}

function walkObject(schema: ObjectSchema, value: Record<string, unknown>, path: string, walk: Walk): void {
  if (schema.open) return;
  for (const [key, item] of Object.entries(value)) {
    if (walk.patch && isDirective(key)) continue;
    const at = path ? `${path}.${key}` : key;
    const field = jsonFields(schema)[key];
    if (field) walkType(field.type, item, at, walk);
    else {
      walk.out.push(at);
      if (walk.prune) delete value[key];
    }
  }
}

/**
 * Paths of the fields in `object` its kind's schema does not declare, as
 * upstream names them: `spec.containers[0].foo`. `patch`: the body is a
 * merge or strategic-merge patch.
 */
export function unknownFields(schema: ObjectSchema, object: unknown, patch = false): string[] {
  return walkBody(schema, object, { out: [], patch, prune: false });
}

/** Like unknownFields, and removes them from `object` (a decoded body, owned by the caller). */
export function pruneUnknownFields(schema: ObjectSchema, object: unknown, patch = false): string[] {
  return walkBody(schema, object, { out: [], patch, prune: true });
}

function walkBody(schema: ObjectSchema, object: unknown, walk: Walk): string[] {
  if (!isRecord(object)) return [];
  walkObject(schema, object, "", walk);
  return walk.out;
}
