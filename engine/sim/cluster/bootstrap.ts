// What a fresh kubeadm-style cluster holds before the learner types anything:
// the four namespaces, the kubernetes and kube-dns Services, and the
// kube-system pods (static control-plane pods, CoreDNS, kube-proxy) already
// running on their nodes.
import type { ResourceService } from "../apiserver/service";
import { timestamp, type Registry, type ResourceType } from "../registry";
import type { NodeConfig } from "../kubelet/node";
import { parseImage } from "../kubelet/images";
import type { Container, KObject, OwnerReference, Pod } from "../types";
import { createHash } from "node:crypto";

export const DEFAULT_NODES: NodeConfig[] = [
  { name: "controlplane", controlPlane: true, internalIP: "172.30.1.2", podCIDR: "10.244.0.0/24" },
  { name: "node01", controlPlane: false, internalIP: "172.30.2.2", podCIDR: "10.244.1.0/24" },
  { name: "node02", controlPlane: false, internalIP: "172.30.2.3", podCIDR: "10.244.2.0/24" },
];

export const SYSTEM_NAMESPACES = ["default", "kube-node-lease", "kube-public", "kube-system"];

const K8S_VERSION = "v1.32.3";

/** The images the system pods use; nodes start with them already pulled. */
export const SYSTEM_IMAGES = [
  "registry.k8s.io/etcd:3.5.16-0",
  `registry.k8s.io/kube-apiserver:${K8S_VERSION}`,
  `registry.k8s.io/kube-controller-manager:${K8S_VERSION}`,
  `registry.k8s.io/kube-scheduler:${K8S_VERSION}`,
  `registry.k8s.io/kube-proxy:${K8S_VERSION}`,
  "registry.k8s.io/coredns/coredns:v1.11.3",
  "registry.k8s.io/pause:3.10",
];

function type(registry: Registry, plural: string): ResourceType {
  return registry.find("", "v1", plural) as ResourceType;
}

function service(name: string, namespace: string, labels: Record<string, string>, clusterIP: string, ports: object[], selector?: Record<string, string>): KObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace, labels },
    spec: { clusterIP, clusterIPs: [clusterIP], ports, ...(selector ? { selector } : {}) },
  };
}

interface SystemPod {
  name: string;
  node: NodeConfig;
  labels: Record<string, string>;
  image: string;
  command?: string[];
  hostNetwork: boolean;
  owner?: Omit<OwnerReference, "uid">;
  priorityClassName: string;
  podIP?: string;
}

