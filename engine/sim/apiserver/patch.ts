// PATCH bodies: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and a
// first cut of strategic merge patch (lists of named items merge by name;
// directives beyond `$patch: delete` and `$retainKeys` come with full SMP).
import { errors } from "./status";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (v: unknown): v is Record<string, Json> => typeof v === "object" && v !== null && !Array.isArray(v);

export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const result: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key] ?? null, value);
  }
  return result;
}

/** Lists whose items carry one of these keys merge item by item (containers, ports, env, volumes...). */
const MERGE_KEYS = ["name", "containerPort", "mountPath", "ip", "type", "port", "key"];

function mergeKeyOf(items: Json[]): string | undefined {
  return MERGE_KEYS.find((k) => items.length > 0 && items.every((i) => isObject(i) && i[k] !== undefined));
}

function strategicList(target: Json, patch: Json[]): Json {
  const current = Array.isArray(target) ? target : [];
  const key = mergeKeyOf(patch.filter((p) => !(isObject(p) && p.$patch === "delete")).concat(current));
  if (!key || !current.every(isObject)) return patch;
  const result: Json[] = [...current];
  for (const item of patch) {
    if (!isObject(item)) return patch;
    const at = result.findIndex((r) => isObject(r) && r[key] === item[key]);
    if (item.$patch === "delete") {
      if (at >= 0) result.splice(at, 1);
    } else if (at >= 0) result[at] = strategicMerge(result[at] ?? null, item);
    else result.push(strategicMerge(null, item));
  }
  return result;
}

export function strategicMerge(target: Json, patch: Json): Json {
  if (Array.isArray(patch)) return strategicList(target, patch);
  if (!isObject(patch)) return patch;
  const result: Record<string, Json> = isObject(target) ? { ...target } : {};
  const retain = patch.$retainKeys;
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith("$")) continue;
    if (value === null) delete result[key];
    else result[key] = strategicMerge(result[key] ?? null, value);
  }
  if (Array.isArray(retain)) for (const key of Object.keys(result)) if (!retain.includes(key)) delete result[key];
  if (patch.$patch === "replace") return Object.fromEntries(Object.entries(result).filter(([k]) => !k.startsWith("$")));
  return result;
}

function pointer(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw errors.badRequest(`invalid JSON pointer: ${JSON.stringify(path)}`);
  return path
    .slice(1)
    .split("/")
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function parentOf(doc: Json, parts: string[]): { parent: Json; last: string } {
  let node = doc;
  for (const part of parts.slice(0, -1)) {
    const next: Json | undefined = Array.isArray(node) ? node[Number(part)] : isObject(node) ? node[part] : undefined;
    if (next === undefined) throw errors.badRequest(`the server rejected our request due to an error in our request: path ${parts.join("/")} not found`);
    node = next;
  }
  return { parent: node, last: parts.at(-1) ?? "" };
}

function getAt(doc: Json, path: string): Json {
  const { parent, last } = parentOf(doc, pointer(path));
  const value = Array.isArray(parent) ? parent[Number(last)] : isObject(parent) ? parent[last] : undefined;
  if (value === undefined) throw errors.badRequest(`the server rejected our request due to an error in our request: path ${path} not found`);
  return value;
}

function removeAt(doc: Json, path: string): void {
  const { parent, last } = parentOf(doc, pointer(path));
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else if (isObject(parent) && last in parent) delete parent[last];
  else throw errors.badRequest(`the server rejected our request due to an error in our request: path ${path} not found`);
}

function addAt(doc: Json, path: string, value: Json, replace: boolean): Json {
  const parts = pointer(path);
  if (!parts.length) return value;
  const { parent, last } = parentOf(doc, parts);
  if (Array.isArray(parent)) {
    const index = last === "-" ? parent.length : Number(last);
    if (replace) parent[index] = value;
    else parent.splice(index, 0, value);
  } else if (isObject(parent)) parent[last] = value;
  else throw errors.badRequest(`the server rejected our request due to an error in our request: path ${path} not found`);
  return doc;
}

export function jsonPatch(target: Json, operations: unknown): Json {
  if (!Array.isArray(operations)) throw errors.badRequest("json patch must be a list of operations");
  let doc = structuredClone(target);
  for (const op of operations as { op?: string; path?: string; from?: string; value?: Json }[]) {
    const path = op.path ?? "";
    switch (op.op) {
      case "add":
        doc = addAt(doc, path, op.value ?? null, false);
        break;
      case "replace":
        getAt(doc, path);
        doc = addAt(doc, path, op.value ?? null, true);
        break;
      case "remove":
        removeAt(doc, path);
        break;
      case "copy":
        doc = addAt(doc, path, structuredClone(getAt(doc, op.from ?? "")), false);
        break;
      case "move": {
        const value = getAt(doc, op.from ?? "");
        removeAt(doc, op.from ?? "");
        doc = addAt(doc, path, value, false);
        break;
      }
      case "test":
        if (JSON.stringify(getAt(doc, path)) !== JSON.stringify(op.value)) {
          throw failureTest(path);
        }
        break;
      default:
        throw errors.badRequest(`Unexpected kind: ${String(op.op)}`);
    }
  }
  return doc;
}

function failureTest(path: string): Error {
  return errors.badRequest(`the server rejected our request due to an error in our request: testing value ${path} failed`);
}

export type { Json };
