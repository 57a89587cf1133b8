// What a kubeadm cluster's control plane creates for itself besides pods:
// the bootstrap RBAC policy (default-policy.ts), a default StorageClass (as
// kind and most courses' clusters have), the `kubernetes` Service's Endpoints
// and EndpointSlice, and what kubeadm and the controller manager leave in
// kube-system and kube-public (the components' configuration ConfigMaps, the
// add-ons' and controllers' ServiceAccounts, kubeadm's RBAC, the
// cluster-info ConfigMap).
import { createHash } from "node:crypto";
import type { ResourceService } from "../apiserver/service";
import { ROOT_CA_PEM } from "../controllers/namespace";
import type { NodeConfig } from "../kubelet/node";
import type { Registry, ResourceType } from "../registry";
import { DEFAULT_CLASS_ANNOTATION } from "../registry/storage";
import type { KObject } from "../types";
import { K8S_VERSION } from "./bootstrap";
import { pem } from "./etcd";
import { BOOTSTRAP_POLICY, KUBEADM_POLICY, seedShared } from "./default-policy";

function find(registry: Registry, group: string, plural: string): ResourceType | undefined {
  return registry.types.find((t) => t.group === group && t.plural === plural);
}

function createIfMissing(service: ResourceService, type: ResourceType | undefined, namespace: string | undefined, object: KObject): void {
  if (!type || service.find(type, namespace, object.metadata.name ?? "")) return;
  service.create(type, namespace, object);
}

/** The API server's bootstrap RBAC policy; run at every start, as upstream reconciles it (a restored cluster gets what it lacks). */
export function seedPolicy(service: ResourceService): void {
  seedShared(service, BOOTSTRAP_POLICY);
}

export function seedStorage(service: ResourceService, registry: Registry): void {
  createIfMissing(service, find(registry, "storage.k8s.io", "storageclasses"), undefined, {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name: "standard", annotations: { [DEFAULT_CLASS_ANNOTATION]: "true" } },
    provisioner: "rancher.io/local-path",
    reclaimPolicy: "Delete",
    volumeBindingMode: "WaitForFirstConsumer",
  });
}

/** The API server's own address behind the `kubernetes` Service. */
export function seedApiEndpoints(service: ResourceService, registry: Registry, apiServerIP: string): void {
  const labels = { "endpointslice.kubernetes.io/skip-mirror": "true" };
  createIfMissing(service, find(registry, "", "endpoints"), "default", {
    apiVersion: "v1",
    kind: "Endpoints",
    metadata: { name: "kubernetes", labels },
    subsets: [{ addresses: [{ ip: apiServerIP }], ports: [{ name: "https", port: 6443, protocol: "TCP" }] }],
  });
  createIfMissing(service, find(registry, "discovery.k8s.io", "endpointslices"), "default", {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name: "kubernetes", labels: { "kubernetes.io/service-name": "kubernetes" } },
    addressType: "IPv4",
    endpoints: [{ addresses: [apiServerIP], conditions: { ready: true } }],
    ports: [{ name: "https", port: 6443, protocol: "TCP" }],
  });
}

/**
 * The ServiceAccounts in kube-system besides `default`: the add-ons' (CoreDNS,
 * kube-proxy) and one per controller the controller manager runs with
 * `--use-service-account-credentials` (kubeadm also enables bootstrapsigner
 * and tokencleaner).
 */
export const KUBE_SYSTEM_SERVICE_ACCOUNTS = [
  "attachdetach-controller",
  "bootstrap-signer",
  "certificate-controller",
  "clusterrole-aggregation-controller",
  "coredns",
  "cronjob-controller",
  "daemon-set-controller",
  "deployment-controller",
  "disruption-controller",
  "endpoint-controller",
  "endpointslice-controller",
  "endpointslicemirroring-controller",
  "ephemeral-volume-controller",
  "expand-controller",
  "generic-garbage-collector",
  "horizontal-pod-autoscaler",
  "job-controller",
  "kube-proxy",
  "legacy-service-account-token-cleaner",
  "namespace-controller",
  "node-controller",
  "persistent-volume-binder",
  "pod-garbage-collector",
  "pv-protection-controller",
  "pvc-protection-controller",
  "replicaset-controller",
  "replication-controller",
  "resourcequota-controller",
  "root-ca-cert-publisher",
  "service-account-controller",
  "statefulset-controller",
  "token-cleaner",
  "ttl-after-finished-controller",
  "ttl-controller",
  "validatingadmissionpolicy-status-controller",
];

