// Endpoints / EndpointSlice controllers and the network (kube-proxy, DNS,
// service env vars) against a whole sim cluster on a ManualClock.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../clock";
import { createSimCluster, type SimCluster } from "../cluster/cluster";
import type { ResourceType } from "../registry";
import type { KObject, Pod, Service } from "../types";
import type { EndpointsObject } from "../controllers/endpoints";
import { stored } from "../controllers/service-endpoints";
import type { EndpointSliceObject } from "../controllers/endpointslice";
import { NGINX_INDEX, podNetwork } from "./index";

let clock: ManualClock;
let cluster: SimCluster;

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const type = (group: string, plural: string): ResourceType => cluster.registry.find(group, "v1", plural) as ResourceType;

async function advance(ms: number, step = 100): Promise<void> {
  await flush();
  for (let t = 0; t < ms; t += step) {
    clock.advance(step);
    await flush();
  }
}

function deployment(name: string, replicas: number, container: Record<string, unknown> = {}, podSpec: Record<string, unknown> = {}): KObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "app", image: "nginx:1.27", ...container }], ...podSpec } } },
  };
}

function svc(name: string, spec: Record<string, unknown>, namespace = "default"): Service {
  return cluster.service.create(type("", "services"), namespace, { apiVersion: "v1", kind: "Service", metadata: { name }, spec });
}

const endpoints = (name: string, namespace = "default"): EndpointsObject | undefined => stored<EndpointsObject>(cluster.service.find(type("", "endpoints"), namespace, name));
const slices = (name: string, namespace = "default"): EndpointSliceObject[] =>
  cluster.service.list(type("discovery.k8s.io", "endpointslices"), namespace, { labelSelector: `kubernetes.io/service-name=${name}` }).items as EndpointSliceObject[];
const podsOf = (prefix: string): Pod[] => (cluster.service.list(type("", "pods"), "default").items as Pod[]).filter((p) => p.metadata.name?.startsWith(prefix) && !p.metadata.deletionTimestamp);
const readyIPs = (name: string): string[] => (endpoints(name)?.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip));
const notReadyIPs = (name: string): string[] => (endpoints(name)?.subsets ?? []).flatMap((s) => (s.notReadyAddresses ?? []).map((a) => a.ip));

function setReady(pod: Pod, ready: boolean): void {
  cluster.service.mutate(
    type("", "pods"),
    "default",
    pod.metadata.name ?? "",
    (p) => {
      const status = (p as Pod).status ?? {};
      for (const c of status.conditions ?? []) if (c.type === "Ready" || c.type === "ContainersReady") c.status = ready ? "True" : "False";
      for (const cs of status.containerStatuses ?? []) cs.ready = ready;
    },
    { subresource: "status" },
  );
}

beforeEach(() => {
  clock = new ManualClock(Date.parse("2026-03-01T12:00:00Z"));
  cluster = createSimCluster({ clock });
});

afterEach(() => {
  cluster.dispose();
});

