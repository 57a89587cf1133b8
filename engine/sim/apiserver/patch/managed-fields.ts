// Field ownership (metadata.managedFields), in upstream's structured-merge-diff
// terms: a manager owns a set of field paths; a set travels as FieldsV1 JSON
// where `f:<name>` is a field, `k:{"name":"x"}` a list item by its keys,
// `v:"x"` a value of a set-like list, and `.` marks a node that is owned
// itself and also has owned children.
import { isObject, jsonEqual, type Json, type JsonObject } from "./json";
import { listKeysOf, listTypeOf, type PatchMeta } from "./patch-meta";

/** One path element, encoded as in FieldsV1 (`f:name`, `k:{...}`, `v:...`, `i:0`). */
export type PathElement = string;
export type FieldPath = PathElement[];

export interface ManagedFieldsEntry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time?: string;
  fieldsType: "FieldsV1";
  fieldsV1: JsonObject;
  subresource?: string;
}

const ORDER: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

function comparePE(a: string, b: string): number {
  const ka = ORDER[a[0] ?? ""] ?? 9;
  const kb = ORDER[b[0] ?? ""] ?? 9;
  if (ka !== kb) return ka - kb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A set of field paths, as a trie. */
export class FieldSet {
  member = false;
  readonly children = new Map<PathElement, FieldSet>();

  static fromFieldsV1(value: unknown): FieldSet {
    const set = new FieldSet();
    if (!isObject(value)) return set;
    for (const [key, child] of Object.entries(value)) {
      if (key === ".") set.member = true;
      else {
        const node = FieldSet.fromFieldsV1(child);
        if (!isObject(child) || Object.keys(child).length === 0) node.member = true;
        set.children.set(key, node);
      }
    }
    return set;
  }

  static of(paths: FieldPath[]): FieldSet {
    const set = new FieldSet();
    for (const p of paths) set.insert(p);
    return set;
  }

  insert(path: FieldPath): void {
    const [first, ...rest] = path;
    if (first === undefined) {
      this.member = true;
      return;
    }
    let next = this.children.get(first);
    if (!next) this.children.set(first, (next = new FieldSet()));
    next.insert(rest);
  }

  has(path: FieldPath): boolean {
    const node = this.node(path);
    return !!node?.member;
  }

  /** Whether the set holds `path` itself or anything below it. */
  touches(path: FieldPath): boolean {
    const node = this.node(path);
    return !!node && !node.empty();
  }

  node(path: FieldPath): FieldSet | undefined {
    const [first, ...rest] = path;
    if (first === undefined) return this;
    return this.children.get(first)?.node(rest);
  }

  empty(): boolean {
    if (this.member) return false;
    for (const child of this.children.values()) if (!child.empty()) return false;
    return true;
  }

  union(other: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member || other.member;
    for (const key of new Set([...this.children.keys(), ...other.children.keys()])) {
      const a = this.children.get(key);
      const b = other.children.get(key);
      const merged = a && b ? a.union(b) : (a ?? b)?.clone();
      if (merged && !merged.empty()) out.children.set(key, merged);
    }
    return out;
  }

  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member && !other.member;
    for (const [key, a] of this.children) {
      const b = other.children.get(key);
      const rest = b ? a.difference(b) : a.clone();
      if (!rest.empty()) out.children.set(key, rest);
    }
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member && other.member;
    for (const [key, a] of this.children) {
      const b = other.children.get(key);
      if (!b) continue;
      const both = a.intersection(b);
      if (!both.empty()) out.children.set(key, both);
    }
    return out;
  }

  clone(): FieldSet {
    const out = new FieldSet();
    out.member = this.member;
    for (const [key, child] of this.children) out.children.set(key, child.clone());
    return out;
  }

  /** Every member path, depth first in FieldsV1 order. */
  paths(prefix: FieldPath = []): FieldPath[] {
    const out: FieldPath[] = this.member ? [prefix] : [];
    for (const key of [...this.children.keys()].sort(comparePE)) out.push(...(this.children.get(key) as FieldSet).paths([...prefix, key]));
    return out;
  }

  toFieldsV1(): JsonObject {
    const out: JsonObject = {};
    if (this.member && this.children.size) out["."] = {};
    for (const key of [...this.children.keys()].sort(comparePE)) {
      const child = this.children.get(key) as FieldSet;
      if (!child.empty()) out[key] = child.toFieldsV1();
    }
    return out;
  }
}

/** `.spec.containers[name="nginx"].image`, as conflict messages print a path. */
export function pathString(path: FieldPath): string {
  return path
    .map((pe) => {
      const body = pe.slice(2);
      switch (pe[0]) {
        case "f":
          return `.${body}`;
        case "k": {
          const key = JSON.parse(body) as JsonObject;
          return `[${Object.keys(key).map((k) => `${k}=${JSON.stringify(key[k])}`).join(",")}]`;
        }
        case "v":
          return `[=${body}]`;
        default:
          return `[${body}]`;
      }
    })
    .join("");
}

export const fieldPE = (name: string): PathElement => `f:${name}`;

function sortedJson(value: JsonObject): string {
  return JSON.stringify(Object.fromEntries(Object.keys(value).sort().map((k) => [k, value[k] as Json])));
}

/** The path element of a list item, or undefined if the list is atomic. */
export function itemPE(meta: PatchMeta, fieldPath: string[], item: Json, index: number, list: Json[]): PathElement | undefined {
  const fieldMeta = meta.lookup(fieldPath);
  const type = listTypeOf(fieldMeta, !list.some((i) => typeof i === "object" && i !== null));
  if (type === "set") return `v:${JSON.stringify(item)}`;
  if (type === "map") {
    if (!isObject(item)) return `i:${index}`;
    const key: JsonObject = {};
    for (const k of listKeysOf(fieldMeta)) {
      const v = item[k] ?? fieldMeta?.keyDefaults?.[k];
      if (v !== undefined) key[k] = v;
    }
    return `k:${sortedJson(key)}`;
  }
  return undefined;
}

