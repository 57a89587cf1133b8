// The owners of the seeded kube-system pods, as kubeadm leaves them: the
// coredns Deployment and its ReplicaSet `coredns-668d6bf9bc`, the kube-proxy
// DaemonSet, and (for the static pods) the control-plane Node. The pods'
// ownerReferences are pointed at these objects' real uids, so the garbage
// collector sees live owners and leaves the pods alone. Idempotent: it also
// repairs clusters restored from snapshots taken before these were seeded.
import type { ResourceService } from "../apiserver/service";
import { REVISION_HASH, revisionName, templatePatch, type RevisionOwner } from "../controllers/controller-revisions";
import { timestamp, type Registry, type ResourceType } from "../registry";
import type { KObject, OwnerReference } from "../types";
import type { PodTemplate } from "../registry/workload";

const NS = "kube-system";
const COREDNS_HASH = "668d6bf9bc";
const COREDNS_IMAGE = "registry.k8s.io/coredns/coredns:v1.11.3";
const PROXY_IMAGE = "registry.k8s.io/kube-proxy:v1.32.3";

/** The coredns pod template kubeadm installs (with the ReplicaSet's pod-template-hash label when given); the seeded pods are made from it. */
export function corednsTemplate(hash?: string): PodTemplate {
  return {
    metadata: { labels: { "k8s-app": "kube-dns", ...(hash ? { "pod-template-hash": hash } : {}) } },
    spec: {
      containers: [
        {
          name: "coredns",
          image: COREDNS_IMAGE,
          imagePullPolicy: "IfNotPresent",
          args: ["-conf", "/etc/coredns/Corefile"],
          ports: [
            { containerPort: 53, name: "dns", protocol: "UDP" },
            { containerPort: 53, name: "dns-tcp", protocol: "TCP" },
            { containerPort: 9153, name: "metrics", protocol: "TCP" },
          ],
          resources: { limits: { memory: "170Mi" }, requests: { cpu: "100m", memory: "70Mi" } },
          securityContext: { allowPrivilegeEscalation: false, capabilities: { add: ["NET_BIND_SERVICE"], drop: ["ALL"] }, readOnlyRootFilesystem: true },
          volumeMounts: [{ name: "config-volume", mountPath: "/etc/coredns", readOnly: true }],
        },
      ],
      // The Corefile from the coredns ConfigMap (cluster/seed.ts); without it new CoreDNS pods cannot mount their config.
      volumes: [{ name: "config-volume", configMap: { name: "coredns", items: [{ key: "Corefile", path: "Corefile" }] } }],
      dnsPolicy: "Default",
      serviceAccountName: "coredns",
      affinity: {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 100, podAffinityTerm: { labelSelector: { matchExpressions: [{ key: "k8s-app", operator: "In", values: ["kube-dns"] }] }, topologyKey: "kubernetes.io/hostname" } },
          ],
        },
      },
      nodeSelector: { "kubernetes.io/os": "linux" },
      priorityClassName: "system-cluster-critical",
      tolerations: [
        { key: "CriticalAddonsOnly", operator: "Exists" },
        { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" },
      ],
    },
  };
}

/** The kube-proxy DaemonSet's pod template; the seeded pods are made from it. */
export function proxyTemplate(): PodTemplate {
  return {
    metadata: { labels: { "k8s-app": "kube-proxy" } },
    spec: {
      containers: [
        {
          name: "kube-proxy",
          image: PROXY_IMAGE,
          imagePullPolicy: "IfNotPresent",
          command: ["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf", "--hostname-override=$(NODE_NAME)"],
          env: [{ name: "NODE_NAME", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "spec.nodeName" } } }],
          securityContext: { privileged: true },
          volumeMounts: [
            { mountPath: "/var/lib/kube-proxy", name: "kube-proxy" },
            { mountPath: "/run/xtables.lock", name: "xtables-lock" },
            { mountPath: "/lib/modules", name: "lib-modules", readOnly: true },
          ],
        },
      ],
      // Its configuration from the kube-proxy ConfigMap (cluster/seed.ts), the node's iptables lock and kernel modules.
      volumes: [
        { name: "kube-proxy", configMap: { name: "kube-proxy" } },
        { name: "xtables-lock", hostPath: { path: "/run/xtables.lock", type: "FileOrCreate" } },
        { name: "lib-modules", hostPath: { path: "/lib/modules", type: "" } },
      ],
      hostNetwork: true,
      serviceAccountName: "kube-proxy",
      nodeSelector: { "kubernetes.io/os": "linux" },
      priorityClassName: "system-node-critical",
      tolerations: [{ operator: "Exists" }],
    },
  };
}

const apps = (registry: Registry, plural: string): ResourceType => registry.find("apps", "v1", plural) as ResourceType;

function ensure(service: ResourceService, type: ResourceType, body: KObject, status: Record<string, unknown>): KObject {
  const existing = service.find(type, NS, body.metadata.name ?? "");
  if (existing) return existing;
  const created = service.create(type, NS, body);
  return service.update(type, NS, body.metadata.name ?? "", { ...created, status }, { subresource: "status" });
}

/**
 * The DaemonSet's first ControllerRevision, named after the hash its seeded
 * pods carry; only while it has no history and its template is the seeded one
 * (generation 1), else the controller writes the history.
 */
