// core/v1 kinds other than Pod: Service, Endpoints, Namespace, ConfigMap,
// Secret, ServiceAccount, Node, Event, ResourceQuota, PodTemplate, Binding,
// ComponentStatus and their parts; coordination.k8s.io/v1 Lease.
import { bool, bytes, enumOf, field, int32, intOrString, list, mapOf, metaRef, microTime, pkg, quantity, str, time } from "./dsl";

const core = pkg("io.k8s.api.core.v1");
const coordination = pkg("io.k8s.api.coordination.v1");

const CONDITION_STATUS = enumOf("False", "True", "Unknown");
const atomic = { listType: "atomic" } as const;
const v1 = { group: "", version: "v1" };

export const serviceSchema = core.kind("Service", v1, "A stable name and virtual address for a set of pods chosen by labels; traffic to it is spread over the ready ones.", {
  metadata: field(1, metaRef("ObjectMeta"), "Name, namespace, labels and other metadata of the service. The name becomes its DNS name."),
  spec: field(2, core.ref("ServiceSpec"), "Which pods, which ports, and how the service is exposed."),
  status: field(3, core.ref("ServiceStatus"), "The load balancer's state, for type LoadBalancer. Read-only."),
});

core.object("ServiceSpec", "How a service selects pods and exposes them.", {
  ports: field(1, list(core.ref("ServicePort"), { mergeKey: "port", strategy: "merge", listType: "map", mapKeys: ["port", "protocol"] }), "The ports the service listens on and where each one sends traffic."),
  selector: field(2, mapOf(str), "Pods with all these labels receive the traffic. Without a selector, endpoints are managed by hand."),
  clusterIP: field(3, str, "The virtual address inside the cluster; allocated when empty, None for a headless service (DNS returns the pod addresses). Cannot be changed."),
  clusterIPs: field(18, list(str, atomic), "The cluster addresses, one per IP family; the first equals clusterIP."),
  type: field(4, enumOf("ClusterIP", "ExternalName", "LoadBalancer", "NodePort"), "ClusterIP (the default: reachable inside the cluster), NodePort (also on a port of every node), LoadBalancer (also through an external load balancer) or ExternalName (a DNS alias).", { default: "ClusterIP" }),
  externalIPs: field(5, list(str, atomic), "Extra addresses, routed to a node by someone else, on which the service also answers."),
  sessionAffinity: field(7, enumOf("ClientIP", "None"), "ClientIP sends each client to the same pod; None (the default) does not.", { default: "None" }),
  loadBalancerIP: field(8, str, "Deprecated: address wished for from the load balancer."),
  loadBalancerSourceRanges: field(9, list(str, atomic), "Client address ranges the load balancer accepts."),
  externalName: field(10, str, "For type ExternalName: the DNS name the service is an alias of."),
  externalTrafficPolicy: field(11, enumOf("Cluster", "Local"), "For node ports and load balancers: Cluster spreads over all pods; Local only uses pods on the receiving node and keeps the client address."),
  healthCheckNodePort: field(12, int32, "Node port that reports whether a node has local pods, for Local traffic policy."),
  publishNotReadyAddresses: field(13, bool, "Include pods that are not ready in DNS and endpoints."),
  sessionAffinityConfig: field(14, core.ref("SessionAffinityConfig"), "Settings of session affinity."),
  ipFamilies: field(19, list(enumOf("IPv4", "IPv6"), atomic), "IP families of the service's addresses."),
  ipFamilyPolicy: field(17, enumOf("PreferDualStack", "RequireDualStack", "SingleStack"), "SingleStack, PreferDualStack or RequireDualStack.", { ptr: true }),
  allocateLoadBalancerNodePorts: field(20, bool, "Whether a LoadBalancer service also gets node ports. Defaults to true.", { ptr: true }),
  loadBalancerClass: field(21, str, "Which load balancer implementation handles the service.", { ptr: true }),
  internalTrafficPolicy: field(22, enumOf("Cluster", "Local"), "For traffic from inside the cluster: Cluster (all pods) or Local (pods on the same node).", { ptr: true }),
});

core.object("ServicePort", "One port of a service.", {
  name: field(1, str, "Name of the port; required when there are several. Used in SRV records and by Ingresses."),
  protocol: field(2, enumOf("SCTP", "TCP", "UDP"), "TCP (the default), UDP or SCTP.", { default: "TCP" }),
  appProtocol: field(6, str, "The application protocol, e.g. http or kubernetes.io/h2c.", { ptr: true }),
  port: field(3, int32, "The port the service listens on.", { required: true }),
  targetPort: field(4, intOrString, "The pods' port: a number, or the name of a container port. Defaults to port."),
  nodePort: field(5, int32, "For NodePort and LoadBalancer: the port on every node (30000-32767); allocated when empty."),
});

