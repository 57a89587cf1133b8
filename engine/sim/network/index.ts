// The cluster network one simulated cluster shares: the kube-proxy role
// (Service ClusterIP:port and NodePort on any node -> round robin over the
// READY endpoints of its EndpointSlices; no ready endpoint -> connection
// refused, as kube-proxy's REJECT rule), pod IP:port -> whatever listens in
// that pod's running containers (`servers.ts`), the DNS role (`dns.ts`) and
// the Service environment variables (`env.ts`). Read-only over the store:
// it routes with the objects kube-proxy and CoreDNS would watch.
//
// This is the interface the container shell (exec) calls: see `Network`.
import type { Clock } from "../../clock";
import type { ResourceService } from "../apiserver/service";
import type { Registry, ResourceType } from "../registry";
import type { Container, KObject, Node, Pod, Service, ServicePort } from "../types";
import { stored, storedList } from "../controllers/service-endpoints";
import { lookup, resolvConf, type DnsAnswer, type DnsData, type SliceView } from "./dns";
import { serviceEnvFor } from "./env";
import { listenersOf, type HttpReply, type HttpRequest, type Listener } from "./servers";

export { lookup, resolvConf, searchPath, candidates, CLUSTER_DOMAIN } from "./dns";
export type { DnsAnswer } from "./dns";
export { fromServices, serviceEnvFor } from "./env";
export type { EnvVar } from "./env";
export { listenersOf, NGINX_INDEX, HTTPD_INDEX } from "./servers";
export type { HttpReply, Listener } from "./servers";

/** A file in a running container's filesystem (undefined: missing, or a directory). */
export type ContainerFiles = (pod: Pod, container: string, path: string) => string | undefined;

/** Who is asking: a pod (its IP is the source; 127.0.0.1 means that pod) or a node. */
export interface NetworkOrigin {
  namespace: string;
  pod: string;
}

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string>;
  /** `https` reaches TLS servers (the API server); a plain server then fails the handshake. */
  scheme?: "http" | "https";
  /** The calling pod: source IP for the server and session affinity, and what 127.0.0.1 means. */
  from?: NetworkOrigin;
}

/** Where a connection ended up. */
export interface Destination {
  ip: string;
  port: number;
  /** The pod that answered (absent for a node's own daemons). */
  pod?: { namespace: string; name: string };
  node?: string;
  /** The Service that load-balanced it, if any. */
  service?: { namespace: string; name: string };
}

export type ConnectError =
  /** Nothing listens there (or a Service without ready endpoints): curl (7) "Connection refused" / "Couldn't connect to server". */
  | "refused"
  /** Packets vanish (unknown IP, a ClusterIP port the Service does not have, NodePort Local with no endpoint on that node): curl (28). */
  | "timeout"
  /** Connected, closed without an HTTP answer (redis, postgres): curl (52) "Empty reply from server". */
  | "empty-reply"
  /** https to a plain server: curl (35) "wrong version number". */
  | "tls"
  /** http to an https server: the server answers 400 "Client sent an HTTP request to an HTTPS server.". */
  | "plain-to-https";

export type HttpResult = ({ ok: true } & HttpReply & { destination: Destination }) | { ok: false; error: ConnectError; message: string; destination?: Destination };

export interface PingResult {
  /** The address answers ICMP echo (pod IPs with a sandbox, node IPs); ClusterIPs never do (iptables mode). */
  reachable: boolean;
  /** Round-trip time in ms, when reachable (a deterministic small value). */
  rttMs?: number;
  ttl?: number;
}

