// Discovery documents, built from the registry: the aggregated form kubectl
// asks for first (apidiscovery.k8s.io/v2) and the legacy per-group-version
// lists (`auth can-i` and older clients use those).
import { apiVersionOf, type Registry, type ResourceType } from "../registry";

export const AGGREGATED_CONTENT_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

export const VERSION_INFO = {
  major: "1",
  minor: "32",
  gitVersion: "v1.32.3",
  gitCommit: "32cc146f75aad04beaaa245a7157eb35063a9f99",
  gitTreeState: "clean",
  buildDate: "2025-03-11T19:52:21Z",
  goVersion: "go1.23.6",
  compiler: "gc",
  platform: "linux/amd64",
};

export function wantsAggregated(accept: string | undefined): boolean {
  return !!accept && accept.split(",").some((part) => part.includes("as=APIGroupDiscoveryList") && part.includes("v=v2") && !part.includes("v=v2beta1"));
}

/** Upstream installs (and so lists) a kind's subresources sorted by name. */
function bySubresourceName(type: ResourceType): ResourceType["subresources"] {
  return [...type.subresources].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function aggregatedResource(type: ResourceType): Record<string, unknown> {
  const resource: Record<string, unknown> = {
    resource: type.plural,
    responseKind: { group: type.group, version: type.version, kind: type.kind },
    scope: type.namespaced ? "Namespaced" : "Cluster",
    singularResource: type.singular,
    verbs: type.verbs,
  };
  if (type.shortNames.length) resource.shortNames = type.shortNames;
  if (type.categories.length) resource.categories = type.categories;
  if (type.subresources.length) {
    resource.subresources = bySubresourceName(type).map((s) => ({
      subresource: s.name,
      responseKind: { group: s.group ?? type.group, version: s.version ?? type.version, kind: s.kind },
      verbs: s.verbs,
    }));
  }
  return resource;
}

/** `/api` (core only) or `/apis` (named groups) in aggregated form. */
export function aggregatedDiscovery(registry: Registry, legacy: boolean): unknown {
  const groups = new Map<string, string[]>();
  for (const gv of registry.groupVersions()) {
    if ((gv.group === "") !== legacy) continue;
    groups.set(gv.group, [...(groups.get(gv.group) ?? []), gv.version]);
  }
  return {
    kind: "APIGroupDiscoveryList",
    apiVersion: "apidiscovery.k8s.io/v2",
    metadata: {},
    items: [...groups].map(([group, versions]) => ({
      metadata: group ? { name: group, creationTimestamp: null } : { creationTimestamp: null },
      versions: versions.map((version) => ({
        version,
        resources: registry.inGroupVersion(group, version).map(aggregatedResource),
        freshness: "Current",
      })),
    })),
  };
}

/** `GET /`: every path the server answers at the top, sorted (upstream also answers unknown top-level paths with it, as a 404). */
export function rootPaths(registry: Registry): { paths: string[] } {
  const paths = new Set(["/api", "/api/v1", "/apis", "/apis/", "/healthz", "/livez", "/openapi/v2", "/openapi/v3", "/openapi/v3/", "/readyz", "/version"]);
  for (const gv of registry.groupVersions()) {
    if (!gv.group) continue;
    paths.add(`/apis/${gv.group}`);
    paths.add(`/apis/${apiVersionOf(gv)}`);
  }
  return { paths: [...paths].sort() };
}

export function legacyVersions(serverAddress: string): unknown {
  return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }] };
}

function groupEntry(registry: Registry, group: string): Record<string, unknown> {
  const versions = registry
    .groupVersions()
    .filter((gv) => gv.group === group)
    .map((gv) => ({ groupVersion: apiVersionOf(gv), version: gv.version }));
  return { name: group, versions, preferredVersion: versions[0] };
}

export function groupList(registry: Registry): unknown {
  const names = [...new Set(registry.groupVersions().map((gv) => gv.group))].filter((g) => g !== "");
  return { kind: "APIGroupList", apiVersion: "v1", groups: names.map((g) => groupEntry(registry, g)) };
}

export function group(registry: Registry, name: string): unknown {
  if (!registry.groupVersions().some((gv) => gv.group === name)) return undefined;
  return { kind: "APIGroup", apiVersion: "v1", ...groupEntry(registry, name) };
}

export function resourceList(registry: Registry, group: string, version: string): unknown {
  const types = registry.inGroupVersion(group, version);
  if (!types.length) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const type of types) {
    const entry: Record<string, unknown> = {
      name: type.plural,
      singularName: type.singular,
      namespaced: type.namespaced,
      kind: type.kind,
      verbs: type.verbs,
    };
    if (type.shortNames.length) entry.shortNames = type.shortNames;
    if (type.categories.length) entry.categories = type.categories;
    resources.push(entry);
    for (const sub of bySubresourceName(type)) {
      const subEntry: Record<string, unknown> = { name: `${type.plural}/${sub.name}`, singularName: "", namespaced: type.namespaced, kind: sub.kind, verbs: sub.verbs };
      if (sub.group) Object.assign(subEntry, { group: sub.group, version: sub.version });
      resources.push(subEntry);
    }
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: apiVersionOf({ group, version }), resources };
}