function ensureRevision(service: ResourceService, registry: Registry, ds: RevisionOwner, hash: string): void {
  const type = apps(registry, "controllerrevisions");
  const name = revisionName(ds.metadata.name ?? "", hash);
  if (ds.metadata.generation !== 1 || service.list(type, NS).items.some((r) => r.metadata.ownerReferences?.some((o) => o.uid === ds.metadata.uid))) return;
  service.create(type, NS, {
    apiVersion: "apps/v1",
    kind: "ControllerRevision",
    metadata: {
      name,
      labels: { ...ds.spec?.template?.metadata?.labels, [REVISION_HASH]: hash },
      annotations: { ...ds.metadata.annotations },
      ownerReferences: [{ apiVersion: "apps/v1", kind: "DaemonSet", name: ds.metadata.name ?? "", uid: ds.metadata.uid ?? "", controller: true, blockOwnerDeletion: true }],
    },
    data: templatePatch(ds.spec?.template),
    revision: 1,
  });
}

/** Seed (or repair) the owners of the kube-system pods; call before the garbage collector starts. */
export function seedSystemWorkloads(service: ResourceService, registry: Registry, nowMs: number): void {
  const pods = registry.find("", "v1", "pods") as ResourceType;
  const nodes = registry.find("", "v1", "nodes") as ResourceType;
  const systemPods = service.list(pods, NS).items;
  const owned = (kind: string, name: string): KObject[] => systemPods.filter((p) => p.metadata.ownerReferences?.some((r) => r.kind === kind && r.name === name));
  const owners = new Map<string, KObject>();
  const now = timestamp(nowMs);
  const conditions = [
    { type: "Available", status: "True", lastUpdateTime: now, lastTransitionTime: now, reason: "MinimumReplicasAvailable", message: "Deployment has minimum availability." },
    { type: "Progressing", status: "True", lastUpdateTime: now, lastTransitionTime: now, reason: "NewReplicaSetAvailable", message: `ReplicaSet "coredns-${COREDNS_HASH}" has successfully progressed.` },
  ];

  const dnsPods = owned("ReplicaSet", `coredns-${COREDNS_HASH}`);
  if (dnsPods.length) {
    const n = dnsPods.length;
    const deployment = ensure(
      service,
      apps(registry, "deployments"),
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "coredns", namespace: NS, labels: { "k8s-app": "kube-dns" }, annotations: { "deployment.kubernetes.io/revision": "1" } },
        spec: { replicas: n, selector: { matchLabels: { "k8s-app": "kube-dns" } }, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 1 } }, template: corednsTemplate() },
      },
      { observedGeneration: 1, replicas: n, updatedReplicas: n, readyReplicas: n, availableReplicas: n, conditions },
    );
    const rs = ensure(
      service,
      apps(registry, "replicasets"),
      {
        apiVersion: "apps/v1",
        kind: "ReplicaSet",
        metadata: {
          name: `coredns-${COREDNS_HASH}`,
          namespace: NS,
          labels: { "k8s-app": "kube-dns", "pod-template-hash": COREDNS_HASH },
          annotations: { "deployment.kubernetes.io/desired-replicas": String(n), "deployment.kubernetes.io/max-replicas": String(n + 1), "deployment.kubernetes.io/revision": "1" },
          ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: "coredns", uid: deployment.metadata.uid ?? "", controller: true, blockOwnerDeletion: true }],
        },
        spec: { replicas: n, selector: { matchLabels: { "k8s-app": "kube-dns", "pod-template-hash": COREDNS_HASH } }, template: corednsTemplate(COREDNS_HASH) },
      },
      { observedGeneration: 1, replicas: n, fullyLabeledReplicas: n, readyReplicas: n, availableReplicas: n },
    );
    owners.set(`ReplicaSet/${rs.metadata.name ?? ""}`, rs);
  }

  const proxyPods = owned("DaemonSet", "kube-proxy");
  if (proxyPods.length) {
    const n = service.list(nodes, undefined).items.length;
    const ds = ensure(
      service,
      apps(registry, "daemonsets"),
      {
        apiVersion: "apps/v1",
        kind: "DaemonSet",
        metadata: { name: "kube-proxy", namespace: NS, labels: { "k8s-app": "kube-proxy" }, annotations: { "deprecated.daemonset.template.generation": "1" } },
        spec: { selector: { matchLabels: { "k8s-app": "kube-proxy" } }, template: proxyTemplate() },
      },
      { currentNumberScheduled: n, desiredNumberScheduled: n, numberAvailable: n, numberMisscheduled: 0, numberReady: n, observedGeneration: 1, updatedNumberScheduled: n },
    );
    owners.set("DaemonSet/kube-proxy", ds);
    const hash = proxyPods[0]?.metadata.labels?.[REVISION_HASH];
    if (hash) ensureRevision(service, registry, ds, hash);
  }
  for (const node of service.list(nodes, undefined).items) owners.set(`Node/${node.metadata.name ?? ""}`, node);

  for (const pod of systemPods) {
    const refs = pod.metadata.ownerReferences ?? [];
    const fixed: OwnerReference[] = refs.map((r) => {
      const owner = owners.get(`${r.kind}/${r.name}`);
      return owner?.metadata.uid && owner.metadata.uid !== r.uid ? { ...r, uid: owner.metadata.uid } : r;
    });
    if (fixed.every((r, i) => r === refs[i])) continue;
    service.mutate(pods, NS, pod.metadata.name ?? "", (p) => {
      p.metadata.ownerReferences = fixed;
    });
  }
}