core.object("SessionAffinityConfig", "Session affinity settings.", {
  clientIP: field(1, core.ref("ClientIPConfig"), "Settings of ClientIP affinity."),
});

core.object("ClientIPConfig", "ClientIP affinity settings.", {
  timeoutSeconds: field(1, int32, "How long a client sticks to its pod; defaults to 10800 (3 hours).", { ptr: true }),
});

core.object("ServiceStatus", "The observed state of a service.", {
  loadBalancer: field(1, core.ref("LoadBalancerStatus"), "The external load balancer's addresses, once provisioned."),
});

core.object("LoadBalancerStatus", "Addresses of a load balancer.", {
  ingress: field(1, list(core.ref("LoadBalancerIngress"), atomic), "Its addresses."),
});

core.object("LoadBalancerIngress", "One load balancer address.", {
  ip: field(1, str, "An IP address."),
  hostname: field(2, str, "A DNS name."),
  ipMode: field(3, enumOf("Proxy", "VIP"), "How traffic arrives: VIP (to the address) or Proxy (through the balancer).", { ptr: true }),
});

export const namespaceSchema = core.kind("Namespace", v1, "A named scope for objects: names must be unique within a namespace, and quotas and access rules apply per namespace.", {
  metadata: field(1, metaRef("ObjectMeta"), "Name and labels of the namespace."),
  spec: field(2, core.ref("NamespaceSpec"), "The namespace's finalizers."),
  status: field(3, core.ref("NamespaceStatus"), "Active, or Terminating while its contents are deleted. Read-only."),
});

core.object("NamespaceSpec", "Desired state of a namespace.", {
  finalizers: field(1, list(str, atomic), "Cleanup that must happen before the namespace disappears; kubernetes means deleting its contents."),
});

core.object("NamespaceStatus", "Observed state of a namespace.", {
  phase: field(1, enumOf("Active", "Terminating"), "Active, or Terminating once deletion started."),
  conditions: field(2, list(core.ref("NamespaceCondition"), { mergeKey: "type", strategy: "merge", listType: "map", mapKeys: ["type"] }), "Progress of deleting the namespace."),
});

core.object("NamespaceCondition", "One condition of a namespace.", {
  type: field(1, str, "Which condition (NamespaceContentRemaining, NamespaceFinalizersRemaining, ...).", { required: true }),
  status: field(2, CONDITION_STATUS, "Whether it holds.", { required: true }),
  lastTransitionTime: field(4, time, "When status last changed."),
  reason: field(5, str, "One-word cause."),
  message: field(6, str, "Details for people."),
});

export const configMapSchema = core.kind("ConfigMap", v1, "Configuration as key/value pairs, for pods to read as environment variables or files.", {
  metadata: field(1, metaRef("ObjectMeta"), "Name, namespace and labels of the config map."),
  immutable: field(4, bool, "When true, data can no longer change (the object can still be deleted).", { ptr: true }),
  data: field(2, mapOf(str), "Text values by key. A key is a file name when mounted."),
  binaryData: field(3, mapOf(bytes), "Binary values by key, base64-encoded. Keys must differ from those in data."),
});

export const secretSchema = core.kind("Secret", v1, "Sensitive values (passwords, tokens, keys) for pods to read as environment variables or files. Stored base64-encoded, which is not encryption.", {
  metadata: field(1, metaRef("ObjectMeta"), "Name, namespace and labels of the secret."),
  immutable: field(5, bool, "When true, data can no longer change.", { ptr: true }),
  data: field(2, mapOf(bytes), "Values by key, base64-encoded."),
  stringData: field(4, mapOf(str), "Write-only convenience: plain text values merged into data on write (they win over data). Never returned."),
  type: field(3, str, "What the secret holds, which decides the keys it needs: Opaque (the default, anything), kubernetes.io/tls, kubernetes.io/dockerconfigjson, kubernetes.io/basic-auth, kubernetes.io/service-account-token, ..."),
});

export const serviceAccountSchema = core.kind("ServiceAccount", v1, "An identity for processes in pods, which RBAC rules grant permissions to.", {
  metadata: field(1, metaRef("ObjectMeta"), "Name and namespace of the service account."),
  secrets: field(2, list(core.ref("ObjectReference"), { mergeKey: "name", strategy: "merge", listType: "map", mapKeys: ["name"] }), "Deprecated: long-lived token secrets. Pods get short-lived projected tokens now."),
  imagePullSecrets: field(3, list(core.ref("LocalObjectReference"), atomic), "Registry credentials added to every pod that uses this account."),
  automountServiceAccountToken: field(4, bool, "Whether pods using this account get its token mounted, unless the pod says otherwise.", { ptr: true }),
});

