// What a fresh kubeadm-style cluster holds before the learner types anything:
// the four namespaces, the kubernetes and kube-dns Services, and the
// kube-system pods (static control-plane pods, CoreDNS, kube-proxy) already
// running on their nodes.
import type { ResourceService } from "../apiserver/service";
import { timestamp, type Registry, type ResourceType } from "../registry";
import type { NodeConfig } from "../kubelet/node";
import { parseImage } from "../kubelet/images";
import type { Container, KObject, OwnerReference, Pod } from "../types";
import { ETCD_PKI_DIR } from "./etcd";
import { corednsTemplate, proxyTemplate } from "./system-workloads";
import type { PodTemplate } from "../registry/workload";
import { createHash } from "node:crypto";
import { uuidFromHex } from "../apiserver/uid";

export const DEFAULT_NODES: NodeConfig[] = [
  { name: "controlplane", controlPlane: true, internalIP: "172.30.1.2", podCIDR: "10.244.0.0/24" },
  { name: "node01", controlPlane: false, internalIP: "172.30.2.2", podCIDR: "10.244.1.0/24" },
  { name: "node02", controlPlane: false, internalIP: "172.30.2.3", podCIDR: "10.244.2.0/24" },
];

export const SYSTEM_NAMESPACES = ["default", "kube-node-lease", "kube-public", "kube-system"];

export const K8S_VERSION = "v1.32.3";
const ETCD_IMAGE = "registry.k8s.io/etcd:3.5.16-0";

/** The images the system pods use; nodes start with them already pulled. */
export const SYSTEM_IMAGES = [
  ETCD_IMAGE,
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
  /** Labels beyond the template's (pod-template-hash, controller-revision-hash). */
  labels: Record<string, string>;
  /** The owner's pod template: the pod is made from it, as its controller would. */
  template: PodTemplate;
  owner?: Omit<OwnerReference, "uid">;
  podIP?: string;
}

/** A copy of a mirror pod owned by the Node with `uid`. */
export function withOwnerUid(pod: Pod, uid: string): Pod {
  return { ...pod, metadata: { ...pod.metadata, ownerReferences: pod.metadata.ownerReferences?.map((r) => ({ ...r, uid })) } };
}

function stableId(seed: string): string {
  return uuidFromHex(createHash("sha256").update(seed).digest("hex"));
}

/** The control-plane node: the one marked so, else the first. */
export function controlPlaneNode(nodes: NodeConfig[]): NodeConfig {
  const cp = nodes.find((n) => n.controlPlane) ?? nodes[0];
  if (!cp) throw new Error("a cluster needs at least one node");
  return cp;
}

type HostPathType = "DirectoryOrCreate" | "FileOrCreate";

/** The manifest of one control-plane component, as kubeadm writes it to /etc/kubernetes/manifests on `cp`. */
interface Manifest {
  component: string;
  image: string;
  flags: string[];
  cpu: string;
  memory?: string;
  mounts: [name: string, path: string, type: HostPathType, readOnly?: boolean][];
  annotations?: Record<string, string>;
}

const CA_MOUNTS: Manifest["mounts"] = [
  ["ca-certs", "/etc/ssl/certs", "DirectoryOrCreate", true],
  ["etc-ca-certificates", "/etc/ca-certificates", "DirectoryOrCreate", true],
  ["k8s-certs", "/etc/kubernetes/pki", "DirectoryOrCreate", true],
  ["usr-local-share-ca-certificates", "/usr/local/share/ca-certificates", "DirectoryOrCreate", true],
  ["usr-share-ca-certificates", "/usr/share/ca-certificates", "DirectoryOrCreate", true],
];