/** What the exec/container shell calls. All synchronous; nothing waits on the clock. */
export interface Network {
  /** A records for `name` from a pod in `fromNamespace` ([] = NXDOMAIN or no address). */
  resolve(name: string, fromNamespace: string): string[];
  /** The full DNS answer (which FQDN matched, ExternalName CNAME), for nslookup/dig-style output. */
  lookup(name: string, fromNamespace: string): DnsAnswer | { found: false; name: string; timeout: true };
  /** An HTTP request to ip:port (a ClusterIP, NodePort on a node IP, pod IP, or 127.0.0.1 with `from`). */
  http(ip: string, port: number, path: string, options?: HttpOptions): HttpResult;
  /** A bare TCP connect (nc -z, telnet): where it lands, or why not. */
  connect(ip: string, port: number, options?: HttpOptions): { ok: true; destination: Destination } | { ok: false; error: ConnectError; message: string };
  ping(ip: string): PingResult;
  /** The Service variables a container in `namespace` gets when it starts now (call at container start, keep the result; do not change it). */
  serviceEnv(namespace: string, enableServiceLinks: boolean): Readonly<Record<string, string>>;
  /** /etc/resolv.conf for a ClusterFirst pod in `namespace`. */
  resolvConf(namespace: string): string;
  /** The cluster DNS Service IP (kube-dns), 10.96.0.10 on a kubeadm cluster. */
  readonly dnsServer: string;
}

interface Target {
  ip: string;
  port: number;
  service?: Service;
}

type Routed = { ok: true; target: Target } | { ok: false; error: ConnectError };

interface SliceObject extends KObject {
  endpoints?: { addresses: string[]; conditions?: { ready?: boolean }; hostname?: string; nodeName?: string }[];
  ports?: { name?: string; port?: number; protocol?: string }[];
}

const MESSAGES: Record<ConnectError, (ip: string, port: number) => string> = {
  refused: (ip, port) => `Failed to connect to ${ip} port ${port} after 0 ms: Couldn't connect to server`,
  timeout: (ip, port) => `Failed to connect to ${ip} port ${port} after 130000 ms: Couldn't connect to server`,
  "empty-reply": () => "Empty reply from server",
  tls: () => "OpenSSL/3.3.2: error:0A00010B:SSL routines::wrong version number",
  "plain-to-https": () => "Client sent an HTTP request to an HTTPS server.",
};

/** kube-proxy's session affinity timeout (ClientIP), seconds. */
const AFFINITY_SECONDS = 10800;

export class ClusterNetwork implements Network {
  private readonly types: { services: ResourceType; slices: ResourceType; pods: ResourceType; nodes: ResourceType };
  private readonly counters = new Map<string, number>();
  private readonly affinity = new Map<string, { ip: string; port: number; at: number }>();
  /**
   * The Service variables last made per namespace (and service links on or
   * off), kept while the Services are the same stored objects: every
   * container start asks, and a scale-up starts a hundred at once.
   */
  private readonly serviceEnvs = new Map<string, { services: readonly KObject[]; env: Readonly<Record<string, string>> }>();

  /** Set once the cluster's container runtime exists: web servers then serve the files their container holds. */
  containerFiles?: ContainerFiles;

  constructor(
    private readonly service: ResourceService,
    registry: Registry,
    private readonly clock: Clock,
  ) {
    this.types = {
      services: registry.find("", "v1", "services") as ResourceType,
      slices: registry.find("discovery.k8s.io", "v1", "endpointslices") as ResourceType,
      pods: registry.find("", "v1", "pods") as ResourceType,
      nodes: registry.find("", "v1", "nodes") as ResourceType,
    };
  }

  get dnsServer(): string {
    const svc = stored<Service>(this.service.find(this.types.services, "kube-system", "kube-dns"));
    return svc?.spec?.clusterIP ?? "10.96.0.10";
  }

  resolvConf(namespace: string): string {
    return resolvConf(namespace, this.dnsServer);
  }

  resolve(name: string, fromNamespace: string): string[] {
    const answer = this.lookup(name, fromNamespace);
    return answer.found ? answer.addresses : [];
  }

