// The kubelet's volume set-up check before a pod's sandbox is made: a
// configMap or secret volume (or projected source) that is not optional needs
// its object, and every key its `items` list. Until then the pod stays in
// ContainerCreating and the kubelet reports FailedMount, worded as upstream's
// volume plugins do.
import type { Pod } from "../types";
import type { ObjectLookup } from "../container/env";

interface KeyToPath {
  key: string;
}

interface ObjectSource {
  name?: string;
  secretName?: string;
  optional?: boolean;
  items?: KeyToPath[];
}

interface VolumeSpec {
  name: string;
  configMap?: ObjectSource;
  secret?: ObjectSource;
  projected?: { sources?: { configMap?: ObjectSource; secret?: ObjectSource }[] };
}

export interface MountFailure {
  volume: string;
  message: string;
}

const WORDING = {
  configmaps: { missing: (name: string) => `configmap "${name}" not found`, key: (key: string) => `configmap references non-existent config key: ${key}` },
  secrets: { missing: (name: string) => `secret "${name}" not found`, key: (key: string) => `references non-existent secret key: ${key}` },
} as const;

/** Why the object behind one volume source cannot be set up, if it cannot. */
function sourceProblem(lookup: ObjectLookup, kind: "configmaps" | "secrets", namespace: string, source: ObjectSource): string | undefined {
  if (source.optional) return undefined;
  const name = (kind === "secrets" ? source.secretName : source.name) ?? "";
  const object = lookup(kind, namespace, name);
  if (!object) return WORDING[kind].missing(name);
  const { data = {}, binaryData = {} } = object as { data?: Record<string, string>; binaryData?: Record<string, string> };
  const missing = source.items?.find((item) => !(item.key in data) && !(item.key in binaryData));
  return missing ? WORDING[kind].key(missing.key) : undefined;
}

/** The first volume of `pod` the kubelet cannot set up yet, with the reason it gives. */
export function volumeSetUpFailure(pod: Pod, lookup: ObjectLookup): MountFailure | undefined {
  const namespace = pod.metadata.namespace ?? "default";
  for (const volume of (pod.spec.volumes ?? []) as VolumeSpec[]) {
    const sources = [
      ...(volume.configMap ? [{ kind: "configmaps" as const, source: volume.configMap }] : []),
      ...(volume.secret ? [{ kind: "secrets" as const, source: volume.secret }] : []),
      ...(volume.projected?.sources ?? []).flatMap((s) => [
        ...(s.configMap ? [{ kind: "configmaps" as const, source: s.configMap }] : []),
        ...(s.secret ? [{ kind: "secrets" as const, source: s.secret }] : []),
      ]),
    ];
    for (const { kind, source } of sources) {
      const message = sourceProblem(lookup, kind, namespace, source);
      if (message) return { volume: volume.name, message };
    }
  }
  return undefined;
}