function manifests(cp: NodeConfig): Manifest[] {
  const ip = cp.internalIP;
  const pki = "/etc/kubernetes/pki";
  return [
    {
      component: "etcd",
      image: ETCD_IMAGE,
      flags: [
        `--advertise-client-urls=https://${ip}:2379`,
        `--cert-file=${pki}/etcd/server.crt`,
        "--client-cert-auth=true",
        "--data-dir=/var/lib/etcd",
        "--experimental-initial-corrupt-check=true",
        "--experimental-watch-progress-notify-interval=5s",
        `--initial-advertise-peer-urls=https://${ip}:2380`,
        `--initial-cluster=${cp.name}=https://${ip}:2380`,
        `--key-file=${pki}/etcd/server.key`,
        `--listen-client-urls=https://127.0.0.1:2379,https://${ip}:2379`,
        "--listen-metrics-urls=http://127.0.0.1:2381",
        `--listen-peer-urls=https://${ip}:2380`,
        `--name=${cp.name}`,
        `--peer-cert-file=${pki}/etcd/peer.crt`,
        "--peer-client-cert-auth=true",
        `--peer-key-file=${pki}/etcd/peer.key`,
        `--peer-trusted-ca-file=${pki}/etcd/ca.crt`,
        "--snapshot-count=10000",
        `--trusted-ca-file=${pki}/etcd/ca.crt`,
      ],
      cpu: "100m",
      memory: "100Mi",
      mounts: [
        ["etcd-data", "/var/lib/etcd", "DirectoryOrCreate"],
        ["etcd-certs", ETCD_PKI_DIR, "DirectoryOrCreate"],
      ],
      annotations: { "kubeadm.kubernetes.io/etcd.advertise-client-urls": `https://${ip}:2379` },
    },
    {
      component: "kube-apiserver",
      image: `registry.k8s.io/kube-apiserver:${K8S_VERSION}`,
      flags: [
        `--advertise-address=${ip}`,
        "--allow-privileged=true",
        "--authorization-mode=Node,RBAC",
        `--client-ca-file=${pki}/ca.crt`,
        "--enable-admission-plugins=NodeRestriction",
        "--enable-bootstrap-token-auth=true",
        `--etcd-cafile=${pki}/etcd/ca.crt`,
        `--etcd-certfile=${pki}/apiserver-etcd-client.crt`,
        `--etcd-keyfile=${pki}/apiserver-etcd-client.key`,
        "--etcd-servers=https://127.0.0.1:2379",
        `--kubelet-client-certificate=${pki}/apiserver-kubelet-client.crt`,
        `--kubelet-client-key=${pki}/apiserver-kubelet-client.key`,
        "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
        `--proxy-client-cert-file=${pki}/front-proxy-client.crt`,
        `--proxy-client-key-file=${pki}/front-proxy-client.key`,
        "--requestheader-allowed-names=front-proxy-client",
        `--requestheader-client-ca-file=${pki}/front-proxy-ca.crt`,
        "--requestheader-extra-headers-prefix=X-Remote-Extra-",
        "--requestheader-group-headers=X-Remote-Group",
        "--requestheader-username-headers=X-Remote-User",
        "--secure-port=6443",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        `--service-account-key-file=${pki}/sa.pub`,
        `--service-account-signing-key-file=${pki}/sa.key`,
        "--service-cluster-ip-range=10.96.0.0/12",
        `--tls-cert-file=${pki}/apiserver.crt`,
        `--tls-private-key-file=${pki}/apiserver.key`,
      ],
      cpu: "250m",
      mounts: CA_MOUNTS,
      annotations: { "kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint": `${ip}:6443` },
    },
    {
      component: "kube-controller-manager",
      image: `registry.k8s.io/kube-controller-manager:${K8S_VERSION}`,
      flags: [
        "--allocate-node-cidrs=true",
        "--authentication-kubeconfig=/etc/kubernetes/controller-manager.conf",
        "--authorization-kubeconfig=/etc/kubernetes/controller-manager.conf",
        "--bind-address=127.0.0.1",
        `--client-ca-file=${pki}/ca.crt`,
        "--cluster-cidr=10.244.0.0/16",
        "--cluster-name=kubernetes",
        `--cluster-signing-cert-file=${pki}/ca.crt`,
        `--cluster-signing-key-file=${pki}/ca.key`,
        "--controllers=*,bootstrapsigner,tokencleaner",
        "--kubeconfig=/etc/kubernetes/controller-manager.conf",
        "--leader-elect=true",
        `--requestheader-client-ca-file=${pki}/front-proxy-ca.crt`,
        `--root-ca-file=${pki}/ca.crt`,
        `--service-account-private-key-file=${pki}/sa.key`,
        "--service-cluster-ip-range=10.96.0.0/12",
        "--use-service-account-credentials=true",
      ],
      cpu: "200m",
      mounts: [...CA_MOUNTS, ["flexvolume-dir", "/usr/libexec/kubernetes/kubelet-plugins/volume/exec", "DirectoryOrCreate"], ["kubeconfig", "/etc/kubernetes/controller-manager.conf", "FileOrCreate", true]].sort(([a], [b]) => (a < b ? -1 : 1)) as Manifest["mounts"],
    },
    {
      component: "kube-scheduler",
      image: `registry.k8s.io/kube-scheduler:${K8S_VERSION}`,
      flags: ["--authentication-kubeconfig=/etc/kubernetes/scheduler.conf", "--authorization-kubeconfig=/etc/kubernetes/scheduler.conf", "--bind-address=127.0.0.1", "--kubeconfig=/etc/kubernetes/scheduler.conf", "--leader-elect=true"],
      cpu: "100m",
      mounts: [["kubeconfig", "/etc/kubernetes/scheduler.conf", "FileOrCreate", true]],
    },
  ];
}

