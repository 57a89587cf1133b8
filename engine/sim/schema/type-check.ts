// Values of the wrong JSON type in a request body (`replicas: "3"`,
// `command: sleep 10`, `containers:` written as a mapping), refused with the
// words of the upstream decoder that would have read them:
// - "json": encoding/json, which reads create and update bodies and the
//   result of a JSON patch. It notes the first wrong type and reads on; a type
//   that decodes itself (Quantity, IntOrString, Time) stops it at once.
// - "converter": the unstructured converter, which reads the result of a
//   merge or strategic merge patch. The wrong values there are the patch's
//   own, so the patch body is walked (directives skipped). It stops at the first.
// - "apply": structured-merge-diff, which types a server-side apply body and
//   reports every wrong value with its field path.
import type { FieldType, ObjectSchema } from "./dsl";
import { isDirective, isRecord } from "./fields";
import { jsonFields, schemaByName } from "./registry";

export type Decoder = "json" | "converter" | "apply";

interface TypeWalk {
  decoder: Decoder;
  /** encoding/json's first wrong type. */
  noted?: string;
  /** structured-merge-diff's errors, each with its path. */
  found: string[];
}

/** Where the walk is: the Go struct holding the field and the JSON path without list indices or map keys (encoding/json), and the structured-merge-diff path. */
interface Place {
  struct: string;
  path: string;
  fieldPath: string;
  walk: TypeWalk;
}

const INT32_RANGE = 2 ** 31;

// ParseQuantity's acceptance test; its text is part of the error message.
const QUANTITY_SHAPE = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";
const QUANTITY_SUFFIX = /^(?:[eE][+-]?\d+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|)$/;

/** ParseQuantity's error for a text that is not a quantity, if any. */
function quantityError(text: string): string | undefined {
  const match = new RegExp(QUANTITY_SHAPE).exec(text.trim());
  if (!match) return `quantities must match the regular expression '${QUANTITY_SHAPE}'`;
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)$/.test(match[1] ?? "")) return "unable to parse numeric part of quantity";
  if (!QUANTITY_SUFFIX.test(match[2] ?? "")) return "unable to parse quantity's suffix";
  return undefined;
}

/** A decoded JSON value as Go's `%v` / `%+v` prints it: `map[spec:map[replicas:x]]`, `[a b]`, `<nil>`. */
export function goPrint(value: unknown): string {
  if (value === null || value === undefined) return "<nil>";
  if (Array.isArray(value)) return `[${value.map(goPrint).join(" ")}]`;
  if (isRecord(value)) return `map[${Object.keys(value).sort().map((key) => `${key}:${goPrint(value[key])}`).join(" ")}]`;
  return scalarText(value);
}

/** A JSON scalar as Go prints it (strings bare). */
function scalarText(value: unknown): string {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? String(value) : "";
}