/** Fields the API server never attributes to a manager. */
const STRIPPED = new Set(["apiVersion", "kind"]);
const STRIPPED_META = new Set(["name", "namespace", "creationTimestamp", "selfLink", "uid", "generation", "managedFields", "resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "generateName"]);

export interface WalkOptions {
  meta: PatchMeta;
  /** Leave out `status` (writes to the main resource of a type with a status subresource) or everything but `status`. */
  scope?: "main" | "status" | "all";
}

/** Nodes of an object, each with its path; leaves carry their value. */
interface Node {
  path: FieldPath;
  leaf: boolean;
  value?: Json;
  /** A struct upstream always serializes (no `.` when first seen). */
  alwaysPresent: boolean;
}

/** Struct-valued fields present in upstream's zero values, so never "added" as a whole. */
const ALWAYS_PRESENT = new Set(["metadata", "spec", "status", "template", "strategy", "updateStrategy", "jobTemplate", "resources", "containers"]);

function walk(object: JsonObject, options: WalkOptions, visit: (node: Node) => void): void {
  const meta = options.meta;
  const scope = options.scope ?? "all";
  const visitMap = (map: JsonObject, fieldPath: string[], path: FieldPath): void => {
    for (const [key, value] of Object.entries(map)) {
      if (!path.length) {
        if (STRIPPED.has(key)) continue;
        if (scope === "main" && key === "status") continue;
        if (scope === "status" && key !== "status" && key !== "metadata") continue;
      }
      if (path.length === 1 && path[0] === "f:metadata" && STRIPPED_META.has(key)) continue;
      visitValue(value, [...fieldPath, key], [...path, fieldPE(key)], ALWAYS_PRESENT.has(key) && path.length < 6);
    }
  };
  const visitValue = (value: Json, fieldPath: string[], path: FieldPath, alwaysPresent: boolean): void => {
    const fieldMeta = meta.lookup(fieldPath);
    if (isObject(value)) {
      if (!Object.keys(value).length || fieldMeta?.mapType === "atomic") return visit({ path, leaf: true, value, alwaysPresent });
      visit({ path, leaf: false, alwaysPresent });
      return visitMap(value, fieldPath, path);
    }
    if (Array.isArray(value)) {
      const items = value.map((item, i) => itemPE(meta, fieldPath, item, i, value));
      if (items.some((pe) => pe === undefined) || (!value.length && listTypeOf(fieldMeta, true) === "atomic")) {
        return visit({ path, leaf: true, value, alwaysPresent });
      }
      visit({ path, leaf: false, alwaysPresent });
      value.forEach((item, i) => {
        const itemPath = [...path, items[i] as PathElement];
        if (isObject(item)) {
          visit({ path: itemPath, leaf: false, alwaysPresent: false });
          visitMap(item, fieldPath, itemPath);
        } else visit({ path: itemPath, leaf: true, value: item, alwaysPresent: false });
      });
      return;
    }
    visit({ path, leaf: true, value, alwaysPresent });
  };
  visitMap(object, [], []);
}

/**
 * The fields an applied configuration sets (upstream ToFieldSet): its leaves,
 * empty maps, and the items of keyed and set-like lists.
 */
export function appliedFieldSet(config: JsonObject, options: WalkOptions): FieldSet {
  const set = new FieldSet();
  walk(config, options, (node) => {
    const last = node.path.at(-1) ?? "";
    if (node.leaf || last.startsWith("k:") || last.startsWith("i:")) set.insert(node.path);
  });
  return set;
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

function index(object: JsonObject | undefined, options: WalkOptions): Map<string, Node> {
  const nodes = new Map<string, Node>();
  if (object) walk(object, options, (node) => nodes.set(node.path.join("\u0000"), node));
  return nodes;
}

/** What changed from `before` to `after`, path by path (upstream TypedValue.Compare). */
export function compare(before: JsonObject | undefined, after: JsonObject, options: WalkOptions): Comparison {
  const old = index(before, options);
  const now = index(after, options);
  const result: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  for (const [key, node] of now) {
    const was = old.get(key);
    if (!was) {
      // A null leaf is what upstream's zero value holds already (template creationTimestamp: null).
      if (node.leaf && node.value === null && !before) continue;
      if (!node.alwaysPresent || node.leaf) result.added.insert(node.path);
    } else if ((node.leaf || was.leaf) && !jsonEqual(node.value, was.value)) result.modified.insert(node.path);
  }
  for (const [key, node] of old) if (!now.has(key)) result.removed.insert(node.path);
  return result;
}

/** Remove the node at `path` from `object` (in place). */
export function removePath(object: JsonObject, path: FieldPath, meta: PatchMeta): void {
  let node: Json = object;
  const fieldPath: string[] = [];
  for (let i = 0; i < path.length; i++) {
    const pe = path[i] as PathElement;
    const last = i === path.length - 1;
    if (pe.startsWith("f:")) {
      if (!isObject(node)) return;
      const name = pe.slice(2);
      if (last) {
        delete node[name];
        return;
      }
      fieldPath.push(name);
      node = node[name] ?? null;
    } else {
      if (!Array.isArray(node)) return;
      const list: Json[] = node;
      const at = list.findIndex((item, j) => itemPE(meta, fieldPath, item, j, list) === pe);
      if (at < 0) return;
      if (last) {
        list.splice(at, 1);
        return;
      }
      node = list[at] ?? null;
    }
  }
}
