// meta.k8s.io/v1 Table responses: the server renders the rows, kubectl only
// prints them (and adds NAMESPACE / LABELS columns itself).
import type { ResourceType, TableColumn } from "../registry";
import type { KObject } from "../types";

const NAME_COLUMN: TableColumn = {
  name: "Name",
  type: "string",
  format: "name",
  description: "The object's name, unique among objects of its kind in its namespace (or in the cluster, for cluster-wide kinds).",
  priority: 0,
};

export type IncludeObject = "None" | "Metadata" | "Object";

export function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false;
  const first = accept.split(",")[0] ?? "";
  return first.includes("as=Table") && first.includes("g=meta.k8s.io");
}

export function includeObjectPolicy(value: string | null): IncludeObject {
  return value === "None" || value === "Object" ? value : "Metadata";
}

function rowObject(object: KObject, include: IncludeObject): unknown {
  if (include === "None") return undefined;
  if (include === "Object") return object;
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: object.metadata };
}

export function toTable(
  type: ResourceType,
  objects: KObject[],
  options: { now: number; include: IncludeObject; resourceVersion?: string; continueToken?: string; withColumns?: boolean },
): Record<string, unknown> {
  const metadata: Record<string, string> = {};
  if (options.resourceVersion) metadata.resourceVersion = options.resourceVersion;
  if (options.continueToken) metadata.continue = options.continueToken;
  // A kind whose own columns carry the name (Event's wide-only NAME) gets no leading NAME column.
  const leadingName = !type.columns.some((c) => c.format === "name");
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata,
    columnDefinitions: options.withColumns === false ? [] : leadingName ? [NAME_COLUMN, ...type.columns] : type.columns,
    rows: objects.map((object) => {
      const cells = type.cells(object, options.now);
      const row: Record<string, unknown> = { cells: leadingName ? [type.nameCell?.(object) ?? object.metadata.name ?? "", ...cells] : cells };
      const embedded = rowObject(object, options.include);
      if (embedded) row.object = embedded;
      return row;
    }),
  };
}
