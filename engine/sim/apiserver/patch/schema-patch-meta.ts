// PatchMeta from each kind's schema (ResourceType.schema, engine/sim/schema):
// each list field's x-kubernetes-patch-merge-key / patch-strategy /
// list-type / list-map-keys, and key defaults from the item schema
// (ports.protocol = TCP). The built-in table fills in what the schema does
// not say (atomic structs such as LabelSelector).
import type { Registry } from "../../registry";
import type { Field, FieldType } from "../../schema/dsl";
import { schemaByName } from "../../schema/registry";
import { builtinPatchMeta, type FieldMeta, type PatchMetaResolver } from "./patch-meta";

function fieldTypeAt(root: string, path: readonly string[]): FieldType | undefined {
  let current: FieldType = { kind: "ref", name: root };
  for (let i = 0; i < path.length; ) {
    const segment = path[i] as string;
    if (current.kind === "list") {
      current = current.items;
      continue;
    }
    if (current.kind === "map") {
      current = current.values;
      i++;
      continue;
    }
    if (current.kind !== "ref") return undefined;
    const field: Field | undefined = schemaByName(current.name)?.fields[segment];
    if (!field) return undefined;
    current = field.type;
    i++;
  }
  return current;
}

function keyDefaults(items: FieldType, keys: string[]): Record<string, string | number | boolean> | undefined {
  if (items.kind !== "ref") return undefined;
  const fields = schemaByName(items.name)?.fields ?? {};
  const out: Record<string, string | number | boolean> = {};
  for (const key of keys) {
    const value = fields[key]?.default;
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") out[key] = value;
  }
  return Object.keys(out).length ? out : undefined;
}

export const schemaPatchMeta = (registry: Registry): PatchMetaResolver => (apiVersion, kind) => {
  const builtin = builtinPatchMeta(apiVersion, kind);
  const schema = registry.schemaFor(apiVersion, kind);
  if (!schema) return builtin;
  return {
    schema,
    lookup(path) {
      const fallback = builtin.lookup(path);
      const type = fieldTypeAt(schema.name, path);
      if (type?.kind !== "list") return fallback;
      const meta: FieldMeta = { ...(fallback?.mapType ? { mapType: fallback.mapType } : {}) };
      if (type.mergeKey) meta.mergeKey = type.mergeKey;
      if (type.strategy) meta.strategy = type.strategy;
      if (type.listType) meta.listType = type.listType;
      // Upstream's list-map-keys always include the merge key (ports: [containerPort, protocol]).
      const keys = [...(type.mergeKey && !type.mapKeys?.includes(type.mergeKey) ? [type.mergeKey] : []), ...(type.mapKeys ?? [])];
      if (keys.length) meta.listMapKeys = keys;
      const defaults = keyDefaults(type.items, keys);
      if (defaults) meta.keyDefaults = defaults;
      if (!type.mergeKey && !type.strategy && !type.listType) return fallback;
      return meta;
    },
  };
};
