// Server-side apply (PATCH application/apply-patch+yaml) and the managedFields
// bookkeeping of every write, after upstream's structured-merge-diff Updater:
//  - Update (create/update/patch): the writer gains every field it added or
//    changed, and takes those fields from other managers (no conflicts).
//  - Apply: the applied configuration is merged into the live object (maps
//    recursively, keyed lists by key, atomic fields whole); the applier's set
//    becomes exactly the configuration's fields; fields it applied before and
//    no longer applies are removed unless another manager owns them; changing
//    a field another manager owns is a conflict (409) unless forced, which
//    moves the ownership.
import { failure, type ApiError } from "../status";
import { isObject, type Json, type JsonObject } from "./json";
import { appliedFieldSet, compare, FieldSet, itemPE, pathString, removePath, type FieldPath, type ManagedFieldsEntry, type WalkOptions } from "./managed-fields";
import { listTypeOf, type PatchMeta } from "./patch-meta";

export interface Writer {
  manager: string;
  /** Of the resource written (entries of Update operations carry it). */
  apiVersion: string;
  subresource?: string;
}

interface Managed {
  entry: ManagedFieldsEntry;
  set: FieldSet;
}

function decode(entries: unknown): Managed[] {
  if (!Array.isArray(entries)) return [];
  return entries.filter(isObject).map((e) => ({ entry: e as unknown as ManagedFieldsEntry, set: FieldSet.fromFieldsV1(e.fieldsV1) }));
}

function sameManager(a: ManagedFieldsEntry, b: { manager: string; operation: string; apiVersion: string; subresource?: string }): boolean {
  if (a.manager !== b.manager || a.operation !== b.operation || (a.subresource ?? "") !== (b.subresource ?? "")) return false;
  return a.operation === "Apply" || a.apiVersion === b.apiVersion;
}

/** The entries in upstream's order: Apply before Update, then by time, manager, apiVersion. */
function encode(managed: Managed[]): ManagedFieldsEntry[] {
  const out = managed
    .filter((m) => !m.set.empty())
    .map((m) => {
      const { fieldsV1: _f, ...rest } = m.entry;
      return { ...rest, fieldsType: "FieldsV1" as const, fieldsV1: m.set.toFieldsV1() };
    });
  const seconds = (e: ManagedFieldsEntry): number => (e.time ? Math.floor(Date.parse(e.time) / 1000) : 0);
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return out.sort(
    (p, q) =>
      cmp(p.operation, q.operation) ||
      seconds(p) - seconds(q) ||
      cmp(p.manager, q.manager) ||
      cmp(p.apiVersion, q.apiVersion) ||
      cmp(p.subresource ?? "", q.subresource ?? ""),
  );
}

function sameSet(a: FieldSet | undefined, b: FieldSet): boolean {
  return !!a && JSON.stringify(a.toFieldsV1()) === JSON.stringify(b.toFieldsV1());
}

/** managedFields after a create, update or non-apply patch by `writer`. */
export function recordUpdate(before: JsonObject | undefined, after: JsonObject, writer: Writer, now: string, options: WalkOptions): ManagedFieldsEntry[] {
  const source = isObject(after.metadata) && after.metadata.managedFields !== undefined ? after.metadata.managedFields : isObject(before?.metadata) ? before.metadata.managedFields : undefined;
  const managed = decode(source);
  const changes = compare(before, after, options);
  const taken = changes.modified.union(changes.added);
  const me = { manager: writer.manager, operation: "Update", apiVersion: writer.apiVersion, subresource: writer.subresource };
  let mine: Managed | undefined;
  for (const m of managed) {
    if (sameManager(m.entry, me)) mine = m;
    else m.set = m.set.difference(taken).difference(changes.removed);
  }
  const set = (mine?.set ?? new FieldSet()).difference(changes.removed).union(taken);
  if (!sameSet(mine?.set, set) || !mine) {
    const entry: ManagedFieldsEntry = { manager: writer.manager, operation: "Update", apiVersion: writer.apiVersion, time: now, fieldsType: "FieldsV1", fieldsV1: {} };
    if (writer.subresource) entry.subresource = writer.subresource;
    if (mine) {
      mine.entry = entry;
      mine.set = set;
    } else managed.push({ entry, set });
  }
  return encode(managed);
}

export interface ApplyResult {
  object: JsonObject;
  managedFields: ManagedFieldsEntry[];
}