describe("endpoints controllers", () => {
  it("keeps the seeded kubernetes endpoints and fills kube-dns from the CoreDNS pods", async () => {
    await flush();
    expect(endpoints("kubernetes")?.subsets).toEqual([{ addresses: [{ ip: "172.30.1.2" }], ports: [{ name: "https", port: 6443, protocol: "TCP" }] }]);
    const dns = endpoints("kube-dns", "kube-system");
    expect(dns?.subsets?.[0]?.addresses?.map((a) => a.ip)).toEqual(["10.244.0.2", "10.244.0.3"]);
    expect(dns?.subsets?.[0]?.ports).toEqual([
      { name: "dns", port: 53, protocol: "UDP" },
      { name: "dns-tcp", port: 53, protocol: "TCP" },
      { name: "metrics", port: 9153, protocol: "TCP" },
    ]);
    const [slice] = slices("kube-dns", "kube-system");
    expect(slice?.metadata.name).toMatch(/^kube-dns-[a-z0-9]{5}$/);
    expect(slice?.metadata.labels).toMatchObject({ "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io", "kubernetes.io/service-name": "kube-dns", "k8s-app": "kube-dns" });
    expect(slice?.metadata.ownerReferences?.[0]).toMatchObject({ kind: "Service", name: "kube-dns", controller: true });
    expect(slices("kubernetes")).toHaveLength(1);
  });

  it("follows pods: create, readiness changes, scale, delete", async () => {
    cluster.service.create(type("apps", "deployments"), "default", deployment("web", 3));
    svc("web", { selector: { app: "web" }, ports: [{ port: 80 }] });
    await flush();
    expect(endpoints("web")?.subsets).toBeUndefined();
    expect(slices("web")).toMatchObject([{ ports: [], endpoints: [] }]);
    await advance(5000);
    const pods = podsOf("web");
    expect(readyIPs("web").sort()).toEqual(pods.map((p) => p.status?.podIP).sort());
    const address = endpoints("web")?.subsets?.[0]?.addresses?.[0];
    expect(address).toMatchObject({ nodeName: expect.stringMatching(/^node0[12]$/) as unknown, targetRef: { kind: "Pod", namespace: "default" } });
    expect(endpoints("web")?.subsets?.[0]?.ports).toEqual([{ port: 80, protocol: "TCP" }]);
    const [slice] = slices("web");
    expect(slice?.ports).toEqual([{ name: "", port: 80, protocol: "TCP" }]);
    expect(slice?.endpoints?.map((e) => e.conditions)).toEqual([0, 1, 2].map(() => ({ ready: true, serving: true, terminating: false })));

    const first = pods[0] as Pod;
    setReady(first, false);
    await flush();
    expect(notReadyIPs("web")).toEqual([first.status?.podIP]);
    expect(readyIPs("web")).toHaveLength(2);
    expect(slices("web")[0]?.endpoints?.find((e) => e.addresses[0] === first.status?.podIP)?.conditions).toEqual({ ready: false, serving: false, terminating: false });
    setReady(first, true);
    await flush();
    expect(readyIPs("web")).toHaveLength(3);

    cluster.service.patch(type("apps", "deployments"), "default", "web", "merge", { spec: { replicas: 1 } });
    await flush();
    // Terminating pods leave Endpoints at once; slices keep them as terminating until they are gone.
    expect(readyIPs("web")).toHaveLength(1);
    expect(slices("web")[0]?.endpoints?.filter((e) => e.conditions.terminating)).toHaveLength(2);
    await advance(3000);
    expect(slices("web")[0]?.endpoints).toHaveLength(1);

    cluster.service.delete(type("", "services"), "default", "web");
    await flush();
    await flush();
    expect(endpoints("web")).toBeUndefined();
    expect(slices("web")).toEqual([]);
  });

  it("resolves named targetPorts per pod and groups pods by the ports they serve", async () => {
    cluster.service.create(type("apps", "deployments"), "default", deployment("a", 1, { ports: [{ name: "http", containerPort: 8080 }] }, {}));
    cluster.service.create(type("apps", "deployments"), "default", { ...deployment("b", 1, { ports: [{ name: "http", containerPort: 9090 }] }), spec: { ...(deployment("b", 1, { ports: [{ name: "http", containerPort: 9090 }] }).spec as object), template: { metadata: { labels: { app: "b", tier: "x" } }, spec: { containers: [{ name: "app", image: "nginx", ports: [{ name: "http", containerPort: 9090 }] }] } }, selector: { matchLabels: { app: "b" } } } });
    cluster.service.create(type("apps", "deployments"), "default", { ...deployment("c", 1), spec: { replicas: 1, selector: { matchLabels: { app: "c" } }, template: { metadata: { labels: { app: "c", tier: "x" } }, spec: { containers: [{ name: "app", image: "nginx" }] } } } });
    svc("named", { selector: { tier: "x" }, ports: [{ name: "web", port: 80, targetPort: "http" }] });
    svc("single", { selector: { app: "a" }, ports: [{ name: "web", port: 80, targetPort: "http" }] });
    await advance(5000);
    expect(endpoints("single")?.subsets?.[0]?.ports).toEqual([{ name: "web", port: 8080, protocol: "TCP" }]);
    // b serves 9090; c has no port named http and is left out of Endpoints (its slice has no ports).
    expect(endpoints("named")?.subsets).toHaveLength(1);
    expect(endpoints("named")?.subsets?.[0]?.ports).toEqual([{ name: "web", port: 9090, protocol: "TCP" }]);
    const sliceList = slices("named");
    expect(sliceList.map((s) => s.ports).sort((x, y) => (x?.length ?? 0) - (y?.length ?? 0))).toEqual([[], [{ name: "web", port: 9090, protocol: "TCP" }]]);
  });

  it("headless services: endpoints, label, hostname for subdomain pods", async () => {
    const podType = type("", "pods");
    cluster.service.create(podType, "default", { apiVersion: "v1", kind: "Pod", metadata: { name: "web-0", labels: { app: "db" } }, spec: { hostname: "web-0", subdomain: "nginx", containers: [{ name: "c", image: "nginx" }] } });
    const headless = svc("nginx", { clusterIP: "None", selector: { app: "db" }, ports: [{ port: 80 }] });
    expect(headless.spec?.clusterIP).toBe("None");
    await advance(4000);
    const ep = endpoints("nginx");
    expect(ep?.metadata.labels).toEqual({ "service.kubernetes.io/headless": "" });
    expect(ep?.subsets?.[0]?.addresses?.[0]).toMatchObject({ hostname: "web-0" });
    expect(slices("nginx")[0]?.endpoints?.[0]?.hostname).toBe("web-0");
  });
});

