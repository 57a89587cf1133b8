// networking.k8s.io/v1 Ingress and IngressClass, discovery.k8s.io/v1
// EndpointSlice, and policy/v1 (PodDisruptionBudget, Eviction).
import { bool, coreRef, embed, enumOf, field, int32, int64, intOrString, list, mapOf, metaRef, pkg, str, time } from "./dsl";

const networking = pkg("io.k8s.api.networking.v1");
const discovery = pkg("io.k8s.api.discovery.v1");
const policy = pkg("io.k8s.api.policy.v1");

const atomic = { listType: "atomic" } as const;

export const ingressSchema = networking.kind("Ingress", { group: "networking.k8s.io", version: "v1" }, "HTTP routing from outside the cluster to services, by host name and path; an ingress controller does the actual proxying.", {
  metadata: field(1, metaRef("ObjectMeta"), "Name, namespace, labels and annotations (often controller settings) of the ingress."),
  spec: field(2, networking.ref("IngressSpec"), "The routing rules and TLS settings."),
  status: field(3, networking.ref("IngressStatus"), "The addresses the ingress is reachable at. Read-only."),
});

networking.object("IngressSpec", "Routing of an ingress.", {
  ingressClassName: field(4, str, "The IngressClass (controller) that serves this ingress; defaults to the default class.", { ptr: true }),
  defaultBackend: field(1, networking.ref("IngressBackend"), "Where requests go that match no rule."),
  tls: field(2, list(networking.ref("IngressTLS"), atomic), "Host names served over HTTPS and the secrets with their certificates."),
  rules: field(3, list(networking.ref("IngressRule"), atomic), "Host and path rules, checked in order."),
});

networking.object("IngressTLS", "HTTPS for some hosts.", {
  hosts: field(1, list(str, atomic), "Host names the certificate covers."),
  secretName: field(2, str, "A kubernetes.io/tls Secret with the certificate and key."),
});

networking.object("IngressRule", "Paths for one host (or every host).", {
  host: field(1, str, "The host name, e.g. shop.example.com or *.example.com; empty matches every host."),
}, { inline: [embed(2, networking.ref("IngressRuleValue"))] });

networking.object("IngressRuleValue", "The routes of a rule.", {
  http: field(1, networking.ref("HTTPIngressRuleValue"), "HTTP path routes."),
});

networking.object("HTTPIngressRuleValue", "HTTP path routes.", {
  paths: field(1, list(networking.ref("HTTPIngressPath"), atomic), "Paths and their backends.", { required: true }),
});

networking.object("HTTPIngressPath", "One path and where it goes.", {
  path: field(1, str, "The path, starting with /."),
  pathType: field(3, enumOf("Exact", "ImplementationSpecific", "Prefix"), "Exact (the whole path), Prefix (by path segments) or ImplementationSpecific.", { required: true, ptr: true }),
  backend: field(2, networking.ref("IngressBackend"), "Where matching requests go.", { required: true }),
});

networking.object("IngressBackend", "Where requests go; set one of service or resource.", {
  service: field(4, networking.ref("IngressServiceBackend"), "A Service in the ingress's namespace."),
  resource: field(3, coreRef("TypedLocalObjectReference"), "Another kind of object, e.g. a storage bucket."),
});

networking.object("IngressServiceBackend", "A service and port.", {
  name: field(1, str, "Name of the Service.", { required: true }),
  port: field(2, networking.ref("ServiceBackendPort"), "The Service port, by number or name."),
});

networking.object("ServiceBackendPort", "A service port, by number or name (set one).", {
  name: field(1, str, "Name of the port."),
  number: field(2, int32, "Number of the port."),
});

networking.object("IngressStatus", "The observed state of an ingress.", {
  loadBalancer: field(1, networking.ref("IngressLoadBalancerStatus"), "Addresses of the load balancer."),
});

networking.object("IngressLoadBalancerStatus", "Addresses of an ingress's load balancer.", {
  ingress: field(1, list(networking.ref("IngressLoadBalancerIngress"), atomic), "The addresses."),
});

networking.object("IngressLoadBalancerIngress", "One load balancer address.", {
  ip: field(1, str, "An IP address."),
  hostname: field(2, str, "A DNS name."),
  ports: field(4, list(networking.ref("IngressPortStatus"), atomic), "Status of its ports."),
});

networking.object("IngressPortStatus", "Status of one load balancer port.", {
  port: field(1, int32, "The port.", { required: true }),
  protocol: field(2, enumOf("SCTP", "TCP", "UDP"), "Its protocol.", { required: true }),
  error: field(3, str, "A problem with the port.", { ptr: true }),
});

export const ingressClassSchema = networking.kind("IngressClass", { group: "networking.k8s.io", version: "v1" }, "A kind of ingress handling, named by ingresses' spec.ingressClassName: which controller serves them and with which settings. The annotation ingressclass.kubernetes.io/is-default-class marks the default.", {
  metadata: field(1, metaRef("ObjectMeta"), "Name and annotations of the class (ingress classes are not namespaced)."),
  spec: field(2, networking.ref("IngressClassSpec"), "The controller and its settings."),
});

networking.object("IngressClassSpec", "What serves the ingresses of a class.", {
  controller: field(1, str, "Name of the controller, e.g. k8s.io/ingress-nginx. Cannot be changed."),
  parameters: field(2, networking.ref("IngressClassParametersReference"), "An object holding the controller's settings for this class."),
});