const CLUSTER_DOMAIN = "cluster.local";
const POD_SUBNET = "10.244.0.0/16";
const SERVICE_SUBNET = "10.96.0.0/12";

/** The Corefile kubeadm gives CoreDNS. */
const COREFILE = `.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes ${CLUSTER_DOMAIN} in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success ${CLUSTER_DOMAIN}
       disable denial ${CLUSTER_DOMAIN}
    }
    loop
    reload
    loadbalance
}
`;

/** kubeadm's ClusterConfiguration, as `kubeadm init` stores it for later joins and upgrades. */
const CLUSTER_CONFIGURATION = `apiServer: {}
apiVersion: kubeadm.k8s.io/v1beta4
caCertificateValidityPeriod: 87600h0m0s
certificateValidityPeriod: 8760h0m0s
certificatesDir: /etc/kubernetes/pki
clusterName: kubernetes
controllerManager: {}
dns: {}
encryptionAlgorithm: RSA-2048
etcd:
  local:
    dataDir: /var/lib/etcd
imageRepository: registry.k8s.io
kind: ClusterConfiguration
kubernetesVersion: ${K8S_VERSION}
networking:
  dnsDomain: ${CLUSTER_DOMAIN}
  podSubnet: ${POD_SUBNET}
  serviceSubnet: ${SERVICE_SUBNET}
proxy: {}
scheduler: {}
`;

/** The KubeletConfiguration every node's kubelet downloads when it joins (zero durations: the kubelet's defaults). */
const KUBELET_CONFIGURATION = `apiVersion: kubelet.config.k8s.io/v1beta1
authentication:
  anonymous:
    enabled: false
  webhook:
    cacheTTL: 0s
    enabled: true
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
authorization:
  mode: Webhook
  webhook:
    cacheAuthorizedTTL: 0s
    cacheUnauthorizedTTL: 0s
cgroupDriver: systemd
clusterDNS:
- 10.96.0.10
clusterDomain: ${CLUSTER_DOMAIN}
containerRuntimeEndpoint: ""
cpuManagerReconcilePeriod: 0s
crashLoopBackOff: {}
evictionPressureTransitionPeriod: 0s
fileCheckFrequency: 0s
healthzBindAddress: 127.0.0.1
healthzPort: 10248
httpCheckFrequency: 0s
imageMaximumGCAge: 0s
imageMinimumGCAge: 0s
kind: KubeletConfiguration
logging:
  flushFrequency: 0
  options:
    json:
      infoBufferSize: "0"
    text:
      infoBufferSize: "0"
  verbosity: 0
memorySwap: {}
nodeStatusReportFrequency: 0s
nodeStatusUpdateFrequency: 0s
rotateCertificates: true
runtimeRequestTimeout: 0s
shutdownGracePeriod: 0s
shutdownGracePeriodCriticalPods: 0s
staticPodPath: /etc/kubernetes/manifests
streamingConnectionIdleTimeout: 0s
syncFrequency: 0s
volumeStatsAggPeriod: 0s
`;

/** kube-proxy's KubeProxyConfiguration (iptables mode by default: `mode: ""`). */
const KUBE_PROXY_CONFIGURATION = `apiVersion: kubeproxy.config.k8s.io/v1alpha1
bindAddress: 0.0.0.0
bindAddressHardFail: false
clientConnection:
  acceptContentTypes: ""
  burst: 0
  contentType: ""
  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf
  qps: 0
clusterCIDR: ${POD_SUBNET}
configSyncPeriod: 0s
conntrack:
  maxPerCore: null
  min: null
  tcpBeLiberal: false
  tcpCloseWaitTimeout: null
  tcpEstablishedTimeout: null
  udpStreamTimeout: 0s
  udpTimeout: 0s
detectLocal:
  bridgeInterface: ""
  interfaceNamePrefix: ""
detectLocalMode: ""
enableProfiling: false
healthzBindAddress: ""
hostnameOverride: ""
iptables:
  localhostNodePorts: null
  masqueradeAll: false
  masqueradeBit: null
  minSyncPeriod: 0s
  syncPeriod: 0s
ipvs:
  excludeCIDRs: null
  minSyncPeriod: 0s
  scheduler: ""
  strictARP: false
  syncPeriod: 0s
  tcpFinTimeout: 0s
  tcpTimeout: 0s
  udpTimeout: 0s
kind: KubeProxyConfiguration
logging:
  flushFrequency: 0
  options:
    json:
      infoBufferSize: "0"
    text:
      infoBufferSize: "0"
  verbosity: 0
metricsBindAddress: ""
mode: ""
nftables:
  masqueradeAll: false
  masqueradeBit: null
  minSyncPeriod: 0s
  syncPeriod: 0s
nodePortAddresses: null
oomScoreAdj: null
portRange: ""
showHiddenMetricsForVersion: ""
winkernel:
  enableDSR: false
  forwardHealthCheckVip: false
  networkName: ""
  rootHnsEndpointName: ""
  sourceVip: ""
`;

