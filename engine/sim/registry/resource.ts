// What the API server knows about one resource type, in one place: its names
// and discovery facts, its table columns, defaulting, validation and the
// fields a field selector may use. Adding a type means adding one of these.
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
}

export interface ResourceType<T extends KObject = KObject> {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  subresources: Subresource[];
  /** Table columns after NAME (NAME is always first). */
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
}

export const ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

export function apiVersionOf(type: { group: string; version: string }): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

export function column(name: string, type: TableColumn["type"], description: string, priority = 0, format = ""): TableColumn {
  return { name, type, format, description, priority };
}

export const AGE_COLUMN = column("Age", "string", "How long ago the object was created.");

/** The default table's second column, for kinds without a printer of their own (Role, ClusterRole, LimitRange). */
export const CREATED_AT_COLUMN = column("Created At", "date", "When the object was created, in UTC.");

/** A resource type, typed for its own object shape but storable in the registry's list. */
export function defineResource<T extends KObject>(type: ResourceType<T>): ResourceType {
  return type;
}
