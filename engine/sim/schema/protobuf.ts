// Decoding of `application/vnd.kubernetes.protobuf` request bodies into the
// JSON objects the rest of the API server works with. The wire format:
//   "k8s\0" + runtime.Unknown { typeMeta = 1 { apiVersion = 1, kind = 2 },
//                               raw = 2, contentEncoding = 3, contentType = 4 }
// where `raw` is the object's own message; its field numbers come from the
// schema registry. kubectl's generators (`create deployment`, `auth can-i`,
// `create token`, ...) send nothing else, so this has to be right.
import type { Field, FieldType, ObjectSchema } from "./dsl";
import { schemaByName } from "./registry";

export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
export const PROTOBUF_CONTENT_TYPE = "application/vnd.kubernetes.protobuf";

export class ProtobufError extends Error {}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A cursor over one protobuf message. */
class Reader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw new ProtobufError("truncated varint");
      const byte = this.buf[this.pos++] as number;
      result |= BigInt(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return result;
      shift += 7n;
      if (shift > 63n) throw new ProtobufError("varint too long");
    }
  }

  take(length: number): Buffer {
    if (length < 0 || this.pos + length > this.buf.length) throw new ProtobufError("truncated field");
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  /** The next field: its number, wire type and raw value (bigint for varints, bytes otherwise). */
  next(): { number: number; wire: number; value: bigint | Buffer } {
    const tag = this.varint();
    const number = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    switch (wire) {
      case 0:
        return { number, wire, value: this.varint() };
      case 1:
        return { number, wire, value: this.take(8) };
      case 2:
        return { number, wire, value: this.take(Number(this.varint())) };
      case 5:
        return { number, wire, value: this.take(4) };
      default:
        throw new ProtobufError(`unsupported wire type ${wire} for field ${number}`);
    }
  }
}

function fields(buf: Buffer): { number: number; wire: number; value: bigint | Buffer }[] {
  const reader = new Reader(buf);
  const out = [];
  while (!reader.done) out.push(reader.next());
  return out;
}

function asBytes(value: bigint | Buffer, what: string): Buffer {
  if (!Buffer.isBuffer(value)) throw new ProtobufError(`${what}: expected a length-delimited field`);
  return value;
}

function asSigned(value: bigint | Buffer, bits: 32 | 64): number {
  if (Buffer.isBuffer(value)) {
    if (value.length === 4) return value.readInt32LE(0);
    return Number(value.readBigInt64LE(0));
  }
  return Number(BigInt.asIntN(bits, value));
}

/** The envelope's parts: type, and the object's own bytes. */
export function decodeEnvelope(body: Buffer): { apiVersion: string; kind: string; raw: Buffer } {
  if (body.length < 4 || !body.subarray(0, 4).equals(PROTOBUF_MAGIC)) throw new ProtobufError("body does not start with the k8s protobuf magic number");
  let apiVersion = "";
  let kind = "";
  let raw: Buffer = Buffer.alloc(0);
  for (const f of fields(body.subarray(4))) {
    if (f.number === 1) {
      for (const t of fields(asBytes(f.value, "typeMeta"))) {
        if (t.number === 1) apiVersion = asBytes(t.value, "apiVersion").toString("utf8");
        if (t.number === 2) kind = asBytes(t.value, "kind").toString("utf8");
      }
    } else if (f.number === 2) raw = asBytes(f.value, "raw");
    else if (f.number === 3 && asBytes(f.value, "contentEncoding").length) throw new ProtobufError("content encodings are not supported");
  }
  return { apiVersion, kind, raw };
}

/** RFC 3339 as Go's metav1.Time (seconds) or MicroTime (microseconds) marshal it. */
function formatTime(seconds: number, nanos: number, micro: boolean): string {
  const iso = new Date(seconds * 1000).toISOString().slice(0, 19);
  return micro ? `${iso}.${String(Math.floor(nanos / 1000)).padStart(6, "0")}Z` : `${iso}Z`;
}

/** Go's time.Duration.String(): "1h0m0s", "1.5s", "300ms". */
export function formatDuration(nanoseconds: number): string {
  if (nanoseconds === 0) return "0s";
  const sign = nanoseconds < 0 ? "-" : "";
  let ns = Math.abs(nanoseconds);
  if (ns < 1e9) {
    const [unit, size]: [string, number] = ns < 1e3 ? ["ns", 1] : ns < 1e6 ? ["µs", 1e3] : ["ms", 1e6];
    return `${sign}${trimNumber(ns / size)}${unit}`;
  }
  const hours = Math.floor(ns / 3.6e12);
  ns -= hours * 3.6e12;
  const minutes = Math.floor(ns / 6e10);
  ns -= minutes * 6e10;
  const seconds = trimNumber(ns / 1e9);
  if (hours) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}

function trimNumber(n: number): string {
  return String(Number(n.toFixed(9)));
}

function parseJsonBytes(bytes: Buffer): Json {
  if (!bytes.length) return null;
  try {
    return JSON.parse(bytes.toString("utf8")) as Json;
  } catch {
    throw new ProtobufError("embedded raw object is not JSON");
  }
}