describe("service allocation", () => {
  it("allocates NodePorts in 30000-32767 and refuses one already taken", async () => {
    const a = svc("a", { type: "NodePort", selector: { app: "a" }, ports: [{ port: 80, nodePort: 30080 }] });
    expect(a.spec?.ports?.[0]?.nodePort).toBe(30080);
    const b = svc("b", { type: "NodePort", selector: { app: "b" }, ports: [{ port: 80 }] });
    expect(b.spec?.ports?.[0]?.nodePort).toBeGreaterThanOrEqual(30000);
    expect(b.spec?.ports?.[0]?.nodePort).toBeLessThanOrEqual(32767);
    expect(() => svc("c", { type: "NodePort", selector: { app: "c" }, ports: [{ port: 80, nodePort: 30080 }] })).toThrow('Service "c" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated');
    expect(() => svc("d", { type: "NodePort", selector: { app: "d" }, ports: [{ port: 80, nodePort: 40000 }] })).toThrow("spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767");
    expect(() => svc("e", { clusterIP: "10.96.0.10", ports: [{ port: 80 }] })).toThrow('spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated');
    // Updating a service keeps its own port.
    cluster.service.patch(type("", "services"), "default", "a", "merge", { metadata: { labels: { x: "y" } } });
    await flush();
  });

  it("ExternalName services get no ClusterIP and no endpoints", async () => {
    const ext = svc("ext", { type: "ExternalName", externalName: "web.other.svc.cluster.local" });
    expect(ext.spec?.clusterIP).toBeUndefined();
    await flush();
    expect(endpoints("ext")).toBeUndefined();
    expect(slices("ext")).toEqual([]);
  });
});

