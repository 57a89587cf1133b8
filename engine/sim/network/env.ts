// The Docker-link-style environment variables the kubelet gives every
// container for the Services that exist when the container starts (upstream
// pkg/kubelet/envvars + kubelet_pods getServiceEnvVarMap): the `kubernetes`
// Service from `default` always, the pod's own namespace's Services when
// `enableServiceLinks` is not false; headless and ExternalName Services never.
import type { Service } from "../types";

export interface EnvVar {
  name: string;
  value: string;
}

const envName = (s: string): string => s.replace(/-/g, "_").toUpperCase();

function ipSet(svc: Service): boolean {
  const ip = svc.spec?.clusterIP;
  return !!ip && ip !== "None";
}

/** FromServices: `<NAME>_SERVICE_HOST`, `_SERVICE_PORT`, `_SERVICE_PORT_<PORTNAME>`, `_PORT`, `_PORT_<n>_<PROTO>[_PROTO|_PORT|_ADDR]`. */
export function fromServices(services: Service[]): EnvVar[] {
  const out: EnvVar[] = [];
  for (const svc of services) {
    const ports = svc.spec?.ports ?? [];
    if (!ipSet(svc) || !ports.length) continue;
    const ip = svc.spec?.clusterIP ?? "";
    const prefix = envName(svc.metadata.name ?? "");
    out.push({ name: `${prefix}_SERVICE_HOST`, value: ip });
    out.push({ name: `${prefix}_SERVICE_PORT`, value: String(ports[0]?.port ?? "") });
    for (const p of ports) if (p.name) out.push({ name: `${prefix}_SERVICE_PORT_${envName(p.name)}`, value: String(p.port) });
    ports.forEach((p, i) => {
      const protocol = (p.protocol ?? "TCP").toLowerCase();
      const hostPort = ip.includes(":") ? `[${ip}]:${p.port}` : `${ip}:${p.port}`;
      if (i === 0) out.push({ name: `${prefix}_PORT`, value: `${protocol}://${hostPort}` });
      const portPrefix = `${prefix}_PORT_${p.port}_${protocol.toUpperCase()}`;
      out.push({ name: portPrefix, value: `${protocol}://${hostPort}` });
      out.push({ name: `${portPrefix}_PROTO`, value: protocol });
      out.push({ name: `${portPrefix}_PORT`, value: String(p.port) });
      out.push({ name: `${portPrefix}_ADDR`, value: ip });
    });
  }
  return out;
}

/** The service variables for a pod in `namespace`, given every Service in the cluster now (sorted by Service name). */
export function serviceEnvFor(namespace: string, links: boolean, services: Service[]): EnvVar[] {
  const chosen = new Map<string, Service>();
  for (const svc of services) {
    if (!ipSet(svc)) continue;
    const name = svc.metadata.name ?? "";
    if (svc.metadata.namespace === "default" && name === "kubernetes") {
      if (!chosen.has(name)) chosen.set(name, svc);
    } else if (svc.metadata.namespace === namespace && links) chosen.set(name, svc);
  }
  return fromServices([...chosen.keys()].sort().map((k) => chosen.get(k) as Service));
}
