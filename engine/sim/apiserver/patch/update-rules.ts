// What an update may change, and what it changes as a side effect, per kind
// (upstream's registry strategies: PrepareForUpdate + ValidateUpdate):
// metadata.generation follows spec changes, values the server allocated
// (Service clusterIP, nodePorts) carry over when a client leaves them out, and
// immutable fields are refused with upstream's wording.
import type { FieldError } from "../../registry";
import type { KObject } from "../../types";
import { isObject, jsonEqual, type Json, type JsonObject } from "./json";

const obj = (v: unknown): JsonObject => (isObject(v) ? v : {});

/** Generation: kept from the stored object, +1 when the spec changes (Deployments: annotations too). */
export function nextGeneration(current: KObject, next: KObject): number | undefined {
  const generation = current.metadata.generation;
  if (generation === undefined) return undefined;
  const specChanged = !jsonEqual(current.spec as Json | undefined, next.spec as Json | undefined);
  const annotationsChanged = current.kind === "Deployment" && !jsonEqual((current.metadata.annotations ?? {}), (next.metadata.annotations ?? {}));
  return specChanged || annotationsChanged ? generation + 1 : generation;
}

/** Fill in server-allocated values a client's full replacement left out. */
export function carryOver(current: KObject, next: KObject): void {
  if (current.kind !== "Service") return;
  const was = obj(current.spec);
  const spec = obj(next.spec);
  if (!isObject(next.spec)) return;
  for (const field of ["clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy", "healthCheckNodePort"]) {
    if ((spec[field] === undefined || spec[field] === "") && was[field] !== undefined && (spec.type ?? "ClusterIP") !== "ExternalName") spec[field] = structuredClone(was[field]);
  }
  const oldPorts = Array.isArray(was.ports) ? was.ports.filter(isObject) : [];
  if (Array.isArray(spec.ports) && spec.type !== "ClusterIP" && spec.type !== undefined) {
    for (const port of spec.ports.filter(isObject)) {
      if (port.nodePort !== undefined) continue;
      const match = oldPorts.find((p) => p.port === port.port && (p.protocol ?? "TCP") === (port.protocol ?? "TCP"));
      if (match?.nodePort !== undefined) port.nodePort = match.nodePort;
    }
  }
}

const POD_UPDATE_DETAIL =
  "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

function podSpecChange(current: JsonObject, next: JsonObject): FieldError[] {
  // Shallow copies suffice: only top-level fields and container images are replaced (pods are compared on every bind).
  const allowed = { ...current };
  for (const list of ["containers", "initContainers"]) {
    const before = allowed[list];
    const after = next[list];
    if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
      allowed[list] = before.map((c, i) => {
        const n = after[i];
        return isObject(c) && isObject(n) && n.image !== undefined ? { ...c, image: n.image } : c;
      });
    }
  }
  for (const field of ["activeDeadlineSeconds", "terminationGracePeriodSeconds"]) {
    if (next[field] === undefined) delete allowed[field];
    else allowed[field] = next[field];
  }
  const oldTolerations = Array.isArray(current.tolerations) ? current.tolerations : [];
  const newTolerations = Array.isArray(next.tolerations) ? next.tolerations : [];
  if (oldTolerations.every((t) => newTolerations.some((n) => jsonEqual(n, t)))) {
    if (next.tolerations === undefined) delete allowed.tolerations;
    else allowed.tolerations = next.tolerations;
  }
  // The scheduler binds an unbound pod (the binding subresource upstream).
  if (!current.nodeName && next.nodeName !== undefined) allowed.nodeName = next.nodeName;
  if (jsonEqual(allowed, next)) return [];
  return [{ field: "spec", type: "FieldValueForbidden", detail: POD_UPDATE_DETAIL }];
}

const immutable = (field: string, value: unknown): FieldError => ({ field, type: "FieldValueInvalid", value, detail: "field is immutable" });

/** Changes an update may not make (not for the status subresource). */
export function immutableChanges(current: KObject, next: KObject): FieldError[] {
  const was = obj(current.spec);
  const spec = obj(next.spec);
  switch (current.kind) {
    case "Pod":
      return podSpecChange(was, spec);
    case "Deployment":
    case "ReplicaSet":
    case "DaemonSet":
    case "StatefulSet":
      return jsonEqual(was.selector, spec.selector) ? [] : [immutable("spec.selector", spec.selector)];
    case "Job": {
      const errors: FieldError[] = [];
      if (!jsonEqual(was.selector, spec.selector)) errors.push(immutable("spec.selector", spec.selector));
      if (!jsonEqual(was.template, spec.template)) errors.push(immutable("spec.template", "core.PodTemplateSpec{...}"));
      if (was.completions !== undefined && !jsonEqual(was.completions, spec.completions)) errors.push(immutable("spec.completions", spec.completions));
      return errors;
    }
    case "Service":
      if (was.clusterIP && was.clusterIP !== "None" && spec.clusterIP !== was.clusterIP && spec.type !== "ExternalName") {
        return [{ field: "spec.clusterIPs[0]", type: "FieldValueInvalid", value: spec.clusterIP ?? "", detail: "may not change once set" }];
      }
      return [];
    case "ConfigMap":
    case "Secret":
      if (current.immutable === true) {
        const errors: FieldError[] = [];
        for (const field of ["data", "binaryData", "stringData"]) {
          if (!jsonEqual((current[field] ?? null) as Json, (next[field] ?? null) as Json)) {
            errors.push({ field, type: "FieldValueForbidden", detail: "field is immutable when `immutable` is set" });
          }
        }
        if (next.immutable !== true) errors.push({ field: "immutable", type: "FieldValueForbidden", detail: "field is immutable when `immutable` is set" });
        return errors;
      }
      return [];
    default:
      return [];
  }
}
