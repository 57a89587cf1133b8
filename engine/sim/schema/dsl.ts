// A small language for describing API types once: each field's JSON name,
// wire type, protobuf field number, a short description, and the metadata
// strategic merge and validation need. OpenAPI documents, unknown-field
// checks and the protobuf decoder are all generated from these definitions.
//
//   const { object, ref } = pkg("io.k8s.api.core.v1");
//   object("ContainerPort", "A port a container listens on.", {
//     containerPort: field(3, int32, "Port number inside the pod.", { required: true }),
//     protocol: field(4, enumOf("SCTP", "TCP", "UDP"), "Transport protocol.", { default: "TCP" }),
//   });

export type Scalar = "string" | "int32" | "int64" | "number" | "bool" | "bytes" | "quantity" | "intOrString" | "time" | "microTime" | "duration" | "raw";

export interface ListOptions {
  /** x-kubernetes-patch-merge-key: the item field that identifies an item. */
  mergeKey?: string;
  /** x-kubernetes-patch-strategy, e.g. "merge" or "merge,retainKeys". */
  strategy?: string;
  /** x-kubernetes-list-type. */
  listType?: "atomic" | "set" | "map";
  /** x-kubernetes-list-map-keys. */
  mapKeys?: readonly string[];
}

export type FieldType =
  | { kind: "scalar"; scalar: Scalar; enum?: string[] }
  | ({ kind: "list"; items: FieldType } & ListOptions)
  | { kind: "map"; values: FieldType }
  | { kind: "ref"; name: string };

export interface FieldOptions {
  /** Shown as -required- by explain; listed in the schema's `required`. */
  required?: boolean;
  /** The value the API server fills in when the field is left out. */
  default?: unknown;
  /**
   * The Go field is a pointer: a zero value sent over protobuf is a real
   * value (replicas: 0), not an absent one.
   */
  ptr?: boolean;
}

export interface Field extends FieldOptions {
  /** Protobuf field number. */
  number: number;
  type: FieldType;
  description: string;
}

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/**
 * A Go struct embedded with `json:",inline"`: its fields appear flat in JSON
 * (Volume's emptyDir, Probe's httpGet, a key selector's name) but travel as
 * one nested message, under this number, in protobuf.
 */
export interface Embedded {
  number: number;
  type: FieldType;
}

export interface ObjectOptions {
  /** Embedded structs whose fields are this object's in JSON. */
  inline?: Embedded[];
  /** Set on top-level kinds (x-kubernetes-group-version-kind). */
  gvk?: GroupVersionKind;
  /** Accept any fields below this object (x-kubernetes-preserve-unknown-fields). */
  open?: boolean;
}

export interface ObjectSchema extends ObjectOptions {
  /** Full OpenAPI name, e.g. io.k8s.api.core.v1.Pod. */
  name: string;
  description: string;
  fields: Record<string, Field>;
}

const scalar = (s: Scalar): FieldType => ({ kind: "scalar", scalar: s });

export const str = scalar("string");
export const int32 = scalar("int32");
export const int64 = scalar("int64");
export const number = scalar("number");
export const bool = scalar("bool");
/** []byte: base64 text in JSON, raw bytes in protobuf. */
export const bytes = scalar("bytes");
/** resource.Quantity: "100m", "1Gi"; protobuf message { string = 1 }. */
export const quantity = scalar("quantity");
/** intstr.IntOrString: 80 or "http"; protobuf { type = 1, intVal = 2, strVal = 3 }. */
export const intOrString = scalar("intOrString");
/** metav1.Time: RFC 3339 seconds; protobuf { seconds = 1, nanos = 2 }. */
export const time = scalar("time");
/** metav1.MicroTime: RFC 3339 with microseconds. */
export const microTime = scalar("microTime");
/** metav1.Duration: "1h0m0s"; protobuf { duration = 1 } in nanoseconds. */
export const duration = scalar("duration");
/** Arbitrary JSON (runtime.RawExtension, FieldsV1): protobuf bytes holding JSON. */
export const raw = scalar("raw");

export function enumOf(...values: string[]): FieldType {
  return { kind: "scalar", scalar: "string", enum: values };
}

export function list(items: FieldType, options: ListOptions = {}): FieldType {
  return { kind: "list", items, ...options };
}

export function mapOf(values: FieldType): FieldType {
  return { kind: "map", values };
}

export function field(number: number, type: FieldType, description: string, options: FieldOptions = {}): Field {
  return { number, type, description, ...options };
}

export function embed(number: number, type: FieldType): Embedded {
  return { number, type };
}

export const META = "io.k8s.apimachinery.pkg.apis.meta.v1";

/** A reference to a type in another package, by full name. */
export function refTo(pkgName: string, name: string): FieldType {
  return { kind: "ref", name: `${pkgName}.${name}` };
}

export const metaRef = (name: string): FieldType => refTo(META, name);
export const coreRef = (name: string): FieldType => refTo("io.k8s.api.core.v1", name);

/** Where definitions are collected; every package file adds to it. */
export const definitions = new Map<string, ObjectSchema>();

/** Helpers bound to one OpenAPI package name (io.k8s.api.apps.v1, ...). */
export function pkg(pkgName: string): {
  object(name: string, description: string, fields: Record<string, Field>, options?: ObjectOptions): ObjectSchema;
  kind(name: string, gvk: Omit<GroupVersionKind, "kind">, description: string, fields: Record<string, Field>): ObjectSchema;
  ref(name: string): FieldType;
} {
  const object = (name: string, description: string, fields: Record<string, Field>, options: ObjectOptions = {}): ObjectSchema => {
    const full = `${pkgName}.${name}`;
    if (definitions.has(full)) throw new Error(`schema ${full} defined twice`);
    const schema: ObjectSchema = { name: full, description, fields, ...options };
    definitions.set(full, schema);
    return schema;
  };
  return {
    object,
    /** A top-level kind: apiVersion and kind come first, as upstream lists them. */
    kind: (name, gv, description, fields) =>
      object(name, description, { ...typeMetaFields(), ...fields }, { gvk: { group: gv.group, version: gv.version, kind: name } }),
    ref: (name) => refTo(pkgName, name),
  };
}

/**
 * apiVersion and kind. They have no protobuf number inside the object: over
 * protobuf they travel in the runtime.Unknown envelope (number 0 = never on the wire).
 */
export function typeMetaFields(): Record<string, Field> {
  return {
    apiVersion: field(0, str, "The versioned schema of this object (group/version, or just v1 for the core group). The server rejects or converts values it does not serve."),
    kind: field(0, str, "The object's type, in CamelCase, e.g. Pod. Tells the server (and kubectl) how to read the rest of the object."),
  };
}