/** Merge `config` into `live` (undefined: create) on behalf of `writer`. Throws a 409 on conflicts unless `force`. */
export function serverSideApply(live: JsonObject | undefined, config: JsonObject, writer: Writer, force: boolean, now: string, options: WalkOptions): ApplyResult {
  const meta = options.meta;
  const liveManaged = decode(live && isObject(live.metadata) ? live.metadata.managedFields : undefined);
  const me = { manager: writer.manager, operation: "Apply", apiVersion: writer.apiVersion, subresource: writer.subresource };
  const previous = liveManaged.find((m) => sameManager(m.entry, me));
  const others = liveManaged.filter((m) => m !== previous);

  const applied = appliedFieldSet(config, options);
  const merged = ssaMerge(live ? structuredClone(live) : undefined, config, [], meta) as JsonObject;
  if (previous) {
    const dropped = previous.set.difference(applied);
    for (const path of dropped.paths().reverse()) {
      // Kept when anyone, the applier's new configuration included, still owns it or something below it.
      if (applied.touches(path) || others.some((m) => m.set.touches(path)) || isKeyField(path)) continue;
      removePath(merged, path, meta);
    }
  }

  const changes = compare(live, merged, options);
  const changed = changes.modified.union(changes.added);
  const conflicts: { manager: ManagedFieldsEntry; path: FieldPath }[] = [];
  for (const m of others) {
    const clash = m.set.intersection(changed);
    if (!clash.empty()) for (const path of clash.paths()) conflicts.push({ manager: m.entry, path });
  }
  if (conflicts.length && !force) throw conflictError(conflicts);
  for (const m of others) m.set = m.set.difference(changed).difference(changes.removed);

  const entry: ManagedFieldsEntry = previous && sameSet(previous.set, applied) ? previous.entry : { manager: writer.manager, operation: "Apply", apiVersion: writer.apiVersion, time: now, fieldsType: "FieldsV1", fieldsV1: {} };
  if (writer.subresource) entry.subresource = writer.subresource;
  return { object: merged, managedFields: encode([...others, { entry, set: applied }]) };
}

/** `f:<key>` right under `k:{...<key>...}`: the item's identity stays while the item does. */
function isKeyField(path: FieldPath): boolean {
  const last = path.at(-1) ?? "";
  const parent = path.at(-2) ?? "";
  if (!last.startsWith("f:") || !parent.startsWith("k:")) return false;
  try {
    return last.slice(2) in (JSON.parse(parent.slice(2)) as JsonObject);
  } catch {
    return false;
  }
}

function describeManager(entry: ManagedFieldsEntry): string {
  const name = JSON.stringify(entry.manager);
  return entry.operation === "Update" ? `${name} using ${entry.apiVersion}` : name;
}

function conflictError(conflicts: { manager: ManagedFieldsEntry; path: FieldPath }[]): ApiError {
  const causes = conflicts.map((c) => ({ reason: "FieldManagerConflict", message: `conflict with ${describeManager(c.manager)}`, field: pathString(c.path) }));
  let message: string;
  const [first] = conflicts;
  if (conflicts.length === 1 && first) {
    message = `Apply failed with 1 conflict: conflict with ${describeManager(first.manager)}: ${pathString(first.path)}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) {
      const who = describeManager(c.manager);
      byManager.set(who, [...(byManager.get(who) ?? []), pathString(c.path)]);
    }
    const lines: string[] = [];
    for (const who of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${who}:`);
      for (const p of byManager.get(who) ?? []) lines.push(`- ${p}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`;
  }
  return failure(409, "Conflict", message, { causes });
}

/** structured-merge-diff's Merge: the configuration wins, keyed lists merge by key, live-only items keep their place. */
export function ssaMerge(live: Json | undefined, config: Json, fieldPath: string[], meta: PatchMeta): Json {
  if (isObject(config)) {
    if (!isObject(live) || (fieldPath.length && meta.lookup(fieldPath)?.mapType === "atomic")) return stripNulls(config);
    const result: JsonObject = { ...live };
    for (const [key, value] of Object.entries(config)) {
      if (value === null) delete result[key];
      else result[key] = ssaMerge(live[key], value, [...fieldPath, key], meta);
    }
    return result;
  }
  if (Array.isArray(config)) {
    const primitive = !config.some((i) => typeof i === "object" && i !== null);
    if (listTypeOf(meta.lookup(fieldPath), primitive) === "atomic" || !Array.isArray(live)) return config.map((c) => stripNulls(c));
    const lhs = live.map((item, i) => ({ pe: itemPE(meta, fieldPath, item, i, live), item }));
    const rhs = config.map((item, i) => ({ pe: itemPE(meta, fieldPath, item, i, config), item }));
    const rhsAt = new Map(rhs.map((r, i) => [r.pe, i]));
    const lhsBy = new Map(lhs.map((l) => [l.pe, l.item]));
    const out: Json[] = [];
    let next = 0;
    const emitUpTo = (end: number): void => {
      for (; next <= end && next < rhs.length; next++) {
        const r = rhs[next] as { pe: string | undefined; item: Json };
        out.push(ssaMerge(lhsBy.get(r.pe), r.item, fieldPath, meta));
      }
    };
    for (const l of lhs) {
      const at = rhsAt.get(l.pe);
      if (at === undefined) out.push(l.item);
      else emitUpTo(at);
    }
    emitUpTo(rhs.length - 1);
    return out;
  }
  return config;
}

function stripNulls(value: Json): Json {
  if (Array.isArray(value)) return value.map(stripNulls);
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, stripNulls(v)]));
}