describe("network", () => {
  async function webService(replicas = 3): Promise<Service> {
    cluster.service.create(type("apps", "deployments"), "default", deployment("web", replicas));
    const s = svc("web", { selector: { app: "web" }, ports: [{ port: 80 }] });
    await advance(5000);
    return s;
  }

  it("DNS: every name form, cross-namespace, pods, headless, NXDOMAIN", async () => {
    const web = await webService(1);
    const ip = web.spec?.clusterIP ?? "";
    cluster.service.create(type("", "namespaces"), undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name: "other" } });
    const n = cluster.network;
    expect(n.resolve("web", "default")).toEqual([ip]);
    expect(n.resolve("web.default", "default")).toEqual([ip]);
    expect(n.resolve("web.default.svc", "default")).toEqual([ip]);
    expect(n.resolve("web.default.svc.cluster.local", "default")).toEqual([ip]);
    expect(n.resolve("web.default.svc.cluster.local.", "other")).toEqual([ip]);
    expect(n.resolve("web", "other")).toEqual([]);
    expect(n.resolve("web.default", "other")).toEqual([ip]);
    expect(n.resolve("kubernetes.default", "other")).toEqual(["10.96.0.1"]);
    expect(n.resolve("kube-dns.kube-system.svc.cluster.local", "default")).toEqual(["10.96.0.10"]);
    expect(n.resolve("10-244-1-5.default.pod.cluster.local", "default")).toEqual(["10.244.1.5"]);
    expect(n.resolve("nope", "default")).toEqual([]);
    expect(n.resolve("example.com", "default")).toEqual([]);
    expect(n.lookup("web", "default")).toEqual({ found: true, name: "web.default.svc.cluster.local", addresses: [ip] });

    const podType = type("", "pods");
    for (const i of [0, 1]) cluster.service.create(podType, "default", { apiVersion: "v1", kind: "Pod", metadata: { name: `db-${i}`, labels: { app: "db" } }, spec: { hostname: `db-${i}`, subdomain: "db", containers: [{ name: "c", image: "nginx" }] } });
    svc("db", { clusterIP: "None", selector: { app: "db" }, ports: [{ port: 80 }] });
    svc("ext", { type: "ExternalName", externalName: "db-0.db.default.svc.cluster.local" }, "other");
    await advance(4000);
    const dbIPs = ["db-0", "db-1"].map((name) => (cluster.service.get(podType, "default", name) as Pod).status?.podIP ?? "");
    expect(n.resolve("db", "default").sort()).toEqual([...dbIPs].sort());
    expect(n.resolve("db-0.db", "default")).toEqual([dbIPs[0]]);
    expect(n.resolve("db-1.db.default.svc.cluster.local", "other")).toEqual([dbIPs[1]]);
    expect(n.resolve(`${(dbIPs[0] ?? "").replace(/\./g, "-")}.db.default.svc.cluster.local`, "other")).toEqual([dbIPs[0]]);
    expect(n.lookup("ext", "other")).toEqual({ found: true, name: "ext.other.svc.cluster.local", addresses: [dbIPs[0]], cname: "db-0.db.default.svc.cluster.local" });
    expect(n.resolvConf("other")).toBe("search other.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n");
  });

  it("http: round robin over ready endpoints only; refused without endpoints; pod IPs direct", async () => {
    const web = await webService(3);
    const ip = web.spec?.clusterIP ?? "";
    const pods = podsOf("web");
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const r = cluster.network.http(ip, 80, "/");
      if (!r.ok) throw new Error(r.message);
      expect(r.status).toBe(200);
      expect(r.body).toBe(NGINX_INDEX);
      expect(r.headers.Server).toBe("nginx/1.27.3");
      seen.add(r.destination.pod?.name ?? "");
    }
    expect(seen.size).toBe(3);
    setReady(pods[0] as Pod, false);
    await flush();
    const names = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const r = cluster.network.http(ip, 80, "/");
      if (r.ok) names.add(r.destination.pod?.name ?? "");
    }
    expect([...names].sort()).toEqual([pods[1]?.metadata.name, pods[2]?.metadata.name].sort());
    // The unready pod still answers on its own IP.
    const direct = cluster.network.http(pods[0]?.status?.podIP ?? "", 80, "/missing");
    expect(direct.ok && direct.status).toBe(404);
    // Nothing listens on 8080 in nginx: refused. A port the Service lacks: timeout.
    expect(cluster.network.http(pods[1]?.status?.podIP ?? "", 8080, "/")).toMatchObject({ ok: false, error: "refused" });
    expect(cluster.network.http(ip, 8080, "/")).toMatchObject({ ok: false, error: "timeout" });
    cluster.service.patch(type("apps", "deployments"), "default", "web", "merge", { spec: { replicas: 0 } });
    await advance(3000);
    expect(cluster.network.http(ip, 80, "/")).toMatchObject({ ok: false, error: "refused" });
    expect(cluster.network.ping(ip).reachable).toBe(false);
    expect(cluster.network.ping("172.30.2.2").reachable).toBe(true);
    expect(cluster.network.ping("10.244.9.9").reachable).toBe(false);
  });

  it("NodePort on every node IP reaches the service; kubernetes service reaches the API server", async () => {
    cluster.service.create(type("apps", "deployments"), "default", deployment("web", 1));
    const s = svc("web", { type: "NodePort", selector: { app: "web" }, ports: [{ port: 80, nodePort: 30080 }] });
    expect(s.spec?.ports?.[0]?.nodePort).toBe(30080);
    await advance(5000);
    for (const nodeIP of ["172.30.1.2", "172.30.2.2", "172.30.2.3"]) expect(cluster.network.http(nodeIP, 30080, "/")).toMatchObject({ ok: true, status: 200 });
    expect(cluster.network.http("172.30.2.2", 30081, "/")).toMatchObject({ ok: false, error: "refused" });
    const api = cluster.network.http("10.96.0.1", 443, "/", { scheme: "https" });
    expect(api).toMatchObject({ ok: true, status: 403 });
    expect(api.ok && api.body).toContain('"message": "forbidden: User \\"system:anonymous\\" cannot get path \\"/\\""');
  });

  it("a container's view: the ContainerNetwork adapter, localhost only through /etc/hosts, service env vars", async () => {
    const web = await webService(1);
    const pod = podsOf("web")[0] as Pod;
    const net = podNetwork(cluster.network, { namespace: "default", pod: pod.metadata.name ?? "" });
    expect(net.http("127.0.0.1", 80, "/")).toMatchObject({ status: 200 });
    // CoreDNS has no localhost; curl/wget/ping find it in the pod's /etc/hosts (container/shell.ts).
    expect(net.resolve("localhost", "default")).toEqual([]);
    expect((net.http(web.spec?.clusterIP ?? "", 81, "/") as Error).message).toBe("Connection timed out");
    expect(net.ping(pod.status?.podIP ?? "")).toBe(true);
    const ip = web.spec?.clusterIP ?? "";
    svc("redis-cache", { selector: { app: "r" }, ports: [{ name: "redis", port: 6379 }, { name: "metrics", port: 9121, protocol: "TCP" }] });
    const env = cluster.network.serviceEnv("default", true);
    expect(env).toMatchObject({
      KUBERNETES_SERVICE_HOST: "10.96.0.1",
      KUBERNETES_SERVICE_PORT: "443",
      KUBERNETES_SERVICE_PORT_HTTPS: "443",
      KUBERNETES_PORT: "tcp://10.96.0.1:443",
      KUBERNETES_PORT_443_TCP: "tcp://10.96.0.1:443",
      KUBERNETES_PORT_443_TCP_PROTO: "tcp",
      KUBERNETES_PORT_443_TCP_PORT: "443",
      KUBERNETES_PORT_443_TCP_ADDR: "10.96.0.1",
      WEB_SERVICE_HOST: ip,
      WEB_SERVICE_PORT: "80",
      WEB_PORT: `tcp://${ip}:80`,
      WEB_PORT_80_TCP_ADDR: ip,
      REDIS_CACHE_SERVICE_PORT: "6379",
      REDIS_CACHE_SERVICE_PORT_REDIS: "6379",
      REDIS_CACHE_SERVICE_PORT_METRICS: "9121",
      REDIS_CACHE_PORT_9121_TCP_PORT: "9121",
    });
    // Service links off: the `kubernetes` Service's variables only.
    expect(Object.keys(cluster.network.serviceEnv("default", false)).every((k) => k.startsWith("KUBERNETES_"))).toBe(true);
    expect(cluster.network.serviceEnv("default", false).KUBERNETES_SERVICE_HOST).toBe("10.96.0.1");
    expect(Object.keys(cluster.network.serviceEnv("kube-system", true)).filter((k) => k.startsWith("WEB_"))).toEqual([]);
    expect(cluster.network.serviceEnv("kube-system", true).KUBE_DNS_SERVICE_HOST).toBe("10.96.0.10");
  });

  it("echo servers answer with the pod that served", async () => {
    cluster.service.create(type("apps", "deployments"), "default", deployment("echo", 2, { image: "hashicorp/http-echo", args: ["-text=hi there", "-listen=:8080"] }));
    cluster.service.create(type("apps", "deployments"), "default", deployment("net", 1, { image: "registry.k8s.io/e2e-test-images/agnhost:2.53", args: ["netexec", "--http-port=8081"] }));
    const s = svc("echo", { selector: { app: "echo" }, ports: [{ port: 80, targetPort: 8080 }] });
    await advance(6000);
    expect(cluster.network.http(s.spec?.clusterIP ?? "", 80, "/")).toMatchObject({ ok: true, status: 200, body: "hi there\n" });
    const net = podsOf("net")[0] as Pod;
    expect(cluster.network.http(net.status?.podIP ?? "", 8081, "/hostname")).toMatchObject({ ok: true, body: net.metadata.name });
  });

  it("nginx serves the files its container holds: a volume over the html root, 404 for the rest", async () => {
    const emptyDir = { volumes: [{ name: "html", emptyDir: {} }] };
    cluster.service.create(type("apps", "deployments"), "default", deployment("site", 1, { volumeMounts: [{ name: "html", mountPath: "/usr/share/nginx/html" }] }, emptyDir));
    await advance(5000);
    const pod = podsOf("site")[0] as Pod;
    const ip = pod.status?.podIP ?? "";
    expect(cluster.network.http(ip, 80, "/")).toMatchObject({ ok: true, status: 404 });
    cluster.containers.container(pod, "app")?.fs.writeFile("/usr/share/nginx/html/index.html", "from the volume\n");
    expect(cluster.network.http(ip, 80, "/")).toMatchObject({ ok: true, status: 200, body: "from the volume\n" });
    expect(cluster.network.http(ip, 80, "/index.html?x=1")).toMatchObject({ ok: true, status: 200, body: "from the volume\n" });
    expect(cluster.network.http(ip, 80, "/missing.txt")).toMatchObject({ ok: true, status: 404 });
    const web = await webService(1);
    expect(cluster.network.http(web.spec?.clusterIP ?? "", 80, "/")).toMatchObject({ ok: true, status: 200, body: NGINX_INDEX });
  });

  it("DNS times out when CoreDNS has no ready endpoint", async () => {
    await flush();
    cluster.service.patch(type("apps", "deployments"), "kube-system", "coredns", "merge", { spec: { replicas: 0 } });
    await advance(3000);
    expect(cluster.network.lookup("kubernetes.default", "default")).toMatchObject({ found: false, timeout: true });
  });
});