/** RFC 3339 with nanoseconds and trailing zeros trimmed, as Go's time.RFC3339Nano. */
function rfc3339Nano(ms: number, nanos: string): string {
  const fraction = `${String(ms % 1000).padStart(3, "0")}${nanos}`.replace(/0+$/, "");
  return `${new Date(ms).toISOString().slice(0, 19)}${fraction ? `.${fraction}` : ""}Z`;
}

/**
 * The mirror pods the control-plane kubelet posts for its static pods
 * (`<component>-<node>` in kube-system): the manifest's pod plus the
 * annotations saying where it came from (`kubernetes.io/config.source: file`,
 * the manifest's hash as `config.hash` and `config.mirror`, when the kubelet
 * first saw it), owned by the Node. Without status and owner uid.
 */
export function staticPods(nodes: NodeConfig[], seenMs: number): Pod[] {
  const cp = controlPlaneNode(nodes);
  return manifests(cp).map((m) => {
    const container: Container = {
      name: m.component,
      image: m.image,
      imagePullPolicy: "IfNotPresent",
      command: [m.component, ...m.flags],
      resources: { requests: { cpu: m.cpu, ...(m.memory ? { memory: m.memory } : {}) } },
      volumeMounts: m.mounts.map(([name, mountPath, , readOnly]) => ({ mountPath, name, ...(readOnly ? { readOnly } : {}) })),
    };
    const spec: Pod["spec"] = {
      containers: [container],
      nodeName: cp.name,
      hostNetwork: true,
      priorityClassName: "system-node-critical",
      priority: 2000001000,
      securityContext: { seccompProfile: { type: "RuntimeDefault" } },
      tolerations: [{ effect: "NoExecute", operator: "Exists" }],
      volumes: [...m.mounts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, path, type]) => ({ hostPath: { path, type }, name })),
    };
    const hash = createHash("md5").update(JSON.stringify(spec)).digest("hex");
    return {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: `${m.component}-${cp.name}`,
        namespace: "kube-system",
        labels: { component: m.component, tier: "control-plane" },
        annotations: {
          ...m.annotations,
          "kubernetes.io/config.hash": hash,
          "kubernetes.io/config.mirror": hash,
          "kubernetes.io/config.seen": rfc3339Nano(seenMs, hash.replace(/\D/g, "").padEnd(6, "0").slice(0, 6)),
          "kubernetes.io/config.source": "file",
        },
        ownerReferences: [{ apiVersion: "v1", kind: "Node", name: cp.name, uid: "", controller: true }],
      },
      spec,
    };
  });
}