/** How kube-proxy reaches the API server: its ServiceAccount's token and CA. */
const kubeProxyKubeconfig = (server: string): string => `apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt
    server: ${server}
  name: default
contexts:
- context:
    cluster: default
    namespace: default
    user: default
  name: default
current-context: default
users:
- name: default
  user:
    tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token
`;

/** The public kubeconfig joining nodes start from (the CA and the API server's address, no credentials). */
const clusterInfoKubeconfig = (server: string): string => `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: ${Buffer.from(ROOT_CA_PEM).toString("base64")}
    server: ${server}
  name: ""
contexts: null
current-context: ""
kind: Config
preferences: {}
users: null
`;

/** kubeadm marks the component configs it wrote with their hash (so upgrades can tell a user's edits). */
function componentConfigHash(data: Record<string, string>): Record<string, string> {
  const hash = createHash("sha256");
  for (const key of Object.keys(data).sort()) hash.update(data[key] ?? "");
  return { "kubeadm.kubernetes.io/component-config.hash": `sha256:${hash.digest("hex")}` };
}

const configMap = (name: string, data: Record<string, string>, metadata: KObject["metadata"] = {}): KObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { ...metadata, name }, data });

/**
 * kube-system's and kube-public's objects from `kubeadm init` and the
 * controller manager's first start (see the file comment). Idempotent: a
 * cluster restored from an older snapshot gets what it lacks.
 */
export function seedKubeadmObjects(service: ResourceService, registry: Registry, controlPlane: NodeConfig, nowMs: number, seed: string): void {
  const server = `https://${controlPlane.internalIP}:6443`;
  const accounts = find(registry, "", "serviceaccounts");
  for (const name of KUBE_SYSTEM_SERVICE_ACCOUNTS) createIfMissing(service, accounts, "kube-system", { apiVersion: "v1", kind: "ServiceAccount", metadata: { name } });

  const configMaps = find(registry, "", "configmaps");
  const kubelet = { kubelet: KUBELET_CONFIGURATION };
  const proxy = { "config.conf": KUBE_PROXY_CONFIGURATION, "kubeconfig.conf": kubeProxyKubeconfig(server) };
  for (const object of [
    configMap("coredns", { Corefile: COREFILE }),
    configMap("kube-proxy", proxy, { labels: { app: "kube-proxy" }, annotations: componentConfigHash(proxy) }),
    configMap("kubeadm-config", { ClusterConfiguration: CLUSTER_CONFIGURATION }),
    configMap("kubelet-config", kubelet, { annotations: componentConfigHash(kubelet) }),
    configMap("extension-apiserver-authentication", {
      "client-ca-file": ROOT_CA_PEM,
      "requestheader-allowed-names": '["front-proxy-client"]',
      "requestheader-client-ca-file": pem("CERTIFICATE", `${seed}/front-proxy-ca.crt`, 780),
      "requestheader-extra-headers-prefix": '["X-Remote-Extra-"]',
      "requestheader-group-headers": '["X-Remote-Group"]',
      "requestheader-username-headers": '["X-Remote-User"]',
    }),
    // Since when the API server has tracked use of legacy ServiceAccount token Secrets (a date).
    configMap("kube-apiserver-legacy-service-account-token-tracking", { since: new Date(nowMs).toISOString().slice(0, 10) }),
  ]) {
    createIfMissing(service, configMaps, "kube-system", object);
  }
  createIfMissing(service, configMaps, "kube-public", configMap("cluster-info", { kubeconfig: clusterInfoKubeconfig(server) }));

  seedShared(service, KUBEADM_POLICY);
}
