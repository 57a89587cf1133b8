// JSON patch (RFC 6902): add, remove, replace, move, copy, test, with JSON
// pointers (`~1` = "/", `~0` = "~"). Failures read like the API server's
// (gopkg.in/evanphx/json-patch.v4 wrapped in a 422 "the server rejected our
// request due to an error in our request" Status whose cause carries the detail).
import { errors, failure, type ApiError } from "../status";
import { isObject, jsonEqual, type Json, type JsonObject } from "./json";

const MAX_OPERATIONS = 10000;

/**
 * The 422 upstream answers when a JSON patch does not apply
 * (NewGenericServerResponse without causes: the jsonpatch detail is dropped,
 * kubectl prints "The request is invalid: the server rejected our request due
 * to an error in our request"). The detail stays on the error for logs and tests.
 */
export function patchRejected(detail: string): ApiError & { detail: string } {
  return Object.assign(failure(422, "Invalid", "the server rejected our request due to an error in our request", {}), { detail });
}

interface Operation {
  op?: unknown;
  path?: unknown;
  from?: unknown;
  value?: Json;
}

type Container = Json[] | JsonObject;

const decodeKey = (part: string): string => part.replace(/~1/g, "/").replace(/~0/g, "~");

/** The container holding the last segment of `path`, and that segment (undefined: no such container). */
function findObject(doc: Json, path: string): { container: Container; key: string } | undefined {
  const split = path.split("/");
  if (split.length < 2) return undefined;
  let node: Json | undefined = doc;
  for (const part of split.slice(1, -1)) {
    const key = decodeKey(part);
    if (Array.isArray(node)) {
      const i = arrayIndex(key);
      node = i !== undefined ? node[i] : undefined;
    } else if (isObject(node)) node = node[key];
    else node = undefined;
    if (node === undefined || node === null || typeof node !== "object") return undefined;
  }
  return { container: node as Container, key: decodeKey(split.at(-1) ?? "") };
}

function arrayIndex(key: string): number | undefined {
  return /^(0|[1-9][0-9]*)$/.test(key) ? Number(key) : undefined;
}

function indexOrThrow(key: string, limit: number): number {
  const i = /^-?[0-9]+$/.test(key) ? Number(key) : NaN;
  if (Number.isNaN(i)) throw new Error(`value was not a proper array index: '${key}': strconv.Atoi: parsing ${JSON.stringify(key)}: invalid syntax`);
  if (i < 0 || i > limit) throw new Error(`Unable to access invalid index: ${i}: invalid index referenced`);
  return i;
}

function get(container: Container, key: string): Json | undefined {
  if (Array.isArray(container)) return container[indexOrThrow(key, container.length - 1)];
  return container[key];
}

function add(container: Container, key: string, value: Json): void {
  if (!Array.isArray(container)) {
    container[key] = value;
    return;
  }
  if (key === "-") container.push(value);
  else container.splice(indexOrThrow(key, container.length), 0, value);
}

function remove(container: Container, key: string): Json {
  if (Array.isArray(container)) return container.splice(indexOrThrow(key, container.length - 1), 1)[0] as Json;
  if (!(key in container)) throw new Error(`Unable to remove nonexistent key: ${key}: missing value`);
  const value = container[key] as Json;
  delete container[key];
  return value;
}

function wrap<T>(prefix: string, action: () => T): T {
  try {
    return action();
  } catch (error) {
    throw new Error(`${prefix}: ${(error as Error).message}`);
  }
}

function str(v: unknown, field: string, op: string): string {
  if (typeof v !== "string") throw new Error(`${op} operation failed to decode ${field}: missing value`);
  return v;
}

/** Apply `operations` (the decoded request body) to a copy of `target`. */
export function jsonPatch(target: Json, operations: unknown): Json {
  if (!Array.isArray(operations)) throw errors.badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  if (operations.length > MAX_OPERATIONS) {
    throw failure(413, "RequestEntityTooLarge", `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_OPERATIONS}, got ${operations.length}`);
  }
  const doc = structuredClone(target);
  try {
    for (const raw of operations) {
      const op = (isObject(raw) ? raw : {}) as Operation;
      apply(doc, op);
    }
  } catch (error) {
    if (error instanceof Error && !("status" in error)) throw patchRejected(error.message);
    throw error;
  }
  return doc;
}

function apply(doc: Json, op: Operation): void {
  const kind = typeof op.op === "string" ? op.op : "unknown";
  switch (kind) {
    case "add": {
      const path = str(op.path, "path", "add");
      const at = findObject(doc, path);
      if (!at) throw new Error(`add operation does not apply: doc is missing path: "${path}": missing value`);
      wrap(`error in add for path: '${path}'`, () => add(at.container, at.key, op.value ?? null));
      return;
    }
    case "remove": {
      const path = str(op.path, "path", "remove");
      const at = findObject(doc, path);
      if (!at) throw new Error(`remove operation does not apply: doc is missing path: "${path}": missing value`);
      wrap(`error in remove for path: '${path}'`, () => remove(at.container, at.key));
      return;
    }
    case "replace": {
      const path = str(op.path, "path", "replace");
      const at = findObject(doc, path);
      if (!at) throw new Error(`replace operation does not apply: doc is missing path: ${path}: missing value`);
      let current: Json | undefined;
      try {
        current = get(at.container, at.key);
      } catch {
        current = undefined;
      }
      if (current === undefined) throw new Error(`replace operation does not apply: doc is missing key: ${path}: missing value`);
      if (Array.isArray(at.container)) at.container[Number(at.key)] = op.value ?? null;
      else at.container[at.key] = op.value ?? null;
      return;
    }
    case "move": {
      const from = str(op.from, "from", "move");
      const source = findObject(doc, from);
      if (!source) throw new Error(`move operation does not apply: doc is missing from path: ${from}: missing value`);
      const value = wrap(`error in move for path: '${source.key}'`, () => {
        if (get(source.container, source.key) === undefined) throw new Error(`Unable to remove nonexistent key: ${source.key}: missing value`);
        return remove(source.container, source.key);
      });
      const path = str(op.path, "path", "move");
      const target = findObject(doc, path);
      if (!target) throw new Error(`move operation does not apply: doc is missing destination path: ${path}: missing value`);
      wrap(`error in move for path: '${path}'`, () => add(target.container, target.key, value));
      return;
    }
    case "copy": {
      const from = str(op.from, "from", "copy");
      const source = findObject(doc, from);
      if (!source) throw new Error(`copy operation does not apply: doc is missing from path: ${from}: missing value`);
      const value = wrap(`error in copy for from: '${from}'`, () => {
        const v = get(source.container, source.key);
        if (v === undefined) throw new Error(`Unable to copy nonexistent key: ${source.key}: missing value`);
        return v;
      });
      const path = str(op.path, "path", "copy");
      const target = findObject(doc, path);
      if (!target) throw new Error(`copy operation does not apply: doc is missing destination path: ${path}: missing value`);
      wrap("error while adding value during copy", () => add(target.container, target.key, structuredClone(value)));
      return;
    }
    case "test": {
      const path = str(op.path, "path", "test");
      const at = findObject(doc, path);
      if (!at) throw new Error(`test operation does not apply: is missing path: ${path}: missing value`);
      const current = wrap(`error in test for path: '${path}'`, () => get(at.container, at.key));
      if (jsonEqual(current ?? null, op.value ?? null)) return;
      throw new Error(`testing value ${path} failed: test failed`);
    }
    default:
      throw new Error(`Unexpected kind: ${kind}`);
  }
}