/** One scalar or message value of `type` from one occurrence on the wire. */
function decodeValue(type: FieldType, value: bigint | Buffer, path: string): Json {
  switch (type.kind) {
    case "ref":
      return decodeObject(asBytes(value, path), type.name, path);
    case "map": {
      let key = "";
      let entry: Json | undefined;
      for (const f of fields(asBytes(value, path))) {
        if (f.number === 1) key = asBytes(f.value, `${path} key`).toString("utf8");
        if (f.number === 2) entry = decodeValue(type.values, f.value, `${path}[${key}]`);
      }
      return { [key]: entry ?? zeroValue(type.values) };
    }
    case "list":
      throw new ProtobufError(`${path}: nested lists are not supported`);
    case "scalar":
      break;
  }
  switch (type.scalar) {
    case "string":
      return asBytes(value, path).toString("utf8");
    case "bytes":
      return asBytes(value, path).toString("base64");
    case "int32":
      return asSigned(value, 32);
    case "int64":
      return asSigned(value, 64);
    case "bool":
      return value !== 0n;
    case "number":
      return Buffer.isBuffer(value) && value.length === 8 ? value.readDoubleLE(0) : Number(value);
    case "quantity": {
      let text = "";
      for (const f of fields(asBytes(value, path))) if (f.number === 1) text = asBytes(f.value, path).toString("utf8");
      return text;
    }
    case "intOrString": {
      let kind = 0;
      let intVal = 0;
      let strVal = "";
      for (const f of fields(asBytes(value, path))) {
        if (f.number === 1) kind = asSigned(f.value, 64);
        if (f.number === 2) intVal = asSigned(f.value, 32);
        if (f.number === 3) strVal = asBytes(f.value, path).toString("utf8");
      }
      return kind === 1 ? strVal : intVal;
    }
    case "time":
    case "microTime": {
      let seconds = 0;
      let nanos = 0;
      for (const f of fields(asBytes(value, path))) {
        if (f.number === 1) seconds = asSigned(f.value, 64);
        if (f.number === 2) nanos = asSigned(f.value, 32);
      }
      // The zero time: Go marshals it as null; drop it like an absent field.
      if (seconds === 0 && nanos === 0) return null;
      return formatTime(seconds, nanos, type.scalar === "microTime");
    }
    case "duration": {
      let ns = 0;
      for (const f of fields(asBytes(value, path))) if (f.number === 1) ns = asSigned(f.value, 64);
      return formatDuration(ns);
    }
    case "raw": {
      let inner: Json = null;
      for (const f of fields(asBytes(value, path))) if (f.number === 1) inner = parseJsonBytes(asBytes(f.value, path));
      return inner;
    }
  }
}

function zeroValue(type: FieldType): Json {
  if (type.kind === "ref" || type.kind === "map") return {};
  if (type.kind === "list") return [];
  switch (type.scalar) {
    case "string":
    case "bytes":
    case "quantity":
      return "";
    case "bool":
      return false;
    case "raw":
    case "time":
    case "microTime":
      return null;
    case "duration":
      return "0s";
    default:
      return 0;
  }
}

/** Zero scalars of non-pointer `omitempty` fields are absent in JSON; protobuf always sends them. */
function isDroppedZero(field: Field, value: Json): boolean {
  if (value === null) return true;
  if (field.ptr || field.required || field.type.kind !== "scalar") return false;
  if (field.type.scalar === "intOrString") return value === 0;
  return value === "" || value === 0 || value === false;
}

/** A field number's meaning: a named field, or an inline-embedded struct whose fields merge into this object. */
type Slot = { name: string; field: Field } | { embedded: string };

const numberIndex = new Map<string, Map<number, Slot>>();

function byNumber(schema: ObjectSchema): Map<number, Slot> {
  let index = numberIndex.get(schema.name);
  if (!index) {
    index = new Map();
    for (const [name, field] of Object.entries(schema.fields)) if (field.number > 0) index.set(field.number, { name, field });
    for (const e of schema.inline ?? []) if (e.type.kind === "ref") index.set(e.number, { embedded: e.type.name });
    numberIndex.set(schema.name, index);
  }
  return index;
}

/** Decode one message of the named schema. Unknown field numbers are skipped, as protobuf readers do. */
export function decodeObject(buf: Buffer, schemaName: string, path = ""): { [key: string]: Json } {
  const schema = schemaByName(schemaName);
  if (!schema) throw new ProtobufError(`no schema for ${schemaName}`);
  const index = byNumber(schema);
  const out: { [key: string]: Json } = {};
  for (const f of fields(buf)) {
    const slot = index.get(f.number);
    if (!slot) continue;
    if ("embedded" in slot) {
      Object.assign(out, decodeObject(asBytes(f.value, path), slot.embedded, path));
      continue;
    }
    const { name, field } = slot;
    const at = path ? `${path}.${name}` : name;
    const type = field.type;
    if (type.kind === "list") {
      const items = (out[name] ??= []) as Json[];
      const packable = type.items.kind === "scalar" && ["int32", "int64", "bool"].includes(type.items.scalar);
      if (packable && Buffer.isBuffer(f.value)) {
        const reader = new Reader(f.value);
        while (!reader.done) items.push(decodeValue(type.items, reader.varint(), at));
      } else items.push(decodeValue(type.items, f.value, `${at}[${items.length}]`));
    } else if (type.kind === "map") {
      out[name] = { ...(out[name] as { [key: string]: Json } | undefined), ...(decodeValue(type, f.value, at) as { [key: string]: Json }) };
    } else {
      const value = decodeValue(type, f.value, at);
      if (isDroppedZero(field, value)) delete out[name];
      else out[name] = value;
    }
  }
  return out;
}

/** A whole request body: the envelope and the object inside, as the JSON kubectl would have sent. */
export function decodeProtobufObject(body: Buffer, schemaFor: (apiVersion: string, kind: string) => string | undefined): { [key: string]: Json } {
  const { apiVersion, kind, raw } = decodeEnvelope(body);
  const name = schemaFor(apiVersion, kind);
  if (!name) throw new ProtobufError(`no protobuf schema for ${apiVersion}, Kind=${kind}`);
  return { apiVersion, kind, ...decodeObject(raw, name) };
}
