// JSON merge patch (RFC 7386): objects merge recursively, `null` deletes,
// everything else (lists included) replaces.
import { isObject, type Json, type JsonObject } from "./json";

export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}
