// What the API server knows about one resource type, in one place: its schema
// (fields, protobuf numbers, descriptions, merge keys: `schema/`), its names
// and discovery facts, its table columns, defaulting, validation and the
// fields a field selector may use. Adding a type means adding one of these,
// with `defineResource(schema, {...})`; group, version and kind come from the
// schema, so the two can never disagree.
import type { GroupVersionKind, ObjectSchema } from "../schema/dsl";
import type { KObject } from "../types";

export interface TableColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  format: string;
  description: string;
  /** 0 always shown, 1 only with -o wide. */
  priority: number;
}

export interface FieldError {
  field: string;
  type: "FieldValueInvalid" | "FieldValueRequired" | "FieldValueNotSupported" | "FieldValueDuplicate" | "FieldValueForbidden" | "FieldValueTooLong";
  value?: unknown;
  detail?: string;
}

/** What defaulting may draw on: the time and fresh identifiers. */
export interface CreateContext {
  now: number;
  /** A random lowercase alphanumeric string, as used by generateName. */
  randomSuffix(length: number): string;
  /** A free ClusterIP from the service CIDR. */
  allocateClusterIP(): string;
  /** A free port in the NodePort range. */
  allocateNodePort(): number;
  /** `namespace/name` of the Service holding a ClusterIP or NodePort now, if any. */
  allocationHolder?(what: { clusterIP?: string; nodePort?: number }): string | undefined;
}

export interface Subresource {
  name: string;
  kind: string;
  verbs: string[];
  /** Group/version of the response kind when it differs (e.g. autoscaling/v1 Scale). */
  group?: string;
  version?: string;
  /** The schema of a request body of another kind (Scale, Eviction, TokenRequest, Binding): OpenAPI paths and protobuf decoding. */
  schema?: ObjectSchema;
}

export interface ResourceType<T extends KObject = KObject> {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  /** The kind's top-level schema: fields, description, merge keys, OpenAPI, protobuf. */
  schema: ObjectSchema;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  subresources: Subresource[];
  /** Table columns after NAME; a column with format `name` replaces that leading NAME (Event). */
  columns: TableColumn[];
  /** The NAME cell when it is more than metadata.name (a default StorageClass adds ` (default)`). */
  nameCell?(object: T): string;
  cells(object: T, now: number): unknown[];
  /** Upstream defaulting and admission mutations, applied on create. */
  defaults?(object: T, context: CreateContext): void;
  validate?(object: T): FieldError[];
  /** Field-selector fields beyond metadata.name and metadata.namespace. */
  fields?(object: T): Record<string, string>;
  /** Deletion sets deletionTimestamp and waits for the kubelet (pods). */
  graceful?: boolean;
  /** PUT to the main resource keeps the stored status (status is a subresource). */
  statusSubresource?: boolean;
  /** Every request to the resource answers with this `Warning` (deprecated kinds, as upstream). */
  deprecationWarning?: string;
}

/** What a definition says besides its schema: group, version, kind and listKind come from the schema. */
export type ResourceSpec<T extends KObject> = Omit<ResourceType<T>, "group" | "version" | "kind" | "listKind" | "schema">;

export const ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

/** The verb a request on the resource itself (not a subresource) asks for, as RBAC and discovery name it. */
export function requestVerb(method: string, named: boolean, watch: boolean): string {
  if (method === "GET" || method === "HEAD") return watch ? "watch" : named ? "get" : "list";
  if (method === "DELETE") return named ? "delete" : "deletecollection";
  return ({ POST: "create", PUT: "update", PATCH: "patch" } as Record<string, string>)[method] ?? method.toLowerCase();
}

/** "group/version" strings made so far: every stored object carries one, and a shared copy costs nothing per object. */
const apiVersions = new Map<string, Map<string, string>>();

export function apiVersionOf(type: { group: string; version: string }): string {
  if (!type.group) return type.version;
  let versions = apiVersions.get(type.group);
  if (!versions) apiVersions.set(type.group, (versions = new Map<string, string>()));
  let apiVersion = versions.get(type.version);
  if (apiVersion === undefined) versions.set(type.version, (apiVersion = `${type.group}/${type.version}`));
  return apiVersion;
}

export function column(name: string, type: TableColumn["type"], description: string, priority = 0, format = ""): TableColumn {
  return { name, type, format, description, priority };
}

export const AGE_COLUMN = column("Age", "string", "How long ago the object was created.");

/** The default table's second column, for kinds without a printer of their own (Role, ClusterRole, LimitRange). */
export const CREATED_AT_COLUMN = column("Created At", "date", "When the object was created, in UTC.");

/** The cell of CREATED_AT_COLUMN. */
export const createdAt = (object: KObject): string => object.metadata.creationTimestamp ?? "";

/** The group/version/kind of a top-level schema; a schema without one is not a kind. */
export function kindOf(schema: ObjectSchema): GroupVersionKind {
  if (!schema.gvk) throw new Error(`schema ${schema.name} is not a top-level kind (no group/version/kind)`);
  return schema.gvk;
}

/**
 * A resource type defined from its schema, typed for its own object shape
 * but storable in the registry's list.
 */
export function defineResource<T extends KObject>(schema: ObjectSchema, spec: ResourceSpec<T>): ResourceType {
  const { group, version, kind } = kindOf(schema);
  const type: ResourceType<T> = { group, version, kind, listKind: `${kind}List`, schema, ...spec };
  return type;
}

/** A subresource whose body is a kind of its own (Scale, Eviction, TokenRequest, Binding). */
export function kindSubresource(name: string, schema: ObjectSchema, verbs: string[]): Subresource {
  const { group, version, kind } = kindOf(schema);
  return { name, kind, verbs, group, version, schema };
}
