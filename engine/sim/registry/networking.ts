// Where traffic goes: core/v1 Endpoints, discovery.k8s.io/v1 EndpointSlice,
// networking.k8s.io/v1 Ingress and NetworkPolicy. The Endpoints and
// EndpointSlice controllers (controllers/endpoints.ts, endpointslice.ts) fill
// in the first two; no ingress controller or NetworkPolicy enforcement yet
// (IngressClass objects are stored for tools that read them).
import type { KObject } from "../types";
import { ALL_VERBS, AGE_COLUMN, column, defineResource } from "./resource";
import { ageSince } from "./format";
import { validateSubdomain } from "./validation";
import { formatSelector, type LabelSelector } from "./workload";
import { loadBalancerAddresses } from "./core";
import { endpointsSchema } from "../schema/core";
import { endpointSliceSchema, ingressClassSchema, ingressSchema } from "../schema/networking";
import { networkPolicySchema } from "../schema/storage";

const SHOWN = 3;

/** At most three entries, then ` + N more...`. */
function capped(list: string[], total: number, empty: string): string {
  if (!list.length) return empty;
  const shown = list.slice(0, SHOWN).join(",");
  return total > SHOWN ? `${shown} + ${total - SHOWN} more...` : shown;
}

interface Endpoints extends KObject {
  subsets?: { addresses?: { ip: string }[]; notReadyAddresses?: { ip: string }[]; ports?: { name?: string; port: number; protocol?: string }[] }[];
}

function endpointList(ep: Endpoints): string {
  const list: string[] = [];
  for (const subset of ep.subsets ?? []) {
    const addresses = subset.addresses ?? [];
    if (!subset.ports?.length) list.push(...addresses.map((a) => a.ip));
    else for (const port of subset.ports) list.push(...addresses.map((a) => (a.ip.includes(":") ? `[${a.ip}]:${port.port}` : `${a.ip}:${port.port}`)));
  }
  // Subsets holding only not-ready addresses print an empty cell, as upstream's formatEndpoints.
  return capped(list, list.length, ep.subsets?.length ? "" : "<none>");
}

export const endpoints = defineResource<Endpoints>(endpointsSchema, {
  plural: "endpoints",
  singular: "endpoints",
  namespaced: true,
  shortNames: ["ep"],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [],
  columns: [column("Endpoints", "string", "Ready addresses behind the service, as ip:port."), AGE_COLUMN],
  cells: (ep, now) => [endpointList(ep), ageSince(ep.metadata.creationTimestamp, now)],
  defaults(ep) {
    for (const subset of ep.subsets ?? []) for (const port of subset.ports ?? []) port.protocol ??= "TCP";
  },
  validate: (ep) => validateSubdomain("metadata.name", ep.metadata.name ?? ""),
});

interface EndpointSlice extends KObject {
  addressType?: string;
  endpoints?: { addresses: string[]; conditions?: Record<string, boolean> }[];
  ports?: { name?: string; port?: number; protocol?: string }[];
}

export const endpointslices = defineResource<EndpointSlice>(endpointSliceSchema, {
  plural: "endpointslices",
  singular: "endpointslice",
  namespaced: true,
  shortNames: [],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [],
  columns: [
    column("AddressType", "string", "The kind of address in the slice: IPv4, IPv6 or FQDN."),
    column("Ports", "string", "Port numbers every endpoint in the slice serves."),
    column("Endpoints", "string", "The addresses in the slice."),
    AGE_COLUMN,
  ],
  cells(slice, now) {
    // A port without a number shows its name, else "*".
    const ports = (slice.ports ?? []).map((p) => (p.port === undefined ? (p.name ?? "*") : String(p.port)));
    const addresses = (slice.endpoints ?? []).flatMap((e) => e.addresses);
    return [slice.addressType ?? "", capped(ports, ports.length, "<unset>"), capped(addresses, addresses.length, "<unset>"), ageSince(slice.metadata.creationTimestamp, now)];
  },
  defaults(slice) {
    for (const port of slice.ports ?? []) port.protocol ??= "TCP";
  },
  validate(slice) {
    const errors = validateSubdomain("metadata.name", slice.metadata.name ?? "");
    if (!slice.addressType) errors.push({ field: "addressType", type: "FieldValueRequired" });
    else if (!["IPv4", "IPv6", "FQDN"].includes(slice.addressType)) errors.push({ field: "addressType", type: "FieldValueNotSupported", value: slice.addressType, detail: 'supported values: "FQDN", "IPv4", "IPv6"' });
    return errors;
  },
});