function stableId(seed: string): string {
  const hex = createHash("sha256").update(seed).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function systemPods(nodes: NodeConfig[]): SystemPod[] {
  const cp = nodes.find((n) => n.controlPlane) ?? nodes[0];
  if (!cp) throw new Error("a cluster needs at least one node");
  const staticPod = (component: string, image: string): SystemPod => ({
    name: `${component}-${cp.name}`,
    node: cp,
    labels: { component, tier: "control-plane" },
    image,
    command: [component],
    hostNetwork: true,
    owner: { apiVersion: "v1", kind: "Node", name: cp.name, controller: true },
    priorityClassName: "system-node-critical",
  });
  const dnsBase = cp.podCIDR.split(".").slice(0, 3).join(".");
  const coredns = (suffix: string, ip: string): SystemPod => ({
    name: `coredns-668d6bf9bc-${suffix}`,
    node: cp,
    labels: { "k8s-app": "kube-dns", "pod-template-hash": "668d6bf9bc" },
    image: "registry.k8s.io/coredns/coredns:v1.11.3",
    hostNetwork: false,
    owner: { apiVersion: "apps/v1", kind: "ReplicaSet", name: "coredns-668d6bf9bc", controller: true, blockOwnerDeletion: true },
    priorityClassName: "system-cluster-critical",
    podIP: ip,
  });
  const proxySuffixes = ["8xkqp", "m2v9t", "r7wzc", "b4hln", "z6dfs"];
  return [
    staticPod("etcd", "registry.k8s.io/etcd:3.5.16-0"),
    staticPod("kube-apiserver", `registry.k8s.io/kube-apiserver:${K8S_VERSION}`),
    staticPod("kube-controller-manager", `registry.k8s.io/kube-controller-manager:${K8S_VERSION}`),
    staticPod("kube-scheduler", `registry.k8s.io/kube-scheduler:${K8S_VERSION}`),
    coredns("7qjlm", `${dnsBase}.2`),
    coredns("xw5kd", `${dnsBase}.3`),
    ...nodes.map((node, i) => ({
      name: `kube-proxy-${proxySuffixes[i % proxySuffixes.length] ?? "x"}${i >= proxySuffixes.length ? i : ""}`,
      node,
      labels: { "controller-revision-hash": "7bb84c4984", "k8s-app": "kube-proxy", "pod-template-generation": "1" },
      image: `registry.k8s.io/kube-proxy:${K8S_VERSION}`,
      command: ["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf", "--hostname-override=$(NODE_NAME)"],
      hostNetwork: true,
      owner: { apiVersion: "apps/v1", kind: "DaemonSet", name: "kube-proxy", controller: true, blockOwnerDeletion: true },
      priorityClassName: "system-node-critical",
    })),
  ];
}

function runningPod(spec: SystemPod, now: string, clusterSeed: string): Pod {
  const container: Container = { name: spec.labels.component ?? spec.labels["k8s-app"] ?? spec.name, image: spec.image };
  if (spec.command) container.command = spec.command;
  if (spec.labels["k8s-app"] === "kube-dns") container.ports = [{ containerPort: 53, name: "dns", protocol: "UDP" }, { containerPort: 53, name: "dns-tcp", protocol: "TCP" }, { containerPort: 9153, name: "metrics", protocol: "TCP" }];
  const tolerations = spec.hostNetwork ? [{ operator: "Exists" as const }] : [{ key: "CriticalAddonsOnly", operator: "Exists" as const }, { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }];
  const ip = spec.podIP ?? spec.node.internalIP;
  const ref = parseImage(spec.image);
  const ownerUid = stableId(`${clusterSeed}/${spec.owner?.kind ?? ""}/${spec.owner?.name ?? ""}`);
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: spec.name,
      namespace: "kube-system",
      labels: spec.labels,
      ...(spec.owner ? { ownerReferences: [{ ...spec.owner, uid: ownerUid }] } : {}),
    },
    spec: {
      containers: [container],
      nodeName: spec.node.name,
      hostNetwork: spec.hostNetwork,
      priorityClassName: spec.priorityClassName,
      priority: spec.priorityClassName === "system-node-critical" ? 2000001000 : 2000000000,
      tolerations,
    },
    status: {
      phase: "Running",
      hostIP: spec.node.internalIP,
      hostIPs: [{ ip: spec.node.internalIP }],
      podIP: ip,
      podIPs: [{ ip }],
      startTime: now,
      conditions: ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"].map((type) => ({ type, status: "True" as const, lastProbeTime: null, lastTransitionTime: now })),
      containerStatuses: [
        {
          name: container.name,
          image: spec.image,
          imageID: `${ref.repository}@sha256:${createHash("sha256").update(ref.qualified).digest("hex")}`,
          containerID: `containerd://${createHash("sha256").update(`${clusterSeed}/${spec.name}`).digest("hex")}`,
          ready: true,
          restartCount: 0,
          started: true,
          state: { running: { startedAt: now } },
          lastState: {},
        },
      ],
    },
  };
}

/** Seed a new cluster. Nodes are registered by their kubelets, not here. */
export function bootstrap(serviceLayer: ResourceService, registry: Registry, nodes: NodeConfig[], nowMs: number, clusterSeed: string): void {
  const namespaces = type(registry, "namespaces");
  for (const name of SYSTEM_NAMESPACES) serviceLayer.create(namespaces, undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name } });
  const services = type(registry, "services");
  serviceLayer.create(
    services,
    "default",
    service("kubernetes", "default", { component: "apiserver", provider: "kubernetes" }, "10.96.0.1", [{ name: "https", port: 443, protocol: "TCP", targetPort: 6443 }]),
  );
  serviceLayer.create(
    services,
    "kube-system",
    service(
      "kube-dns",
      "kube-system",
      { "k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS" },
      "10.96.0.10",
      [
        { name: "dns", port: 53, protocol: "UDP", targetPort: 53 },
        { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 },
        { name: "metrics", port: 9153, protocol: "TCP", targetPort: 9153 },
      ],
      { "k8s-app": "kube-dns" },
    ),
  );
  const pods = type(registry, "pods");
  const now = timestamp(nowMs);
  for (const spec of systemPods(nodes)) {
    const pod = runningPod(spec, now, clusterSeed);
    const status = pod.status;
    const created = serviceLayer.create(pods, "kube-system", pod);
    serviceLayer.update(pods, "kube-system", spec.name, { ...created, status }, { subresource: "status" });
  }
}
