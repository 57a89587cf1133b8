// The `proxy` subresource of pods and services, as upstream's API server
// serves it: `.../pods/[scheme:]name[:port]/proxy/<path>` goes to the pod's
// IP, `.../services/[scheme:]name[:port]/proxy/<path>` to a ready address of
// its Endpoints, and the simulated server listening there (network/servers.ts)
// answers. What `kubectl proxy` + curl, `kubectl get --raw` and the CoreDNS
// URL of `kubectl cluster-info` reach. A failed connection is upstream's 503
// `error trying to reach service: <Go's dial error>`.
import type { IncomingHttpHeaders } from "node:http";
import type { ConnectError, Network } from "../network";
import type { Registry, ResourceType } from "../registry";
import type { KObject, Pod, Service } from "../types";
import type { ExtensionAnswer, ExtensionRoute, RouteExtension } from "./extension";
import type { ResourceService } from "./service";
import { errors, failure } from "./status";

/** `[scheme:]name[:port]`, as upstream's SplitSchemeNamePort reads a proxy target. */
export function splitSchemeNamePort(id: string): { scheme: "http" | "https"; name: string; port: string } | undefined {
  const parts = id.split(":");
  if (parts.length > 3) return undefined;
  const [scheme, name, port] = parts.length === 3 ? parts : ["", parts[0] ?? "", parts[1] ?? ""];
  if (!name || (scheme !== "" && scheme !== "http" && scheme !== "https")) return undefined;
  return { scheme: scheme === "https" ? "https" : "http", name, port: port ?? "" };
}

interface Location {
  scheme: "http" | "https";
  ip: string;
  /** A port number, or a name Go's dialer cannot resolve. */
  port: string;
}

interface EndpointsObject extends KObject {
  subsets?: { addresses?: { ip: string }[]; ports?: { name?: string; port: number }[] }[];
}

const unavailable = (message: string) => failure(503, "ServiceUnavailable", message);

/** Go's error text for a connection the simulated network could not make (an https server met over http answers 400 instead). */
const DIAL_ERRORS: Record<Exclude<ConnectError, "plain-to-https">, (address: string) => string> = {
  refused: (address) => `dial tcp ${address}: connect: connection refused`,
  timeout: (address) => `dial tcp ${address}: i/o timeout`,
  // Connected, then closed without an HTTP answer (a DNS or database port).
  "empty-reply": () => "EOF",
  tls: () => "tls: first record does not look like a TLS handshake",
};