interface Ingress extends KObject {
  spec?: { ingressClassName?: string; rules?: { host?: string }[]; tls?: unknown[]; [field: string]: unknown };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

/** The first three rule hosts; "+ N more" counts every rule past the third (host or not), as upstream's formatHosts. */
function ingressHosts(rules: { host?: string }[]): string {
  const shown: string[] = [];
  let more = false;
  for (const rule of rules) {
    if (shown.length === SHOWN) more = true;
    if (!more && rule.host) shown.push(rule.host);
  }
  if (!shown.length) return "*";
  return more ? `${shown.join(",")} + ${rules.length - SHOWN} more...` : shown.join(",");
}

export const ingresses = defineResource<Ingress>(ingressSchema, {
  plural: "ingresses",
  singular: "ingress",
  namespaced: true,
  shortNames: ["ing"],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [{ name: "status", kind: "Ingress", verbs: ["get", "patch", "update"] }],
  statusSubresource: true,
  columns: [
    column("Class", "string", "The ingress class (controller) meant to serve it."),
    column("Hosts", "string", "Host names the rules match; * when any host will do."),
    column("Address", "string", "Where the ingress controller published it."),
    column("Ports", "string", "Ports it listens on: 80, plus 443 with TLS."),
    AGE_COLUMN,
  ],
  cells(ing, now) {
    const address = loadBalancerAddresses(ing.status?.loadBalancer?.ingress).join(",");
    return [ing.spec?.ingressClassName ?? "<none>", ingressHosts(ing.spec?.rules ?? []), address, ing.spec?.tls?.length ? "80, 443" : "80", ageSince(ing.metadata.creationTimestamp, now)];
  },
  defaults(ing) {
    ing.status = { loadBalancer: {} };
    for (const rule of (ing.spec?.rules ?? []) as { http?: { paths?: { pathType?: string }[] } }[]) {
      for (const path of rule.http?.paths ?? []) path.pathType ??= "ImplementationSpecific";
    }
  },
  validate(ing) {
    const errors = validateSubdomain("metadata.name", ing.metadata.name ?? "");
    if (!ing.spec?.rules?.length && !ing.spec?.defaultBackend) {
      errors.push({ field: "spec", type: "FieldValueInvalid", value: "[]", detail: "either `defaultBackend` or `rules` must be specified" });
    }
    return errors;
  },
});

interface NetworkPolicy extends KObject {
  spec?: { podSelector?: LabelSelector; policyTypes?: string[]; egress?: unknown[]; [field: string]: unknown };
}

export const networkpolicies = defineResource<NetworkPolicy>(networkPolicySchema, {
  plural: "networkpolicies",
  singular: "networkpolicy",
  namespaced: true,
  shortNames: ["netpol"],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [],
  columns: [column("Pod-Selector", "string", "Which pods in the namespace the policy applies to."), AGE_COLUMN],
  cells: (np, now) => [formatSelector(np.spec?.podSelector), ageSince(np.metadata.creationTimestamp, now)],
  defaults(np) {
    const spec = (np.spec ??= {});
    spec.podSelector ??= {};
    spec.policyTypes ??= spec.egress ? ["Ingress", "Egress"] : ["Ingress"];
  },
  validate: (np) => validateSubdomain("metadata.name", np.metadata.name ?? ""),
});

interface IngressClass extends KObject {
  spec?: { controller?: string; parameters?: { apiGroup?: string; kind?: string; name?: string } };
}

export const ingressclasses = defineResource<IngressClass>(ingressClassSchema, {
  plural: "ingressclasses",
  singular: "ingressclass",
  namespaced: false,
  shortNames: [],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [],
  columns: [
    column("Controller", "string", "The controller that serves ingresses of this class."),
    column("Parameters", "string", "The object holding the controller's settings, as kind.group/name."),
    AGE_COLUMN,
  ],
  cells(ic, now) {
    const p = ic.spec?.parameters;
    const parameters = p ? `${p.kind ?? ""}${p.apiGroup ? `.${p.apiGroup}` : ""}/${p.name ?? ""}` : "<none>";
    return [ic.spec?.controller ?? "", parameters, ageSince(ic.metadata.creationTimestamp, now)];
  },
  validate(ic) {
    const errors = validateSubdomain("metadata.name", ic.metadata.name ?? "");
    if (!ic.spec?.controller) errors.push({ field: "spec.controller", type: "FieldValueRequired" });
    return errors;
  },
});