core.object("ObjectReference", "Points at another object, possibly a part of it.", {
  kind: field(1, str, "Kind of the object."),
  namespace: field(2, str, "Namespace of the object."),
  name: field(3, str, "Name of the object."),
  uid: field(4, str, "UID of the object."),
  apiVersion: field(5, str, "API version of the object."),
  resourceVersion: field(6, str, "Version of the object this reference was made for."),
  fieldPath: field(7, str, "A part of the object, e.g. spec.containers{web}."),
});

export const nodeSchema = core.kind("Node", v1, "A machine (real or, here, simulated) that runs pods; its kubelet registers it and reports its state.", {
  metadata: field(1, metaRef("ObjectMeta"), "Name and labels of the node (kubernetes.io/hostname, node-role.kubernetes.io/..., ...)."),
  spec: field(2, core.ref("NodeSpec"), "Scheduling settings of the node: taints, unschedulable, pod address range."),
  status: field(3, core.ref("NodeStatus"), "Capacity, conditions, addresses and versions, as the kubelet reports them. Read-only."),
});

core.object("NodeSpec", "Desired state of a node.", {
  podCIDR: field(1, str, "Address range for the node's pods."),
  podCIDRs: field(7, list(str, { strategy: "merge", listType: "set" }), "Address ranges for the node's pods, one per IP family."),
  providerID: field(3, str, "The cloud provider's id of the machine."),
  unschedulable: field(4, bool, "When true, no new pods are scheduled here (kubectl cordon)."),
  taints: field(5, list(core.ref("Taint"), atomic), "Taints repel pods that do not tolerate them."),
  externalID: field(2, str, "Deprecated."),
});

core.object("Taint", "A mark on a node that keeps pods away unless they tolerate it.", {
  key: field(1, str, "Taint key.", { required: true }),
  value: field(2, str, "Taint value."),
  effect: field(3, enumOf("NoExecute", "NoSchedule", "PreferNoSchedule"), "NoSchedule (no new pods), PreferNoSchedule (avoid if possible) or NoExecute (also evict running pods).", { required: true }),
  timeAdded: field(4, time, "When a NoExecute taint was added.", { ptr: true }),
});

core.object("NodeStatus", "Observed state of a node.", {
  capacity: field(1, mapOf(quantity), "Total resources of the node (cpu, memory, pods, ...)."),
  allocatable: field(2, mapOf(quantity), "Resources available to pods: capacity minus what the system reserves."),
  phase: field(3, enumOf("Pending", "Running", "Terminated"), "Deprecated."),
  conditions: field(4, list(core.ref("NodeCondition"), { mergeKey: "type", strategy: "merge", listType: "map", mapKeys: ["type"] }), "Ready, MemoryPressure, DiskPressure, PIDPressure, NetworkUnavailable."),
  addresses: field(5, list(core.ref("NodeAddress"), { mergeKey: "type", strategy: "merge", listType: "map", mapKeys: ["type"] }), "The node's addresses (InternalIP, Hostname, ...)."),
  daemonEndpoints: field(6, core.ref("NodeDaemonEndpoints"), "Ports of the node's daemons."),
  nodeInfo: field(7, core.ref("NodeSystemInfo"), "Versions of the node's OS, kernel, runtime and kubelet."),
});

core.object("NodeCondition", "One condition of a node.", {
  type: field(1, str, "Which condition (Ready, MemoryPressure, ...).", { required: true }),
  status: field(2, CONDITION_STATUS, "Whether it holds; Unknown when the kubelet stopped reporting.", { required: true }),
  lastHeartbeatTime: field(3, time, "When the kubelet last confirmed it."),
  lastTransitionTime: field(4, time, "When status last changed."),
  reason: field(5, str, "One-word cause."),
  message: field(6, str, "Details for people."),
});

core.object("NodeAddress", "One address of a node.", {
  type: field(1, enumOf("ExternalDNS", "ExternalIP", "Hostname", "InternalDNS", "InternalIP"), "Kind of address.", { required: true }),
  address: field(2, str, "The address.", { required: true }),
});

core.object("NodeDaemonEndpoints", "Ports of a node's daemons.", {
  kubeletEndpoint: field(1, core.ref("DaemonEndpoint"), "The kubelet's port."),
});

core.object("DaemonEndpoint", "A daemon's port.", {
  Port: field(1, int32, "Port number.", { required: true }),
});

