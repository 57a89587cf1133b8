// Strategic merge patch, as the API server applies it
// (k8s.io/apimachinery/pkg/util/strategicpatch, MergeParallelList and
// IgnoreUnmatchedNulls on). Maps merge recursively and `null` deletes a key;
// lists merge only where the field's metadata says `patchStrategy: merge`
// (lists of objects by their merge key, lists of scalars as a set), and are
// replaced otherwise. Directives:
//   $patch: replace | delete        on a map (replace it / clear it)
//   {"<key>": v, "$patch": "delete"} in a merging list (drop that item)
//   {"$patch": "replace"}           in a merging list (the list is the patch's)
//   $retainKeys: [..]               drop keys not listed (retainKeys strategy)
//   $deleteFromPrimitiveList/<f>    remove values from a merging scalar list
//   $setElementOrder/<f>            the final order of a merging list
// Order of a merged list (upstream): patch items in patch order, live-only
// items keep their live relative order; a new item goes before live items
// that are not in the patch.
import { errors } from "../status";
import { goFormat, isObject, jsonEqual, type Json, type JsonObject } from "./json";
import type { FieldMeta, PatchMeta } from "./patch-meta";

const DIRECTIVE = "$patch";
const RETAIN_KEYS = "$retainKeys";
const DELETE_FROM_PRIMITIVE = "$deleteFromPrimitiveList/";
const SET_ELEMENT_ORDER = "$setElementOrder/";

const fail = (message: string): Error => errors.badRequest(message);

function strategies(meta: FieldMeta | undefined): string[] {
  return (meta?.strategy ?? "").split(",").filter(Boolean);
}

/** Apply a strategic merge patch to `original` (not modified). */
export function strategicMergePatch(original: Json, patch: Json, meta: PatchMeta): Json {
  if (!isObject(patch)) throw fail("json: cannot unmarshal patch into Go value of type map[string]interface {}");
  return new Merger(meta).mergeMap(isObject(original) ? original : undefined, patch, []);
}

class Merger {
  constructor(private readonly meta: PatchMeta) {}

  mergeMap(original: JsonObject | undefined, patchIn: JsonObject, path: string[]): JsonObject {
    if (DIRECTIVE in patchIn) {
      const directive = patchIn[DIRECTIVE];
      if (directive === "replace") {
        const { [DIRECTIVE]: _drop, ...rest } = patchIn;
        return this.mergeMap(undefined, rest, path);
      }
      if (directive === "delete") return {};
      if (directive !== "merge") throw fail(`unknown patch type: ${goFormat(directive)} in map: ${goFormat(patchIn)}`);
    }
    const result: JsonObject = original ? { ...original } : {};
    const patch: JsonObject = { ...patchIn };
    delete patch[DIRECTIVE];

    if (RETAIN_KEYS in patch) this.retainKeys(result, patch);
    for (const key of Object.keys(patch)) {
      if (key.startsWith(SET_ELEMENT_ORDER)) this.setElementOrder(result, patch, key.slice(SET_ELEMENT_ORDER.length), path);
    }
    // Deletions from scalar lists first, so a parallel addition of the same value wins.
    for (const [key, value] of Object.entries(patch)) {
      if (!key.startsWith(DELETE_FROM_PRIMITIVE)) continue;
      const field = key.slice(DELETE_FROM_PRIMITIVE.length);
      if (!Array.isArray(value)) throw fail("invalid patch format of primitive list");
      const current = result[field];
      if (Array.isArray(current)) result[field] = current.filter((item) => !value.some((d) => jsonEqual(d, item)));
    }
    for (const [key, value] of Object.entries(patch)) {
      if (key.startsWith("$")) continue;
      if (value === null) {
        delete result[key];
        continue;
      }
      result[key] = this.mergeValue(result[key], value, [...path, key]);
    }
    return result;
  }

  private mergeValue(current: Json | undefined, patch: Json, path: string[]): Json {
    const meta = this.meta.lookup(path);
    if (isObject(patch)) {
      if (!isObject(current) || strategies(meta).includes("replace")) return this.mergeMap(undefined, patch, path);
      return this.mergeMap(current, patch, path);
    }
    if (Array.isArray(patch)) {
      if (!strategies(meta).includes("merge")) return patch;
      return this.mergeList(Array.isArray(current) ? current : [], patch, path, meta?.mergeKey);
    }
    return patch;
  }

  private retainKeys(result: JsonObject, patch: JsonObject): void {
    const keep = patch[RETAIN_KEYS];
    delete patch[RETAIN_KEYS];
    if (!Array.isArray(keep)) throw fail("invalid patch format of retainKeys");
    for (const [key, value] of Object.entries(patch)) {
      if (value === null || key.startsWith("$")) continue;
      if (!keep.includes(key)) throw fail("invalid patch format of retainKeys");
    }
    for (const key of Object.keys(result)) if (!keep.includes(key)) delete result[key];
  }

