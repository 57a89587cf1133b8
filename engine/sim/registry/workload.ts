// What the workload types (Deployment, ReplicaSet, DaemonSet, StatefulSet,
// Job, CronJob, ReplicationController) share: pod template defaulting and
// validation, label selector rules, and the CONTAINERS / IMAGES / SELECTOR
// cells of their wide tables.
import type { PodSpec } from "../types";
import { defaultContainerFields, validateContainers } from "./pods";
import { column, type FieldError } from "./resource";

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; creationTimestamp?: string | null; [field: string]: unknown };
  spec?: PodSpec;
}

export const CONTAINERS_COLUMN = column("Containers", "string", "Names of the containers in the pod template.", 1);
export const IMAGES_COLUMN = column("Images", "string", "Images the pod template's containers run.", 1);
export const SELECTOR_COLUMN = column("Selector", "string", "The label query that picks the pods this object owns.", 1);

/** A label selector as upstream prints it: requirements sorted by key, `a=b,c in (d,e),!f`, or `<none>` when empty. */
export function formatSelector(selector: LabelSelector | undefined): string {
  const parts: [string, string][] = Object.entries(selector?.matchLabels ?? {}).map(([key, value]) => [key, `${key}=${value}`]);
  for (const e of selector?.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort().join(",");
    switch (e.operator) {
      case "In":
        parts.push([e.key, `${e.key} in (${values})`]);
        break;
      case "NotIn":
        parts.push([e.key, `${e.key} notin (${values})`]);
        break;
      case "Exists":
        parts.push([e.key, e.key]);
        break;
      case "DoesNotExist":
        parts.push([e.key, `!${e.key}`]);
        break;
      default:
        parts.push([e.key, `${e.key} ${e.operator} (${values})`]);
    }
  }
  parts.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return parts.length ? parts.map(([, text]) => text).join(",") : "<none>";
}

/** A plain `map[string]string` selector (ReplicationController, Service). */
export function formatMapSelector(selector: Record<string, string> | undefined): string {
  const keys = Object.keys(selector ?? {}).sort();
  return keys.length ? keys.map((k) => `${k}=${selector?.[k] ?? ""}`).join(",") : "<none>";
}

export function templateContainers(template: PodTemplate | undefined): [string, string] {
  const containers = template?.spec?.containers ?? [];
  return [containers.map((c) => c.name).join(","), containers.map((c) => c.image ?? "").join(",")];
}

/** The pod-spec defaults upstream applies inside a template (no admission: that happens to the pods). */
export function defaultPodTemplate(template: PodTemplate, restartPolicy = "Always"): void {
  const meta = (template.metadata ??= {});
  meta.creationTimestamp ??= null;
  const spec = (template.spec ??= { containers: [] });
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) defaultContainerFields(c);
  spec.restartPolicy ??= restartPolicy;
  spec.dnsPolicy ??= "ClusterFirst";
  spec.schedulerName ??= "default-scheduler";
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= 30;
}

export function validatePodTemplate(template: PodTemplate | undefined, path: string, restartPolicies = ["Always"]): FieldError[] {
  const errors: FieldError[] = [];
  const spec = template?.spec;
  if (!spec?.containers?.length) return [{ field: `${path}.spec.containers`, type: "FieldValueRequired" }];
  errors.push(...validateContainers(spec.containers, `${path}.spec.containers`, true));
  errors.push(...validateContainers(spec.initContainers, `${path}.spec.initContainers`, false));
  const policy = spec.restartPolicy;
  if (policy && !restartPolicies.includes(policy)) {
    errors.push({ field: `${path}.spec.restartPolicy`, type: "FieldValueNotSupported", value: policy, detail: `supported values: ${restartPolicies.map((p) => `"${p}"`).join(", ")}` });
  }
  return errors;
}

function selectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = e.key in labels;
    const value = labels[e.key];
    if (e.operator === "In" && !(has && e.values?.includes(value ?? ""))) return false;
    if (e.operator === "NotIn" && has && e.values?.includes(value ?? "")) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

function goMap(labels: Record<string, string>): string {
  return `map[string]string{${Object.keys(labels)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(labels[k])}`)
    .join(", ")}}`;
}

/** A required selector that is not empty and that the template's labels satisfy. */
export function validateSelector(selector: LabelSelector | undefined, template: PodTemplate | undefined, path: string): FieldError[] {
  if (!selector || (!Object.keys(selector.matchLabels ?? {}).length && !selector.matchExpressions?.length)) {
    return [{ field: `${path}.selector`, type: "FieldValueRequired" }];
  }
  const labels = template?.metadata?.labels ?? {};
  if (!selectorMatches(selector, labels)) {
    return [{ field: `${path}.template.metadata.labels`, type: "FieldValueInvalid", value: goMap(labels), detail: "`selector` does not match template `labels`" }];
  }
  return [];
}