/** Request headers the proxy does not pass on: the credentials and hop-by-hop ones. */
const DROPPED = new Set(["authorization", "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "content-length"]);

function forwardedHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined || DROPPED.has(key)) continue;
    out[key] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/** An absolute path in a proxied page or redirect, moved under the proxy prefix (upstream rewrites links so they keep going through it). */
function underPrefix(prefix: string, value: string): string {
  if (!value.startsWith("/") || value.startsWith("//") || value.startsWith(prefix)) return value;
  return prefix + value;
}

const LINK_ATTRIBUTE = /(\s(?:href|src|action|background|cite|codebase|data|longdesc|profile|usemap|formaction|icon|manifest|poster|archive)\s*=\s*)(["'])([^"']*)\2/gi;

export function rewriteHtml(prefix: string, body: string): string {
  return body.replace(LINK_ATTRIBUTE, (_all, attribute: string, quote: string, value: string) => `${attribute}${quote}${underPrefix(prefix, value)}${quote}`);
}

export interface ProxyDeps {
  service: ResourceService;
  registry: Registry;
  network: Network;
}

export function proxyExtension({ service, registry, network }: ProxyDeps): RouteExtension {
  const types = {
    pods: registry.find("", "v1", "pods") as ResourceType,
    services: registry.find("", "v1", "services") as ResourceType,
    endpoints: registry.find("", "v1", "endpoints") as ResourceType,
  };
  let turn = 0;

  const podLocation = (namespace: string | undefined, id: string): Location => {
    const target = splitSchemeNamePort(id);
    if (!target) throw errors.badRequest(`invalid pod request "${id}"`);
    const pod = service.get(types.pods, namespace, target.name) as Pod;
    // Without a port: the first port any container declares, else the scheme's default.
    const declared = pod.spec.containers.find((c) => c.ports?.length)?.ports?.[0]?.containerPort;
    const port = target.port || (declared === undefined ? "" : String(declared));
    const ip = pod.status?.podIP;
    if (!ip) throw errors.badRequest("address not allowed");
    return { scheme: target.scheme, ip, port: port || (target.scheme === "https" ? "443" : "80") };
  };

  const serviceLocation = (namespace: string | undefined, id: string): Location => {
    const target = splitSchemeNamePort(id);
    if (!target) throw errors.badRequest(`invalid service request "${id}"`);
    let portName = target.port;
    // A port number names the service port that has it.
    if (/^\d+$/.test(portName)) {
      const svc = service.get(types.services, namespace, target.name) as Service;
      const port = svc.spec?.ports?.find((p) => p.port === Number(portName));
      if (!port) throw unavailable(`no service port ${portName} found for service "${target.name}"`);
      portName = port.name ?? "";
    }
    const endpoints = service.get(types.endpoints, namespace, target.name) as EndpointsObject;
    if (!endpoints.subsets?.length) throw unavailable(`no endpoints available for service "${target.name}"`);
    for (const subset of endpoints.subsets) {
      const port = subset.ports?.find((p) => (p.name ?? "") === portName);
      const addresses = subset.addresses ?? [];
      if (!port || !addresses.length) continue;
      const address = addresses[turn++ % addresses.length] as { ip: string };
      return { scheme: target.scheme, ip: address.ip, port: String(port.port) };
    }
    throw unavailable(`no endpoints available for service "${id}"`);
  };

  const forward = (route: ExtensionRoute, location: Location, prefix: string, rest: string, query: string): ExtensionAnswer => {
    const address = `${location.ip}:${location.port}`;
    if (!/^\d+$/.test(location.port)) throw unavailable(`error trying to reach service: dial tcp: lookup tcp/${location.port}: unknown port`);
    const headers = { ...forwardedHeaders(route.req.headers), "x-forwarded-uri": prefix + (rest || "/") };
    const result = network.http(location.ip, Number(location.port), (rest || "/") + query, { method: route.method, headers, scheme: location.scheme });
    if (!result.ok) throw unavailable(`error trying to reach service: ${DIAL_ERRORS[result.error as keyof typeof DIAL_ERRORS](address)}`);
    const replyHeaders: Record<string, string> = {};
    let html = false;
    for (const [key, value] of Object.entries(result.headers)) {
      const lower = key.toLowerCase();
      if (lower === "content-type") html = /^text\/html\b/i.test(value);
      // Upstream drops CORS headers from proxied answers; the length is set again below.
      if (lower.startsWith("access-control-") || lower === "content-length") continue;
      replyHeaders[key] = lower === "location" ? underPrefix(prefix, value) : value;
    }
    const body = route.method === "HEAD" ? "" : html ? rewriteHtml(prefix, result.body) : result.body;
    return { code: result.status, body: undefined, raw: { headers: { ...replyHeaders, "Content-Length": String(Buffer.byteLength(body)) }, body } };
  };

  return (route) => {
    if (route.subresource !== "proxy" || !route.name || (route.type !== types.pods && route.type !== types.services)) return undefined;
    const url = new URL(route.req.url ?? "/", "http://sim");
    // Everything after `<plural>/<name>/proxy`, still percent-encoded, is the path on the backend.
    const marker = `/${route.type.plural}/`;
    const start = url.pathname.indexOf(marker) + marker.length;
    const end = url.pathname.indexOf("/proxy", start) + "/proxy".length;
    const prefix = url.pathname.slice(0, end);
    const rest = url.pathname.slice(end);
    // As upstream: a bare `/proxy` is redirected to `/proxy/` first.
    if (!rest && (route.method === "GET" || route.method === "HEAD")) {
      return { code: 301, body: undefined, raw: { headers: { Location: `${prefix}/${url.search}`, "Content-Length": "0" }, body: "" } };
    }
    const location = route.type === types.pods ? podLocation(route.namespace, route.name) : serviceLocation(route.namespace, route.name);
    return forward(route, location, prefix, rest, url.search);
  };
}
