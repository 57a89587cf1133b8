// The environment a container's spec asks for (envFrom, then env: literal
// values with $(VAR) references, ConfigMap and Secret keys, pod fields), as
// the kubelet builds it before creating the container. A reference it cannot
// resolve (a missing ConfigMap or Secret, or key) is a config error: the
// kubelet then does not create the container (CreateContainerConfigError)
// and tries again later; `optional: true` references are skipped instead.
import type { Container, KObject, Pod } from "../types";

/** A ConfigMap or Secret of the cluster, by namespace and name. */
export type ObjectLookup = (kind: "configmaps" | "secrets", namespace: string, name: string) => KObject | undefined;

interface KeyRef {
  name: string;
  key: string;
  optional?: boolean;
}

interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name: string; optional?: boolean };
  secretRef?: { name: string; optional?: boolean };
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { configMapKeyRef?: KeyRef; secretKeyRef?: KeyRef; fieldRef?: { fieldPath: string } };
}

export interface SpecEnvironment {
  /** `base` plus every variable that resolved. */
  env: Record<string, string>;
  /** The first reference that did not resolve, worded as the kubelet reports it; none when all did. */
  error?: string;
}

/** How the kubelet's object caches name a missing object (singular resource, not the API's plural). */
const SINGULAR = { configmaps: "configmap", secrets: "secret" } as const;
const KIND = { configmaps: "ConfigMap", secrets: "Secret" } as const;

/**
 * The variables of `spec.envFrom` and `spec.env` on top of `base` (the
 * image's and the cluster's), with the first unresolvable required reference
 * as `error`. Secret values come decoded.
 */
export function specEnvironment(pod: Pod, spec: Container, lookup: ObjectLookup, base: Record<string, string> = {}): SpecEnvironment {
  const namespace = pod.metadata.namespace ?? "default";
  const env = { ...base };
  let error: string | undefined;
  const fail = (message: string): void => {
    error ??= message;
  };
  const data = (kind: "configmaps" | "secrets", name: string, optional: boolean | undefined): Record<string, string> | undefined => {
    const values = objectData(lookup, kind, namespace, name);
    if (!values && !optional) fail(`${SINGULAR[kind]} "${name}" not found`);
    return values;
  };
  for (const from of (spec.envFrom as EnvFromSource[] | undefined) ?? []) {
    const values = from.configMapRef ? data("configmaps", from.configMapRef.name, from.configMapRef.optional) : from.secretRef ? data("secrets", from.secretRef.name, from.secretRef.optional) : undefined;
    for (const [k, v] of Object.entries(values ?? {})) env[`${from.prefix ?? ""}${k}`] = v;
  }
  const keyOf = (kind: "configmaps" | "secrets", ref: KeyRef): string | undefined => {
    const values = data(kind, ref.name, ref.optional);
    const value = values?.[ref.key];
    if (values && value === undefined && !ref.optional) fail(`couldn't find key ${ref.key} in ${KIND[kind]} ${namespace}/${ref.name}`);
    return value;
  };
  for (const v of (spec.env as EnvVar[] | undefined) ?? []) {
    if (v.value !== undefined) env[v.name] = v.value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name: string) => env[name] ?? m);
    const from = v.valueFrom;
    if (!from) {
      env[v.name] ??= "";
      continue;
    }
    let value: string | undefined;
    if (from.configMapKeyRef) value = keyOf("configmaps", from.configMapKeyRef);
    else if (from.secretKeyRef) value = keyOf("secrets", from.secretKeyRef);
    else if (from.fieldRef) value = fieldValue(pod, from.fieldRef.fieldPath);
    if (value !== undefined) env[v.name] = value;
  }
  return error === undefined ? { env } : { env, error };
}

/** A ConfigMap's data, or a Secret's decoded data; undefined when the object does not exist. */
export function objectData(lookup: ObjectLookup, kind: "configmaps" | "secrets", namespace: string, name: string): Record<string, string> | undefined {
  const object: (KObject & { data?: Record<string, string> }) | undefined = lookup(kind, namespace, name);
  if (!object) return undefined;
  const values = object.data ?? {};
  return kind === "secrets" ? Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")])) : values;
}

/** A downward-API field of the pod (env fieldRef, downwardAPI volume items). */
export function fieldValue(pod: Pod, path: string): string | undefined {
  switch (path) {
    case "metadata.name":
      return pod.metadata.name;
    case "metadata.namespace":
      return pod.metadata.namespace;
    case "metadata.uid":
      return pod.metadata.uid;
    case "spec.nodeName":
      return pod.spec.nodeName;
    case "spec.serviceAccountName":
      return pod.spec.serviceAccountName;
    case "status.podIP":
      return pod.status?.podIP;
    case "status.hostIP":
      return pod.status?.hostIP;
  }
  const label = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (label) return (label[1] === "labels" ? pod.metadata.labels : pod.metadata.annotations)?.[label[2] as string];
  return undefined;
}