/** Go's `%#v` of a decoded JSON value. */
function goSyntax(value: unknown): string {
  if (value === null || value === undefined) return "interface {}(nil)";
  if (Array.isArray(value)) return `[]interface {}{${value.map(goSyntax).join(", ")}}`;
  if (isRecord(value)) return `map[string]interface {}{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${goSyntax(value[key])}`).join(", ")}}`;
  return typeof value === "string" ? JSON.stringify(value) : scalarText(value);
}

/** The JSON kind encoding/json names in its errors. */
function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (typeof value === "boolean") return "bool";
  return typeof value === "string" || typeof value === "number" ? typeof value : "object";
}

/** The Go kind of a decoded value, as the converter names it. */
function goKind(value: unknown): string {
  if (Array.isArray(value)) return "slice";
  if (typeof value === "number") return Number.isInteger(value) ? "int64" : "float64";
  if (typeof value === "boolean") return "bool";
  return typeof value === "string" ? "string" : "map";
}

/** Go's `%T` of a decoded value. */
function goTypeOf(value: unknown): string {
  if (Array.isArray(value)) return "[]interface {}";
  if (isRecord(value)) return "map[string]interface {}";
  return goKind(value);
}

const SCALAR_GO_TYPES: Record<string, string> = {
  string: "string",
  int32: "int32",
  int64: "int64",
  number: "float64",
  bool: "bool",
  bytes: "[]uint8",
  quantity: "resource.Quantity",
  intOrString: "intstr.IntOrString",
  time: "v1.Time",
  microTime: "v1.MicroTime",
  duration: "v1.Duration",
  raw: "runtime.RawExtension",
};

/** A field type as Go prints it: `[]v1.Container`, `map[string]string`, `int32`. Named string types print as `string`. */
function goType(type: FieldType): string {
  switch (type.kind) {
    case "scalar":
      return SCALAR_GO_TYPES[type.scalar] ?? type.scalar;
    case "list":
      return `[]${goType(type.items)}`;
    case "map":
      return `map[string]${goType(type.values)}`;
    case "ref":
      return type.name.split(".").slice(-2).join(".");
  }
}

/** structured-merge-diff's complaint about `value` where `type` belongs. */
function applyMessage(type: FieldType, value: unknown): string | undefined {
  const held = `&{${goPrint(value)}}`;
  if (type.kind === "list") return `expected list, got ${held}`;
  if (type.kind !== "scalar") return `expected map, got ${held}`;
  switch (type.scalar) {
    case "int32":
    case "int64":
    case "number":
      return `expected numeric (int or float), got ${goTypeOf(value)}`;
    case "bool":
      return `expected boolean, got ${held}`;
    case "quantity":
    case "intOrString":
      return `expected any scalar, got ${held}`;
    case "raw":
      return undefined;
    default:
      return `expected string, got &value.valueUnstructured{Value:${goSyntax(value)}}`;
  }
}

/**
 * A value of the wrong type. encoding/json notes its UnmarshalTypeError and
 * reads on; structured-merge-diff collects it; the converter stops with its own words.
 */
function wrongType(place: Place, type: FieldType, value: unknown, converter: string, described = jsonKind(value)): string | undefined {
  const { walk } = place;
  if (walk.decoder === "converter") return converter;
  if (walk.decoder === "json") {
    walk.noted ??= `json: cannot unmarshal ${described} into Go struct field ${place.struct}.${place.path} of type ${goType(type)}`;
    return undefined;
  }
  const message = applyMessage(type, value);
  if (message) walk.found.push(`${place.fieldPath}: ${message}`);
  return undefined;
}

/** The error of a type that decodes itself with a nested decoder (IntOrString, Time): encoding/json and the converter stop at it. */
function nestedDecoderError(place: Place, type: FieldType, value: unknown, described: string, into: string): string | undefined {
  if (place.walk.decoder === "apply") return wrongType(place, type, value, "");
  if (place.walk.decoder === "converter") return `json: cannot unmarshal ${described} into Go value of type ${into}`;
  return `json: cannot unmarshal ${described} into Go struct field ${place.struct}.${place.path} of type ${into}`;
}

/** What is wrong with a scalar value (an error that ends the walk), or undefined when it fits or the problem was noted. */
function scalarProblem(type: FieldType & { kind: "scalar" }, value: unknown, place: Place): string | undefined {
  switch (type.scalar) {
    case "string":
      if (typeof value === "string") return undefined;
      // Go converts an integer to a string type but the converter refuses to (JSON has no such conversion); other kinds are unconvertible.
      return wrongType(place, type, value, goKind(value) === "int64" ? "cannot convert int64 to string" : "unrecognized type: string");
    case "bytes":
      // base64 text, or (encoding/json) an array of byte values.
      return typeof value === "string" || Array.isArray(value) ? undefined : wrongType(place, type, value, `cannot restore slice from ${goKind(value)}`);
    case "int32":
    case "int64":
      if (typeof value !== "number") return wrongType(place, type, value, `unrecognized type: ${type.scalar}`);
      if (!Number.isInteger(value)) return place.walk.decoder === "apply" ? undefined : wrongType(place, type, value, `cannot convert float64 to ${type.scalar}`, `number ${value}`);
      // Overflow: only encoding/json refuses it (the converter wraps, structured-merge-diff sees a number).
      if (type.scalar === "int32" && place.walk.decoder === "json" && (value < -INT32_RANGE || value >= INT32_RANGE)) return wrongType(place, type, value, "", `number ${value}`);
      return undefined;
    case "number":
      return typeof value === "number" ? undefined : wrongType(place, type, value, "unrecognized type: float64");
    case "bool":
      return typeof value === "boolean" ? undefined : wrongType(place, type, value, "unrecognized type: bool");
    case "quantity":
      if (typeof value === "number" || (typeof value === "string" && place.walk.decoder === "apply")) return undefined;
      if (place.walk.decoder === "apply") return wrongType(place, type, value, "");
      // Quantity parses the literal's text itself: anything but a number or a well-formed string is its parse error.
      return quantityError(typeof value === "string" ? value : JSON.stringify(value));
    case "intOrString": {
      if (typeof value === "string" || (typeof value === "number" && Number.isInteger(value) && value >= -INT32_RANGE && value < INT32_RANGE)) return undefined;
      if (place.walk.decoder === "apply" && typeof value === "number") return undefined;
      return nestedDecoderError(place, type, value, typeof value === "number" ? `number ${value}` : jsonKind(value), "int32");
    }
    case "time":
    case "microTime":
    case "duration":
      return typeof value === "string" ? undefined : nestedDecoderError(place, type, value, jsonKind(value), "string");
    default:
      return undefined;
  }
}

/** structured-merge-diff's path element of a list item: `[name="web"]` by its keys, `[="a"]` in a set, else `[0]`. */
function itemSelector(type: FieldType & { kind: "list" }, item: unknown, index: number): string {
  const keys = type.mapKeys ?? (type.mergeKey ? [type.mergeKey] : []);
  if (type.listType === "map" && isRecord(item) && keys.length) {
    const present = [...keys].sort().filter((key) => item[key] !== undefined);
    return `[${present.map((key) => `${key}=${JSON.stringify(item[key])}`).join(",")}]`;
  }
  if (type.listType === "set" && !isRecord(item) && !Array.isArray(item)) return `[=${JSON.stringify(item)}]`;
  return `[${index}]`;
}

function typeProblemIn(type: FieldType, value: unknown, place: Place): string | undefined {
  if (value === null || value === undefined) return undefined;
  switch (type.kind) {
    case "scalar":
      return scalarProblem(type, value, place);
    case "list": {
      if (!Array.isArray(value)) return wrongType(place, type, value, `cannot restore slice from ${goKind(value)}`);
      for (const [index, item] of value.entries()) {
        const problem = typeProblemIn(type.items, item, { ...place, fieldPath: place.fieldPath + itemSelector(type, item, index) });
        if (problem) return problem;
      }
      return undefined;
    }
    case "map":
      if (!isRecord(value)) return wrongType(place, type, value, `cannot restore map from ${goKind(value)}`);
      for (const [key, item] of Object.entries(value)) {
        const problem = typeProblemIn(type.values, item, { ...place, fieldPath: `${place.fieldPath}.${key}` });
        if (problem) return problem;
      }
      return undefined;
    case "ref": {
      const schema = schemaByName(type.name);
      if (!schema) return undefined;
      if (!isRecord(value)) return wrongType(place, type, value, `cannot restore struct from: ${goKind(value)}`);
      return objectTypeProblem(schema, value, place);
    }
  }
}

function objectTypeProblem(schema: ObjectSchema, value: Record<string, unknown>, at: Place): string | undefined {
  if (schema.open) return undefined;
  const struct = schema.name.split(".").at(-1) ?? schema.name;
  const fields = jsonFields(schema);
  for (const [key, item] of Object.entries(value)) {
    const field = fields[key];
    if (!field || (at.walk.decoder === "converter" && isDirective(key))) continue;
    const problem = typeProblemIn(field.type, item, { struct, path: at.path ? `${at.path}.${key}` : key, fieldPath: `${at.fieldPath}.${key}`, walk: at.walk });
    if (problem) return problem;
  }
  return undefined;
}

/**
 * What `decoder` says about the values in `object` whose JSON type its
 * schema does not allow, or undefined when every value fits.
 */
export function typeProblem(schema: ObjectSchema, object: unknown, decoder: Decoder): string | undefined {
  if (!isRecord(object)) return undefined;
  const walk: TypeWalk = { decoder, found: [] };
  const stopped = objectTypeProblem(schema, object, { struct: "", path: "", fieldPath: "", walk });
  if (stopped ?? walk.noted) return stopped ?? walk.noted;
  if (walk.found.length <= 1) return walk.found[0];
  return ["errors:", ...walk.found.map((error) => `  ${error}`)].join("\n");
}
