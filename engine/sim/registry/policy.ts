// Namespace policy objects: ResourceQuota and LimitRange. A new quota reports
// zero used until controllers/resourcequota.ts counts; admission/quota.ts enforces both.
import type { KObject } from "../types";
import { ALL_VERBS, AGE_COLUMN, column, CREATED_AT_COLUMN, createdAt, defineResource } from "./resource";
import { ageSince } from "./format";
import { validateSubdomain } from "./validation";
import { resourceQuotaSchema } from "../schema/core";
import { limitRangeSchema } from "../schema/storage";

interface ResourceQuota extends KObject {
  spec?: { hard?: Record<string, string>; [field: string]: unknown };
  status?: { hard?: Record<string, string>; used?: Record<string, string> };
}

function quotaCells(quota: ResourceQuota): [string, string] {
  const hard = quota.status?.hard ?? {};
  const used = quota.status?.used ?? {};
  const requests: string[] = [];
  const limits: string[] = [];
  for (const key of Object.keys(hard).sort()) {
    const pair = `${key}: ${used[key] ?? "0"}/${hard[key] ?? "0"}`;
    (key.startsWith("limits") ? limits : requests).push(pair);
  }
  return [requests.join(", "), limits.join(", ")];
}

export const resourcequotas = defineResource<ResourceQuota>(resourceQuotaSchema, {
  plural: "resourcequotas",
  singular: "resourcequota",
  namespaced: true,
  shortNames: ["quota"],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [{ name: "status", kind: "ResourceQuota", verbs: ["get", "patch", "update"] }],
  statusSubresource: true,
  columns: [AGE_COLUMN, column("Request", "string", "Used and allowed amounts of everything except limits.*, as used/hard."), column("Limit", "string", "Used and allowed amounts of the limits.* entries, as used/hard.")],
  cells: (quota, now) => [ageSince(quota.metadata.creationTimestamp, now), ...quotaCells(quota)],
  defaults(quota) {
    const hard = { ...quota.spec?.hard };
    quota.status = { hard, used: Object.fromEntries(Object.keys(hard).map((k) => [k, "0"])) };
  },
  validate: (quota) => validateSubdomain("metadata.name", quota.metadata.name ?? ""),
});

export interface LimitRangeItem {
  type?: string;
  max?: Record<string, string>;
  min?: Record<string, string>;
  default?: Record<string, string>;
  defaultRequest?: Record<string, string>;
  [field: string]: unknown;
}

interface LimitRange extends KObject {
  spec?: { limits?: LimitRangeItem[] };
}

export const limitranges = defineResource<LimitRange>(limitRangeSchema, {
  plural: "limitranges",
  singular: "limitrange",
  namespaced: true,
  shortNames: ["limits"],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [],
  columns: [CREATED_AT_COLUMN],
  cells: (lr) => [createdAt(lr)],
  defaults(lr) {
    // For containers, a missing default limit is the max, and a missing default request the default limit, else the min.
    for (const item of lr.spec?.limits ?? []) {
      if (item.type !== "Container") continue;
      const def = (item.default ??= {});
      for (const [k, v] of Object.entries(item.max ?? {})) def[k] ??= v;
      const request = (item.defaultRequest ??= {});
      for (const [k, v] of Object.entries(def)) request[k] ??= v;
      for (const [k, v] of Object.entries(item.min ?? {})) request[k] ??= v;
      if (!Object.keys(def).length) delete item.default;
      if (!Object.keys(request).length) delete item.defaultRequest;
    }
  },
  validate(lr) {
    const errors = validateSubdomain("metadata.name", lr.metadata.name ?? "");
    (lr.spec?.limits ?? []).forEach((item, i) => {
      if (!item.type) errors.push({ field: `spec.limits[${i}].type`, type: "FieldValueRequired" });
      else if (!["Container", "Pod", "PersistentVolumeClaim"].includes(item.type)) {
        errors.push({ field: `spec.limits[${i}].type`, type: "FieldValueNotSupported", value: item.type, detail: 'supported values: "Container", "PersistentVolumeClaim", "Pod"' });
      }
    });
    return errors;
  },
});
