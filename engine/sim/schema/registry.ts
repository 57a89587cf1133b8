// The schema definitions, looked up by OpenAPI name. The package files
// register themselves on import. Which kinds are served, and the schema of
// each, is the resource registry's business (registry/: ResourceType.schema).
import { definitions, type Field, type ObjectSchema } from "./dsl";
import "./meta";
import "./core";
import "./pod";
import "./workloads";
import "./access";
import "./networking";
import "./storage";
import "./metrics";

export function schemaByName(name: string): ObjectSchema | undefined {
  return definitions.get(name);
}

const flattened = new Map<string, Record<string, Field>>();

/** The fields an object has in JSON: its own plus those of its inline-embedded structs. */
export function jsonFields(schema: ObjectSchema): Record<string, Field> {
  let out = flattened.get(schema.name);
  if (!out) {
    out = {};
    for (const embedded of schema.inline ?? []) {
      const inner = embedded.type.kind === "ref" ? definitions.get(embedded.type.name) : undefined;
      if (!inner) throw new Error(`${schema.name}: embedded type is not a defined object`);
      Object.assign(out, jsonFields(inner));
    }
    Object.assign(out, schema.fields);
    flattened.set(schema.name, out);
  }
  return out;
}

/** Names of every schema reachable from `roots` (roots included), in a stable order. */
export function closure(roots: string[]): string[] {
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    const schema = definitions.get(name);
    if (!schema) throw new Error(`schema ${name} is referenced but not defined`);
    seen.add(name);
    for (const field of Object.values(jsonFields(schema))) {
      let type = field.type;
      while (type.kind === "list" || type.kind === "map") type = type.kind === "list" ? type.items : type.values;
      if (type.kind === "ref") visit(type.name);
    }
  };
  for (const root of roots) visit(root);
  return [...seen].sort();
}
