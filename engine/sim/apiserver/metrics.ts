// The metrics-server role: plausible CPU and memory figures for every running
// pod (per container) and node, derived deterministically from what runs
// where, so `kubectl top` always prints the same numbers for the same cluster.
import { createHash } from "node:crypto";
import type { Registry, ResourceType } from "../registry";
import { timestamp } from "../registry";
import type { KObject, Pod } from "../types";
import type { RouteExtension } from "./extension";
import type { ResourceService } from "./service";
import { errors } from "./status";
import { includeObjectPolicy, toTable, wantsTable } from "./table";

const WINDOW = "15.004s";

/** Typical (millicores, MiB) of well-known images; others get a small idle figure. */
const PROFILES: [RegExp, number, number][] = [
  [/kube-apiserver/, 48, 260],
  [/etcd/, 22, 48],
  [/kube-controller-manager/, 14, 52],
  [/kube-scheduler/, 3, 22],
  [/kube-proxy/, 1, 18],
  [/coredns/, 2, 14],
  [/nginx|httpd/, 1, 4],
  [/redis/, 2, 3],
  [/postgres|mysql|mariadb/, 4, 40],
];

function hashUnit(seed: string): number {
  return createHash("sha256").update(seed).digest().readUInt32BE(0) / 0xffffffff;
}

/** Bytes a container's processes hold beyond the image's profile (the runtime's count, e.g. stress --vm). */
export type HeldMemory = (pod: Pod, container: string) => number;

function containerUsage(pod: Pod, name: string, image: string, held: HeldMemory): { cpuNano: number; memKi: number } {
  const [, cpu, mem] = PROFILES.find(([pattern]) => pattern.test(image)) ?? [/./, 1, 6];
  const jitter = hashUnit(`${pod.metadata.uid ?? pod.metadata.name ?? ""}/${name}`);
  return { cpuNano: Math.round(cpu * 1e6 * (0.8 + 0.4 * jitter)), memKi: Math.round(mem * 1024 * (0.9 + 0.2 * jitter)) + Math.ceil(held(pod, name) / 1024) };
}

function running(pod: Pod): boolean {
  return pod.status?.phase === "Running" && !!pod.spec.nodeName;
}

export function metricsExtension(service: ResourceService, registry: Registry, held: HeldMemory = () => 0): RouteExtension {
  const podsType = registry.find("", "v1", "pods") as ResourceType;
  const nodesType = registry.find("", "v1", "nodes") as ResourceType;
  const podMetrics = (pod: Pod, now: number): KObject => ({
    kind: "PodMetrics",
    apiVersion: "metrics.k8s.io/v1beta1",
    metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, creationTimestamp: timestamp(now), labels: pod.metadata.labels },
    timestamp: timestamp(now - 7_000),
    window: WINDOW,
    containers: pod.spec.containers.map((c) => {
      const u = containerUsage(pod, c.name, c.image ?? "", held);
      return { name: c.name, usage: { cpu: `${u.cpuNano}n`, memory: `${u.memKi}Ki` } };
    }),
  });
  const nodeMetrics = (node: KObject, pods: Pod[], now: number): KObject => {
    const name = node.metadata.name ?? "";
    let cpuNano = 28e6 + Math.round(hashUnit(name) * 12e6);
    let memKi = 420 * 1024 + Math.round(hashUnit(`${name}/m`) * 80 * 1024);
    for (const pod of pods.filter((p) => p.spec.nodeName === name && running(p))) {
      for (const c of pod.spec.containers) {
        const u = containerUsage(pod, c.name, c.image ?? "", held);
        cpuNano += u.cpuNano;
        memKi += u.memKi;
      }
    }
    return {
      kind: "NodeMetrics",
      apiVersion: "metrics.k8s.io/v1beta1",
      metadata: { name, creationTimestamp: timestamp(now), labels: node.metadata.labels },
      timestamp: timestamp(now - 7_000),
      window: WINDOW,
      usage: { cpu: `${cpuNano}n`, memory: `${memKi}Ki` },
    };
  };
  return (route) => {
    if (route.type.group !== "metrics.k8s.io") return undefined;
    if (route.method !== "GET") throw errors.methodNotAllowed();
    const now = service.clock.now();
    const selection = { labelSelector: route.query.get("labelSelector"), fieldSelector: route.query.get("fieldSelector") };
    let items: KObject[];
    if (route.type.kind === "NodeMetrics") {
      const pods = service.list(podsType, undefined).items as Pod[];
      const nodes = route.name ? [service.get(nodesType, undefined, route.name)] : service.list(nodesType, undefined, selection).items;
      items = nodes.map((n) => nodeMetrics(n, pods, now));
    } else {
      const pods = (route.name ? [service.get(podsType, route.namespace, route.name)] : service.list(podsType, route.namespace, selection).items) as Pod[];
      items = pods.filter(running).map((p) => podMetrics(p, now));
      if (route.name && !items.length) throw errors.notFound(route.type, `${route.namespace ?? ""}/${route.name}`);
    }
    const type = route.type;
    if (wantsTable(route.req.headers.accept)) {
      return { code: 200, body: toTable(type, items, { now, include: includeObjectPolicy(route.query.get("includeObject")), resourceVersion: "" }) };
    }
    if (route.name) return { code: 200, body: items[0] };
    return {
      code: 200,
      body: {
        kind: type.listKind,
        apiVersion: "metrics.k8s.io/v1beta1",
        metadata: {},
        items: items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest),
      },
    };
  };
}