function systemPods(nodes: NodeConfig[]): SystemPod[] {
  const cp = controlPlaneNode(nodes);
  const dnsBase = cp.podCIDR.split(".").slice(0, 3).join(".");
  const coredns = (suffix: string, ip: string): SystemPod => ({
    name: `coredns-668d6bf9bc-${suffix}`,
    node: cp,
    labels: { "pod-template-hash": "668d6bf9bc" },
    template: corednsTemplate(),
    owner: { apiVersion: "apps/v1", kind: "ReplicaSet", name: "coredns-668d6bf9bc", controller: true, blockOwnerDeletion: true },
    podIP: ip,
  });
  const proxySuffixes = ["8xkqp", "m2v9t", "r7wzc", "b4hln", "z6dfs"];
  return [
    coredns("7qjlm", `${dnsBase}.2`),
    coredns("xw5kd", `${dnsBase}.3`),
    ...nodes.map((node, i) => ({
      name: `kube-proxy-${proxySuffixes[i % proxySuffixes.length] ?? "x"}${i >= proxySuffixes.length ? i : ""}`,
      node,
      labels: { "controller-revision-hash": "7bb84c4984", "pod-template-generation": "1" },
      template: proxyTemplate(),
      owner: { apiVersion: "apps/v1", kind: "DaemonSet", name: "kube-proxy", controller: true, blockOwnerDeletion: true },
    })),
  ];
}

function workloadPod(spec: SystemPod, clusterSeed: string): Pod {
  const template = structuredClone(spec.template);
  const podSpec = template.spec as Pod["spec"];
  const ownerUid = stableId(`${clusterSeed}/${spec.owner?.kind ?? ""}/${spec.owner?.name ?? ""}`);
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: spec.name,
      namespace: "kube-system",
      labels: { ...template.metadata?.labels, ...spec.labels },
      ...(spec.owner ? { ownerReferences: [{ ...spec.owner, uid: ownerUid }] } : {}),
    },
    spec: { ...podSpec, nodeName: spec.node.name, priority: podSpec.priorityClassName === "system-node-critical" ? 2000001000 : 2000000000 },
  };
}

/** The status of a pod that has been running on `node` since `nowMs` (its containers started, ready). */
export function runningStatus(pod: Pod, node: NodeConfig, nowMs: number, clusterSeed: string, podIP = node.internalIP): NonNullable<Pod["status"]> {
  const now = timestamp(nowMs);
  const ip = pod.spec.hostNetwork ? node.internalIP : podIP;
  return {
    phase: "Running",
    hostIP: node.internalIP,
    hostIPs: [{ ip: node.internalIP }],
    podIP: ip,
    podIPs: [{ ip }],
    startTime: now,
    conditions: ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"].map((type) => ({ type, status: "True" as const, lastProbeTime: null, lastTransitionTime: now })),
    containerStatuses: pod.spec.containers.map((container) => {
      const ref = parseImage(container.image ?? "");
      return {
        name: container.name,
        image: container.image ?? "",
        imageID: `${ref.repository}@sha256:${createHash("sha256").update(ref.qualified).digest("hex")}`,
        containerID: `containerd://${createHash("sha256").update(`${clusterSeed}/${pod.metadata.name ?? ""}`).digest("hex")}`,
        ready: true,
        restartCount: 0,
        started: true,
        state: { running: { startedAt: now } },
        lastState: {},
      };
    }),
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
  const cp = controlPlaneNode(nodes);
  const mirrors = staticPods(nodes, nowMs).map((pod) => ({ pod: withOwnerUid(pod, stableId(`${clusterSeed}/Node/${cp.name}`)), node: cp, podIP: undefined }));
  const workloads = systemPods(nodes).map((spec) => ({ pod: workloadPod(spec, clusterSeed), node: spec.node, podIP: spec.podIP }));
  for (const { pod, node, podIP } of [...mirrors, ...workloads]) {
    const status = runningStatus(pod, node, nowMs, clusterSeed, podIP);
    const created = serviceLayer.create(pods, "kube-system", pod) as Pod;
    // Keeps what admission put in the status (qosClass).
    serviceLayer.update(pods, "kube-system", pod.metadata.name ?? "", { ...created, status: { ...created.status, ...status } }, { subresource: "status" });
  }
}
