// The cluster DNS role (CoreDNS's kubernetes plugin, `pods insecure`), over
// the same objects CoreDNS watches: Services and EndpointSlices.
//   <svc>.<ns>.svc.cluster.local            ClusterIP; headless -> ready endpoint IPs; ExternalName -> CNAME
//   <hostname>.<svc>.<ns>.svc.cluster.local an endpoint with that hostname (StatefulSet pods) or dashed IP
//   <a-b-c-d>.<ns>.pod.cluster.local        a.b.c.d
// Short names go through the pod's search path (`<ns>.svc.cluster.local
// svc.cluster.local cluster.local`, ndots:5), as glibc/musl resolvers do.
import type { Service } from "../types";

export const CLUSTER_DOMAIN = "cluster.local";
export const NDOTS = 5;

export interface SliceView {
  endpoints?: { addresses: string[]; conditions?: { ready?: boolean }; hostname?: string }[];
}

export interface DnsData {
  service(namespace: string, name: string): Service | undefined;
  slices(namespace: string, service: string): SliceView[];
}

export type DnsAnswer =
  | { found: true; /** The name that answered (fully qualified, no trailing dot). */ name: string; addresses: string[]; /** ExternalName target. */ cname?: string }
  | { found: false; /** NXDOMAIN for the query (every search-path candidate failed). */ name: string };

/** resolv.conf search list for a pod in `namespace`. */
export function searchPath(namespace: string): string[] {
  return [`${namespace}.svc.${CLUSTER_DOMAIN}`, `svc.${CLUSTER_DOMAIN}`, CLUSTER_DOMAIN];
}

/** /etc/resolv.conf as the kubelet writes it for a ClusterFirst pod. */
export function resolvConf(namespace: string, nameserver: string): string {
  return `search ${searchPath(namespace).join(" ")}\nnameserver ${nameserver}\noptions ndots:${NDOTS}\n`;
}

function dashedIP(label: string): string | undefined {
  const parts = label.split("-");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.join(".");
}

function readyAddresses(slices: SliceView[], all: boolean): string[] {
  const out: string[] = [];
  for (const s of slices) for (const e of s.endpoints ?? []) if (all || e.conditions?.ready !== false) out.push(...e.addresses);
  return [...new Set(out)];
}

/** Answer for one fully qualified name inside the cluster domain, or undefined (NXDOMAIN). */
export function authoritative(fqdn: string, data: DnsData): { addresses: string[]; cname?: string } | undefined {
  const suffix = `.${CLUSTER_DOMAIN}`;
  if (!fqdn.endsWith(suffix)) return undefined;
  const labels = fqdn.slice(0, -suffix.length).split(".");
  const zone = labels.at(-1);
  if (zone === "pod" && labels.length === 3) {
    const ip = dashedIP(labels[0] ?? "");
    return ip ? { addresses: [ip] } : undefined;
  }
  if (zone !== "svc" || (labels.length !== 3 && labels.length !== 4)) return undefined;
  const [namespace, svcName] = [labels.at(-2) ?? "", labels.at(-3) ?? ""];
  const svc = data.service(namespace, svcName);
  if (!svc) return undefined;
  const publish = svc.spec?.publishNotReadyAddresses === true;
  if (labels.length === 4) {
    const host = labels[0] ?? "";
    const ip = dashedIP(host);
    for (const s of data.slices(namespace, svcName)) {
      for (const e of s.endpoints ?? []) {
        if (!publish && e.conditions?.ready === false) continue;
        if (e.hostname === host || (ip && e.addresses.includes(ip))) return { addresses: [...e.addresses] };
      }
    }
    return undefined;
  }
  if (svc.spec?.type === "ExternalName") return { addresses: [], cname: (svc.spec.externalName ?? "").replace(/\.$/, "") };
  if (svc.spec?.clusterIP === "None") {
    const addresses = readyAddresses(data.slices(namespace, svcName), publish);
    return addresses.length ? { addresses } : undefined;
  }
  return svc.spec?.clusterIP ? { addresses: [svc.spec.clusterIP] } : undefined;
}

/** The names a resolver tries for `query`, in order (search path first unless it has ndots dots or a trailing dot). */
export function candidates(query: string, namespace: string): string[] {
  const name = query.toLowerCase();
  if (name.endsWith(".")) return [name.slice(0, -1)];
  const searched = searchPath(namespace).map((s) => `${name}.${s}`);
  const dots = name.split(".").length - 1;
  return dots >= NDOTS ? [name, ...searched] : [...searched, name];
}

/** Resolve `query` from a pod in `namespace`; follows in-cluster CNAMEs (ExternalName) a few times. */
export function lookup(query: string, namespace: string, data: DnsData): DnsAnswer {
  for (const name of candidates(query, namespace)) {
    const answer = authoritative(name, data);
    if (!answer) continue;
    if (answer.cname === undefined) return { found: true, name, addresses: answer.addresses };
    let target = answer.cname;
    let addresses: string[] = [];
    for (let hop = 0; hop < 8; hop++) {
      const next = authoritative(target, data);
      if (!next) break;
      if (next.cname === undefined) {
        addresses = next.addresses;
        break;
      }
      target = next.cname;
    }
    return { found: true, name, addresses, cname: answer.cname };
  }
  return { found: false, name: query.replace(/\.$/, "") };
}