  lookup(name: string, fromNamespace: string): DnsAnswer | { found: false; name: string; timeout: true } {
    const trimmed = name.trim();
    // An IP literal needs no DNS.
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(trimmed)) return { found: true, name: trimmed, addresses: [trimmed] };
    // CoreDNS itself must be reachable: without a ready kube-dns endpoint every query times out.
    const dns = stored<Service>(this.service.find(this.types.services, "kube-system", "kube-dns"));
    if (dns && !this.readyEndpoints(dns, (dns.spec?.ports ?? [])[0]).length) return { found: false, name: trimmed, timeout: true };
    return lookup(trimmed, fromNamespace, this.dnsData());
  }

  serviceEnv(namespace: string, enableServiceLinks: boolean): Readonly<Record<string, string>> {
    const services = this.service.list(this.types.services, undefined).items;
    const key = `${namespace}/${enableServiceLinks}`;
    const cached = this.serviceEnvs.get(key);
    if (cached && cached.services.length === services.length && cached.services.every((s, i) => s === services[i])) return cached.env;
    const env = Object.fromEntries(serviceEnvFor(namespace, enableServiceLinks, storedList<Service>(services)).map((e) => [e.name, e.value]));
    this.serviceEnvs.set(key, { services, env });
    return env;
  }

  ping(ip: string): PingResult {
    const rtt = (n: number): number => Math.round((0.05 + (n % 7) * 0.013) * 1000) / 1000;
    if (ip === "127.0.0.1") return { reachable: true, rttMs: 0.04, ttl: 64 };
    if (this.nodeByIP(ip)) return { reachable: true, rttMs: rtt(ip.length), ttl: 64 };
    const pod = this.podByIP(ip);
    if (pod) return { reachable: true, rttMs: rtt(ip.length + 1), ttl: 63 };
    return { reachable: false };
  }

  connect(ip: string, port: number, options: HttpOptions = {}): { ok: true; destination: Destination } | { ok: false; error: ConnectError; message: string } {
    const landed = this.land(ip, port, options);
    if (!landed.ok) return { ok: false, error: landed.error, message: MESSAGES[landed.error](ip, port) };
    return { ok: true, destination: landed.destination };
  }

  http(ip: string, port: number, path: string, options: HttpOptions = {}): HttpResult {
    const landed = this.land(ip, port, options);
    if (!landed.ok) return { ok: false, error: landed.error, message: MESSAGES[landed.error](ip, port) };
    const { destination, listener, pod, container } = landed;
    const headers: Record<string, string> = { host: port === 80 ? ip : `${ip}:${port}`, "user-agent": "curl/8.11.1", accept: "*/*", ...lowerKeys(options.headers ?? {}) };
    const request: HttpRequest = { method: options.method ?? "GET", path: path || "/", headers, clientIP: this.sourceIP(options.from, destination), scheme: options.scheme ?? "http", now: this.clock.now() };
    const files = this.containerFiles;
    const answer = listener.serve(request, pod ?? ({ metadata: {}, spec: { containers: [] } } as unknown as Pod), container ?? { name: "" }, pod && container && files ? (file) => files(pod, container.name, file) : undefined);
    if ("failure" in answer) {
      if (answer.failure === "plain-to-https") {
        const body = "Client sent an HTTP request to an HTTPS server.\n";
        return { ok: true, status: 400, statusText: "Bad Request", headers: { "Content-Type": "text/plain; charset=utf-8", Connection: "close" }, body, destination };
      }
      return { ok: false, error: answer.failure, message: MESSAGES[answer.failure](ip, port), destination };
    }
    return { ok: true, ...answer.reply, destination };
  }

  // --- routing -------------------------------------------------------------

  private land(ip: string, port: number, options: HttpOptions): ({ ok: true; destination: Destination; listener: Listener; pod?: Pod; container?: Container }) | { ok: false; error: ConnectError } {
    let target: Target = { ip, port };
    if (ip === "127.0.0.1" || ip === "localhost") {
      const self = options.from ? (this.service.find(this.types.pods, options.from.namespace, options.from.pod) as Pod | undefined) : undefined;
      if (!self?.status?.podIP) return { ok: false, error: "refused" };
      target = { ip: self.status.podIP, port };
    } else {
      const routed = this.routeService(ip, port, options.from);
      if (routed) {
        if (!routed.ok) return routed;
        target = routed.target;
      }
    }
    const serviceRef = target.service ? { namespace: target.service.metadata.namespace ?? "", name: target.service.metadata.name ?? "" } : undefined;
    const node = this.nodeByIP(target.ip);
    const pods = node ? this.hostNetworkPods(node) : [this.podByIP(target.ip)].filter((p): p is Pod => !!p);
    for (const pod of pods) {
      for (const container of runningContainers(pod)) {
        const listener = listenersOf(container).find((l) => l.port === target.port && l.protocol === "TCP");
        if (listener) {
          const destination: Destination = { ip: target.ip, port: target.port, pod: { namespace: pod.metadata.namespace ?? "", name: pod.metadata.name ?? "" } };
          if (pod.spec.nodeName) destination.node = pod.spec.nodeName;
          if (serviceRef) destination.service = serviceRef;
          return { ok: true, destination, listener, pod, container };
        }
      }
    }
    if (node && target.port === 10250) {
      const kubelet: Listener = { port: 10250, protocol: "TCP", process: "kubelet", serve: (req) => (req.scheme === "http" ? { failure: "plain-to-https" } : { reply: { status: 401, statusText: "Unauthorized", headers: { "Content-Type": "text/plain; charset=utf-8" }, body: "Unauthorized" } }) };
      return { ok: true, destination: { ip: target.ip, port: 10250, node: node.metadata.name ?? "" }, listener: kubelet };
    }
    if (node || pods.length) return { ok: false, error: "refused" };
    return { ok: false, error: "timeout" };
  }

  /** A ClusterIP or NodePort hit: the endpoint chosen (undefined = not a Service address at all). */
  private routeService(ip: string, port: number, from: NetworkOrigin | undefined): Routed | undefined {
    const services = storedList<Service>(this.service.list(this.types.services, undefined).items);
    const byClusterIP = services.find((s) => s.spec?.type !== "ExternalName" && s.spec?.clusterIP && s.spec.clusterIP !== "None" && (s.spec.clusterIPs ?? [s.spec.clusterIP]).includes(ip));
    if (byClusterIP) {
      const sp = (byClusterIP.spec?.ports ?? []).find((p) => p.port === port && (p.protocol ?? "TCP") === "TCP");
      // No rule for that port: the packet goes nowhere.
      if (!sp) return { ok: false, error: "timeout" };
      return this.pick(byClusterIP, sp, this.readyEndpoints(byClusterIP, sp), from);
    }
    const node = this.nodeByIP(ip);
    if (!node) return undefined;
    for (const svc of services) {
      if (svc.spec?.type !== "NodePort" && svc.spec?.type !== "LoadBalancer") continue;
      const sp = (svc.spec.ports ?? []).find((p) => p.nodePort === port && (p.protocol ?? "TCP") === "TCP");
      if (!sp) continue;
      let endpoints = this.readyEndpoints(svc, sp);
      if (svc.spec.externalTrafficPolicy === "Local") {
        endpoints = endpoints.filter((e) => e.nodeName === node.metadata.name);
        if (!endpoints.length) return { ok: false, error: "timeout" };
      }
      return this.pick(svc, sp, endpoints, from);
    }
    return undefined;
  }

  private pick(svc: Service, sp: ServicePort, endpoints: { ip: string; port: number }[], from: NetworkOrigin | undefined): Routed {
    if (!endpoints.length) return { ok: false, error: "refused" };
    const key = `${svc.metadata.namespace ?? ""}/${svc.metadata.name ?? ""}:${sp.port}`;
    const now = this.clock.now();
    if (svc.spec?.sessionAffinity === "ClientIP" && from) {
      const sticky = this.affinity.get(`${key}|${from.namespace}/${from.pod}`);
      if (sticky && now - sticky.at < AFFINITY_SECONDS * 1000 && endpoints.some((e) => e.ip === sticky.ip && e.port === sticky.port)) {
        sticky.at = now;
        return { ok: true, target: { ip: sticky.ip, port: sticky.port, service: svc } };
      }
    }
    const n = this.counters.get(key) ?? 0;
    this.counters.set(key, n + 1);
    const chosen = endpoints[n % endpoints.length] as { ip: string; port: number };
    if (svc.spec?.sessionAffinity === "ClientIP" && from) this.affinity.set(`${key}|${from.namespace}/${from.pod}`, { ...chosen, at: now });
    return { ok: true, target: { ...chosen, service: svc } };
  }

  /** Ready endpoints of a Service port, as kube-proxy reads them from the EndpointSlices. */
  private readyEndpoints(svc: Service, sp: ServicePort | undefined): { ip: string; port: number; nodeName?: string }[] {
    const out: { ip: string; port: number; nodeName?: string }[] = [];
    const name = sp?.name ?? "";
    for (const slice of this.slicesOf(svc.metadata.namespace ?? "", svc.metadata.name ?? "") as SliceObject[]) {
      const port = (slice.ports ?? []).find((p) => (p.name ?? "") === name && (p.protocol ?? "TCP") === (sp?.protocol ?? "TCP"));
      if (!port?.port) continue;
      for (const e of slice.endpoints ?? []) {
        if (e.conditions?.ready === false) continue;
        for (const ip of e.addresses) out.push({ ip, port: port.port, ...(e.nodeName ? { nodeName: e.nodeName } : {}) });
      }
    }
    return out;
  }

  private slicesOf(namespace: string, service: string): KObject[] {
    return this.service.list(this.types.slices, namespace, { labelSelector: `kubernetes.io/service-name=${service}` }).items;
  }

  private dnsData(): DnsData {
    return {
      service: (namespace, name) => stored<Service>(this.service.find(this.types.services, namespace, name)),
      slices: (namespace, name) => this.slicesOf(namespace, name) as SliceView[],
    };
  }

  private nodeByIP(ip: string): Node | undefined {
    return (this.service.list(this.types.nodes, undefined).items as Node[]).find((n) => n.status?.addresses?.some((a) => a.address === ip));
  }

  /** The live pod (not hostNetwork) that owns `ip`. */
  private podByIP(ip: string): Pod | undefined {
    return (this.service.list(this.types.pods, undefined).items as Pod[]).find((p) => !p.spec.hostNetwork && p.status?.podIP === ip && p.status.phase !== "Succeeded" && p.status.phase !== "Failed");
  }

  private hostNetworkPods(node: Node): Pod[] {
    return (this.service.list(this.types.pods, undefined, { fieldSelector: `spec.nodeName=${node.metadata.name ?? ""}` }).items as Pod[]).filter((p) => p.spec.hostNetwork);
  }

  private sourceIP(from: NetworkOrigin | undefined, destination: Destination): string {
    if (!from) return destination.node ? destination.ip : "10.244.0.1";
    const pod = this.service.find(this.types.pods, from.namespace, from.pod) as Pod | undefined;
    return pod?.status?.podIP ?? "10.244.0.1";
  }
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/** Containers whose process runs now (state.running in the pod status). */
function runningContainers(pod: Pod): Container[] {
  const running = new Set((pod.status?.containerStatuses ?? []).filter((s) => s.state?.running).map((s) => s.name));
  return pod.spec.containers.filter((c) => running.has(c.name));
}