  private setElementOrder(result: JsonObject, patch: JsonObject, field: string, path: string[]): void {
    const order = patch[SET_ELEMENT_ORDER + field];
    delete patch[SET_ELEMENT_ORDER + field];
    if (!Array.isArray(order)) throw fail("invalid patch format of setElementOrder list");
    const meta = this.meta.lookup([...path, field]);
    if (!strategies(meta).includes("merge")) return;
    const live = result[field];
    const patchList = patch[field];
    if (patchList === null) return; // the list is being deleted
    if (patchList !== undefined && !Array.isArray(patchList)) throw fail("invalid patch format of setElementOrder list");
    let original = Array.isArray(live) ? live : [];
    const additions = patchList ?? [];
    const removals = patch[DELETE_FROM_PRIMITIVE + field];
    delete patch[field];
    delete patch[DELETE_FROM_PRIMITIVE + field];
    const mergeKey = meta?.mergeKey;
    const primitive = !order.some(isObject) && !additions.some(isObject) && !original.some(isObject);
    let merged: Json[];
    if (primitive) {
      if (Array.isArray(removals)) original = original.filter((item) => !removals.some((d) => jsonEqual(d, item)));
      merged = dedupe([...original, ...additions]);
    } else {
      if (!mergeKey) throw fail(`cannot merge lists without merge key for ${path.concat(field).join(".")}`);
      const special = this.specialElements(original, additions, mergeKey, [...path, field]);
      original = special.original;
      merged = special.replace ? special.patch : this.mergeByKey(original, special.patch, mergeKey, [...path, field]);
    }
    if (!merged.length && live === undefined) return;
    result[field] = sortBy(merged, order, primitive ? undefined : mergeKey);
  }

  private mergeList(original: Json[], patch: Json[], path: string[], mergeKey: string | undefined): Json[] {
    if (!original.length && !patch.length) return original;
    const maps = patch.some(isObject) || original.some(isObject);
    if (!maps) {
      const merged = dedupe([...original, ...patch]);
      const inPatch = merged.filter((item) => index(patch, item) >= 0);
      const serverOnly = merged.filter((item) => index(patch, item) < 0);
      return normalizeElementOrder(inPatch, serverOnly, patch, original);
    }
    if (!mergeKey) throw fail(`cannot merge lists without merge key for ${path.join(".")}`);
    const special = this.specialElements(original, patch, mergeKey, path);
    if (special.replace) return special.patch;
    const merged = this.mergeByKey(special.original, special.patch, mergeKey, path);
    const inPatch = merged.filter((item) => index(special.patch, item, mergeKey) >= 0);
    const serverOnly = merged.filter((item) => index(special.patch, item, mergeKey) < 0);
    return normalizeElementOrder(inPatch, serverOnly, special.patch, special.original, mergeKey);
  }

  /** `$patch: delete` items remove live items; a `$patch: replace` item makes the list the patch's. */
  private specialElements(original: Json[], patch: Json[], mergeKey: string, path: string[]): { original: Json[]; patch: Json[]; replace: boolean } {
    const plain: Json[] = [];
    let replace = false;
    for (const item of patch) {
      if (!isObject(item) || !(DIRECTIVE in item)) {
        plain.push(item);
        continue;
      }
      switch (item[DIRECTIVE]) {
        case "delete":
          if (!(mergeKey in item)) throw fail(`map: ${goFormat(item)} does not contain declared merge key: ${mergeKey}`);
          original = original.filter((o) => !(isObject(o) && jsonEqual(o[mergeKey], item[mergeKey])));
          break;
        case "replace":
          replace = true;
          break;
        case "merge":
          throw fail("merging lists cannot yet be specified in the patch");
        default:
          throw fail(`unknown patch type: ${goFormat(item[DIRECTIVE])} in map: ${goFormat(item)}`);
      }
    }
    if (replace) return { original: [], patch: plain.map((p) => (isObject(p) ? this.mergeMap(undefined, p, path) : p)), replace };
    return { original, patch: plain, replace };
  }

  private mergeByKey(original: Json[], patch: Json[], mergeKey: string, path: string[]): Json[] {
    const result = [...original];
    for (const item of patch) {
      if (!isObject(item) || !(mergeKey in item)) throw fail(`map: ${goFormat(item)} does not contain declared merge key: ${mergeKey}`);
      const at = result.findIndex((r) => isObject(r) && jsonEqual(r[mergeKey], item[mergeKey]));
      if (at >= 0) result[at] = this.mergeMap(result[at] as JsonObject, item, path);
      else result.push(this.mergeMap(undefined, item, path));
    }
    return result;
  }
}

function dedupe(items: Json[]): Json[] {
  const out: Json[] = [];
  for (const item of items) if (!out.some((o) => jsonEqual(o, item))) out.push(item);
  return out;
}

/** Position of `item` in `list`: by merge key for objects, by value for scalars. */
function index(list: Json[], item: Json, mergeKey?: string): number {
  if (mergeKey && isObject(item)) return list.findIndex((l) => isObject(l) && jsonEqual(l[mergeKey], item[mergeKey]));
  return list.findIndex((l) => jsonEqual(l, item));
}

/** Items found in `order` first, sorted by it; the rest after, in their own order. */
function sortBy(items: Json[], order: Json[], mergeKey?: string): Json[] {
  const known = items.filter((i) => index(order, i, mergeKey) >= 0);
  const unknown = items.filter((i) => index(order, i, mergeKey) < 0);
  known.sort((a, b) => index(order, a, mergeKey) - index(order, b, mergeKey));
  return [...known, ...unknown];
}

/** upstream normalizeElementOrder + mergeSortedSlice. */
function normalizeElementOrder(patchItems: Json[], serverOnly: Json[], patchOrder: Json[], serverOrder: Json[], mergeKey?: string): Json[] {
  const right = sortBy(patchItems, patchOrder, mergeKey);
  const left = sortBy(serverOnly, serverOrder, mergeKey);
  const out: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++] as Json);
    else if (j >= right.length) out.push(left[i++] as Json);
    else {
      const li = index(serverOrder, left[i] as Json, mergeKey);
      const ri = index(serverOrder, right[j] as Json, mergeKey);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++] as Json);
      else out.push(right[j++] as Json);
    }
  }
  return out;
}