core.object("NodeSystemInfo", "Software versions and ids of a node.", {
  machineID: field(1, str, "The machine id.", { required: true }),
  systemUUID: field(2, str, "The system UUID.", { required: true }),
  bootID: field(3, str, "Changes on every reboot.", { required: true }),
  kernelVersion: field(4, str, "uname -r of the node.", { required: true }),
  osImage: field(5, str, "The OS release, e.g. Ubuntu 22.04.5 LTS.", { required: true }),
  containerRuntimeVersion: field(6, str, "The container runtime and version, e.g. containerd://1.7.24.", { required: true }),
  kubeletVersion: field(7, str, "Version of the kubelet.", { required: true }),
  kubeProxyVersion: field(8, str, "Deprecated.", { required: true }),
  operatingSystem: field(9, str, "linux or windows.", { required: true }),
  architecture: field(10, str, "CPU architecture, e.g. amd64.", { required: true }),
});

export const eventSchema = core.kind("Event", v1, "A report that something happened to an object (scheduled, pulled, started, failed...), as kubectl describe and get events show.", {
  metadata: field(1, metaRef("ObjectMeta"), "Name and namespace of the event."),
  involvedObject: field(2, core.ref("ObjectReference"), "The object the event is about.", { required: true }),
  reason: field(3, str, "Short CamelCase cause, e.g. Scheduled, Pulled, BackOff."),
  message: field(4, str, "What happened, for people."),
  source: field(5, core.ref("EventSource"), "The component (and node) that reported it."),
  firstTimestamp: field(6, time, "When it first happened."),
  lastTimestamp: field(7, time, "When it last happened."),
  count: field(8, int32, "How often it happened."),
  type: field(9, str, "Normal or Warning."),
  eventTime: field(10, microTime, "When it happened, for events from the newer API."),
  series: field(11, core.ref("EventSeries"), "Repeats of the event, for events from the newer API."),
  action: field(12, str, "What the reporter did or failed to do."),
  related: field(13, core.ref("ObjectReference"), "A second object involved."),
  reportingComponent: field(14, str, "The controller that reported it, e.g. kubelet."),
  reportingInstance: field(15, str, "Which instance of it, e.g. the node name."),
});

core.object("EventSource", "Who reported an event.", {
  component: field(1, str, "The component, e.g. kubelet or default-scheduler."),
  host: field(2, str, "The node, for node components."),
});

core.object("EventSeries", "Repeats of an event.", {
  count: field(1, int32, "How many times it happened."),
  lastObservedTime: field(2, microTime, "When it last happened."),
});

export const resourceQuotaSchema = core.kind("ResourceQuota", v1, "Limits on the total resources and object counts of one namespace.", {
  metadata: field(1, metaRef("ObjectMeta"), "Name and namespace of the quota."),
  spec: field(2, core.ref("ResourceQuotaSpec"), "The limits."),
  status: field(3, core.ref("ResourceQuotaStatus"), "The limits and current usage. Read-only."),
});

const QUOTA_SCOPE = enumOf("BestEffort", "CrossNamespacePodAffinity", "NotBestEffort", "NotTerminating", "PriorityClass", "Terminating");

core.object("ResourceQuotaSpec", "The limits of a quota.", {
  hard: field(1, mapOf(quantity), "Most allowed per resource, e.g. pods: 10, requests.cpu: 4, limits.memory: 8Gi, count/deployments.apps: 5."),
  scopes: field(2, list(QUOTA_SCOPE, atomic), "Only count objects in these scopes, e.g. BestEffort, NotTerminating."),
  scopeSelector: field(3, core.ref("ScopeSelector"), "Only count objects matching these scope conditions."),
});

core.object("ScopeSelector", "Scope conditions of a quota.", {
  matchExpressions: field(1, list(core.ref("ScopedResourceSelectorRequirement"), atomic), "The conditions, all of which must hold."),
});

core.object("ScopedResourceSelectorRequirement", "One scope condition.", {
  scopeName: field(1, QUOTA_SCOPE, "The scope.", { required: true }),
  operator: field(2, enumOf("DoesNotExist", "Exists", "In", "NotIn"), "How to compare.", { required: true }),
  values: field(3, list(str, atomic), "Values for In and NotIn."),
});

core.object("ResourceQuotaStatus", "Limits and usage of a quota.", {
  hard: field(1, mapOf(quantity), "The limits in force."),
  used: field(2, mapOf(quantity), "Current usage in the namespace."),
});