/** The shape `engine/sim/container/network.ts` (ContainerNetwork) expects, bound to one calling pod. */
export interface PodNetwork {
  resolve(name: string, fromNamespace: string): string[];
  http(ip: string, port: number, path: string): { status: number; headers: Record<string, string>; body: string } | Error;
  ping(ip: string): boolean;
}

/** busybox/curl wording of a failed connection (the Error message the shell prints). */
const ERROR_TEXT: Record<ConnectError, string> = {
  refused: "Connection refused",
  timeout: "Connection timed out",
  "empty-reply": "Empty reply from server",
  tls: "wrong version number",
  "plain-to-https": "Client sent an HTTP request to an HTTPS server.",
};

/** `network` as a ContainerNetwork for the container `from` runs in (its IP is the source; 127.0.0.1 is itself). */
export function podNetwork(network: Network, from?: NetworkOrigin): PodNetwork {
  return {
    // DNS only, as CoreDNS answers (localhost is NXDOMAIN); the container's programs read its /etc/hosts first.
    resolve: (name, fromNamespace) => network.resolve(name, fromNamespace),
    http(ip, port, path) {
      const result = network.http(ip, port, path, from ? { from } : {});
      if (!result.ok) return Object.assign(new Error(ERROR_TEXT[result.error]), { code: result.error });
      return { status: result.status, headers: result.headers, body: result.body };
    },
    ping: (ip) => network.ping(ip).reachable,
  };
}