networking.object("IngressClassParametersReference", "Points at the object with a class's settings.", {
  apiGroup: field(1, str, "API group of the object; empty for the core group.", { ptr: true }),
  kind: field(2, str, "Kind of the object.", { required: true }),
  name: field(3, str, "Name of the object.", { required: true }),
  scope: field(4, enumOf("Cluster", "Namespace"), "Cluster (the default) or Namespace, for a namespaced object.", { ptr: true }),
  namespace: field(5, str, "Namespace of the object, when scope is Namespace.", { ptr: true }),
});

export const endpointSliceSchema = discovery.kind("EndpointSlice", { group: "discovery.k8s.io", version: "v1" }, "A share of the endpoints behind a service (at most 100 per slice), with their readiness and location; kube-proxy and DNS read these. The label kubernetes.io/service-name names the service.", {
  metadata: field(1, metaRef("ObjectMeta"), "Name (usually generated from the service's), namespace and labels."),
  addressType: field(4, enumOf("FQDN", "IPv4", "IPv6"), "The kind of address every endpoint of the slice has. Cannot be changed.", { required: true }),
  endpoints: field(2, list(discovery.ref("Endpoint"), atomic), "The endpoints, each one backend (usually a pod).", { required: true }),
  ports: field(3, list(discovery.ref("EndpointPort"), atomic), "The ports every endpoint serves. Empty means none are known yet."),
});

discovery.object("Endpoint", "One backend of a service.", {
  addresses: field(1, list(str, { listType: "set" }), "Its addresses (one, in practice), of the slice's address type.", { required: true }),
  conditions: field(2, discovery.ref("EndpointConditions"), "Whether it is ready, serving and terminating."),
  hostname: field(3, str, "Its hostname, for DNS of headless services.", { ptr: true }),
  targetRef: field(4, coreRef("ObjectReference"), "The pod it is."),
  deprecatedTopology: field(5, mapOf(str), "Deprecated topology labels; use nodeName and zone."),
  nodeName: field(6, str, "The node it runs on.", { ptr: true }),
  zone: field(7, str, "The zone it runs in.", { ptr: true }),
  hints: field(8, discovery.ref("EndpointHints"), "Where traffic to it should preferably come from (topology-aware routing)."),
});

discovery.object("EndpointConditions", "The state of an endpoint.", {
  ready: field(1, bool, "Ready for traffic: serving and not terminating. Absent means ready.", { ptr: true }),
  serving: field(2, bool, "Passing its readiness checks, even while terminating.", { ptr: true }),
  terminating: field(3, bool, "Its pod is being deleted.", { ptr: true }),
});

discovery.object("EndpointHints", "Routing hints of an endpoint.", {
  forZones: field(1, list(discovery.ref("ForZone"), atomic), "Zones whose clients should use this endpoint."),
});

discovery.object("ForZone", "A zone named in routing hints.", {
  name: field(1, str, "The zone.", { required: true }),
});

discovery.object("EndpointPort", "A port every endpoint of a slice serves.", {
  name: field(1, str, "The service port's name; empty for a single unnamed port.", { ptr: true }),
  protocol: field(2, enumOf("SCTP", "TCP", "UDP"), "TCP (the default), UDP or SCTP.", { ptr: true, default: "TCP" }),
  port: field(3, int32, "The port number on the endpoints; absent means every port.", { ptr: true }),
  appProtocol: field(4, str, "The application protocol, copied from the service port.", { ptr: true }),
});

export const podDisruptionBudgetSchema = policy.kind("PodDisruptionBudget", { group: "policy", version: "v1" }, "Limits how many pods of an application voluntary disruptions (kubectl drain, evictions) may take down at once.", {
  metadata: field(1, metaRef("ObjectMeta"), "Name, namespace and labels of the budget."),
  spec: field(2, policy.ref("PodDisruptionBudgetSpec"), "Which pods, and how many must stay (or may go)."),
  status: field(3, policy.ref("PodDisruptionBudgetStatus"), "How many disruptions are allowed right now. Read-only."),
});

policy.object("PodDisruptionBudgetSpec", "The limits of a disruption budget; set one of minAvailable and maxUnavailable.", {
  minAvailable: field(1, intOrString, "Pods (a number or a percentage) that must stay available.", { ptr: true }),
  selector: field(2, metaRef("LabelSelector"), "The pods covered."),
  maxUnavailable: field(3, intOrString, "Pods (a number or a percentage) that may be unavailable.", { ptr: true }),
  unhealthyPodEvictionPolicy: field(4, enumOf("AlwaysAllow", "IfHealthyBudget"), "Whether pods that are not ready may always be evicted.", { ptr: true }),
});

policy.object("PodDisruptionBudgetStatus", "The observed state of a disruption budget.", {
  observedGeneration: field(1, int64, "The generation this status is about."),
  disruptedPods: field(2, mapOf(time), "Pods being evicted, by name, with the time of the eviction."),
  disruptionsAllowed: field(3, int32, "Evictions allowed right now.", { required: true }),
  currentHealthy: field(4, int32, "Healthy pods now.", { required: true }),
  desiredHealthy: field(5, int32, "Healthy pods needed.", { required: true }),
  expectedPods: field(6, int32, "Pods covered.", { required: true }),
  conditions: field(7, list(metaRef("Condition"), { mergeKey: "type", strategy: "merge", listType: "map", mapKeys: ["type"] }), "DisruptionAllowed and others."),
});

export const evictionSchema = policy.kind("Eviction", { group: "policy", version: "v1" }, "Asks to evict a pod while respecting its disruption budgets (POST to pods/<name>/eviction; kubectl drain).", {
  metadata: field(1, metaRef("ObjectMeta"), "Name and namespace of the pod to evict."),
  deleteOptions: field(2, metaRef("DeleteOptions"), "How to delete the pod."),
});