export const endpointsSchema = core.kind("Endpoints", v1, "The addresses and ports behind a service, kept by the endpoints controller from the service's selector (or written by hand for a service without one). Newer clients read EndpointSlices instead.", {
  metadata: field(1, metaRef("ObjectMeta"), "Name (the same as its service's), namespace and labels."),
  subsets: field(2, list(core.ref("EndpointSubset"), atomic), "Groups of addresses that share the same ports. Every address in a group serves every port of it."),
});

core.object("EndpointSubset", "Addresses that all serve the same ports.", {
  addresses: field(1, list(core.ref("EndpointAddress"), atomic), "Addresses ready to take traffic."),
  notReadyAddresses: field(2, list(core.ref("EndpointAddress"), atomic), "Addresses of pods that are not ready (yet); load balancing leaves them out."),
  ports: field(3, list(core.ref("EndpointPort"), atomic), "The ports every address serves."),
});

core.object("EndpointAddress", "One address behind a service.", {
  ip: field(1, str, "The pod's (or a hand-written) IP address.", { required: true }),
  hostname: field(3, str, "The pod's hostname, for headless services with a subdomain."),
  nodeName: field(4, str, "The node the address lives on.", { ptr: true }),
  targetRef: field(2, core.ref("ObjectReference"), "The pod the address belongs to."),
});

core.object("EndpointPort", "One port served by the addresses of a subset.", {
  name: field(1, str, "The service port's name; empty when the service has a single unnamed port."),
  port: field(2, int32, "The port number on the addresses (the resolved targetPort).", { required: true }),
  protocol: field(3, enumOf("SCTP", "TCP", "UDP"), "TCP (the default), UDP or SCTP.", { default: "TCP" }),
  appProtocol: field(4, str, "The application protocol, copied from the service port.", { ptr: true }),
});

export const podTemplateSchema = core.kind("PodTemplate", v1, "A stored pod template: a named pod description that tools can copy from. Controllers carry their own templates instead.", {
  metadata: field(1, metaRef("ObjectMeta"), "Name, namespace and labels of the template object."),
  template: field(2, core.ref("PodTemplateSpec"), "The pod it describes."),
});

export const bindingSchema = core.kind("Binding", v1, "Assigns a pod to a node: what the scheduler posts (to bindings, or pods/<name>/binding) once it has chosen. Never stored: the pod's spec.nodeName is set instead.", {
  metadata: field(1, metaRef("ObjectMeta"), "The name (and namespace) of the pod to bind."),
  target: field(2, core.ref("ObjectReference"), "The node to run the pod on (kind Node and its name).", { required: true }),
});

export const componentStatusSchema = core.kind("ComponentStatus", v1, "Deprecated since v1.19: the health of the control plane's scheduler, controller manager and etcd, checked when read. Prefer the components' own /livez and /readyz.", {
  metadata: field(1, metaRef("ObjectMeta"), "The component's name (scheduler, controller-manager, etcd-0)."),
  conditions: field(2, list(core.ref("ComponentCondition"), { mergeKey: "type", strategy: "merge", listType: "map", mapKeys: ["type"] }), "The health checks' results."),
});

core.object("ComponentCondition", "The result of one health check of a component.", {
  type: field(1, str, "Which check: Healthy.", { required: true }),
  status: field(2, CONDITION_STATUS, "True when the component answered healthy, False when it did not, Unknown when it could not be asked.", { required: true }),
  message: field(3, str, "What the component answered."),
  error: field(4, str, "Why the check failed, e.g. the connection error."),
});

export const leaseSchema = coordination.kind("Lease", { group: "coordination.k8s.io", version: "v1" }, "A lock with an expiry: its holder renews it to say it is alive. Kubelets renew one per node (in kube-node-lease) as their heartbeat; leader election uses them too.", {
  metadata: field(1, metaRef("ObjectMeta"), "Name (for node leases: the node's name) and namespace."),
  spec: field(2, coordination.ref("LeaseSpec"), "Who holds the lease and until when."),
});

coordination.object("LeaseSpec", "The state of a lease.", {
  holderIdentity: field(1, str, "Who holds the lease now.", { ptr: true }),
  leaseDurationSeconds: field(2, int32, "How long others wait after the last renewal before they may take the lease over.", { ptr: true }),
  acquireTime: field(3, microTime, "When the current holder took the lease.", { ptr: true }),
  renewTime: field(4, microTime, "When the holder last renewed it.", { ptr: true }),
  leaseTransitions: field(5, int32, "How many times the lease changed hands.", { ptr: true }),
  strategy: field(6, str, "How a new holder is picked under coordinated leader election (alpha).", { ptr: true }),
  preferredHolder: field(7, str, "Who should take the lease over next under coordinated leader election (alpha).", { ptr: true }),
});
