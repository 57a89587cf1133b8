// What a kubeadm cluster's control plane creates for itself besides pods:
// the bootstrap RBAC policy (cluster-admin, admin, edit, view and the
// system:* roles that let any signed-in user discover the API and ask what it
// may do, and every ServiceAccount read the OIDC discovery documents), a
// default StorageClass (as kind and most courses' clusters have),
// and the `kubernetes` Service's Endpoints and EndpointSlice.
import type { ResourceService } from "../apiserver/service";
import type { PolicyRule } from "../apiserver/auth/rbac";
import type { Registry, ResourceType } from "../registry";
import { DEFAULT_CLASS_ANNOTATION } from "../registry/storage";
import type { KObject } from "../types";

const RBAC = "rbac.authorization.k8s.io";
const BOOTSTRAP_LABELS = { "kubernetes.io/bootstrapping": "rbac-defaults" };
const AUTOUPDATE = { "rbac.authorization.kubernetes.io/autoupdate": "true" };

const READ = ["get", "list", "watch"];
const WRITE = ["create", "delete", "deletecollection", "patch", "update"];

/** What `view` may read: most namespaced objects, but not Secrets or RBAC. */
const VIEW_RULES: PolicyRule[] = [
  { apiGroups: [""], resources: ["configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods", "pods/log", "pods/status", "replicationcontrollers", "replicationcontrollers/scale", "replicationcontrollers/status", "serviceaccounts", "services", "services/status"], verbs: READ },
  { apiGroups: [""], resources: ["bindings", "events", "limitranges", "namespaces/status", "resourcequotas", "resourcequotas/status"], verbs: READ },
  { apiGroups: [""], resources: ["namespaces"], verbs: READ },
  { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: READ },
  { apiGroups: ["apps"], resources: ["controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status", "replicasets", "replicasets/scale", "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status"], verbs: READ },
  { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers", "horizontalpodautoscalers/status"], verbs: READ },
  { apiGroups: ["batch"], resources: ["cronjobs", "cronjobs/status", "jobs", "jobs/status"], verbs: READ },
  { apiGroups: ["networking.k8s.io"], resources: ["ingresses", "ingresses/status", "networkpolicies"], verbs: READ },
  { apiGroups: ["policy"], resources: ["poddisruptionbudgets", "poddisruptionbudgets/status"], verbs: READ },
  { apiGroups: ["metrics.k8s.io"], resources: ["pods", "nodes"], verbs: READ },
];

/** What `edit` adds: writing those objects, Secrets, exec and friends; still no RBAC. */
const EDIT_RULES: PolicyRule[] = [
  { apiGroups: [""], resources: ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"], verbs: READ },
  { apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"] },
  { apiGroups: [""], resources: ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"], verbs: WRITE },
  { apiGroups: [""], resources: ["pods/eviction"], verbs: ["create"] },
  { apiGroups: [""], resources: ["configmaps", "events", "persistentvolumeclaims", "replicationcontrollers", "replicationcontrollers/scale", "secrets", "serviceaccounts", "services", "services/proxy"], verbs: WRITE },
  { apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"] },
  { apiGroups: ["apps"], resources: ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets", "replicasets/scale", "statefulsets", "statefulsets/scale"], verbs: WRITE },
  { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: WRITE },
  { apiGroups: ["batch"], resources: ["cronjobs", "jobs"], verbs: WRITE },
  { apiGroups: ["networking.k8s.io"], resources: ["ingresses", "networkpolicies"], verbs: WRITE },
  { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: WRITE },
  { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: WRITE },
];

/** What `admin` adds: managing Roles and RoleBindings inside the namespace, and reviewing access there. */
const ADMIN_RULES: PolicyRule[] = [
  { apiGroups: ["authorization.k8s.io"], resources: ["localsubjectaccessreviews"], verbs: ["create"] },
  { apiGroups: [RBAC], resources: ["rolebindings", "roles"], verbs: [...WRITE, ...READ] },
];

interface SeedRole {
  name: string;
  rules: PolicyRule[];
  aggregate?: boolean;
}

const CLUSTER_ROLES: SeedRole[] = [
  { name: "cluster-admin", rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }, { nonResourceURLs: ["*"], verbs: ["*"] }] },
  { name: "admin", rules: [...ADMIN_RULES, ...EDIT_RULES, ...VIEW_RULES], aggregate: true },
  { name: "edit", rules: [...EDIT_RULES, ...VIEW_RULES], aggregate: true },
  { name: "view", rules: VIEW_RULES, aggregate: true },
  {
    name: "system:discovery",
    rules: [{ nonResourceURLs: ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"], verbs: ["get"] }],
  },
  {
    name: "system:basic-user",
    rules: [
      { apiGroups: ["authorization.k8s.io"], resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"], verbs: ["create"] },
      { apiGroups: ["authentication.k8s.io"], resources: ["selfsubjectreviews"], verbs: ["create"] },
    ],
  },
  { name: "system:public-info-viewer", rules: [{ nonResourceURLs: ["/healthz", "/livez", "/readyz", "/version", "/version/"], verbs: ["get"] }] },
  {
    // The OIDC discovery documents, so workloads can verify ServiceAccount tokens.
    name: "system:service-account-issuer-discovery",
    rules: [{ nonResourceURLs: ["/.well-known/openid-configuration", "/.well-known/openid-configuration/", "/openid/v1/jwks", "/openid/v1/jwks/"], verbs: ["get"] }],
  },
];

const CLUSTER_ROLE_BINDINGS: { name: string; role: string; groups: string[] }[] = [
  { name: "cluster-admin", role: "cluster-admin", groups: ["system:masters"] },
  { name: "system:discovery", role: "system:discovery", groups: ["system:authenticated"] },
  { name: "system:basic-user", role: "system:basic-user", groups: ["system:authenticated"] },
  { name: "system:public-info-viewer", role: "system:public-info-viewer", groups: ["system:authenticated", "system:unauthenticated"] },
  { name: "system:service-account-issuer-discovery", role: "system:service-account-issuer-discovery", groups: ["system:serviceaccounts"] },
];

function find(registry: Registry, group: string, plural: string): ResourceType | undefined {
  return registry.types.find((t) => t.group === group && t.plural === plural);
}

function createIfMissing(service: ResourceService, type: ResourceType | undefined, namespace: string | undefined, object: KObject): void {
  if (!type || service.find(type, namespace, object.metadata.name ?? "")) return;
  service.create(type, namespace, object);
}

export function seedPolicy(service: ResourceService, registry: Registry): void {
  const roles = find(registry, RBAC, "clusterroles");
  const bindings = find(registry, RBAC, "clusterrolebindings");
  for (const role of CLUSTER_ROLES) {
    const labels = role.aggregate ? { ...BOOTSTRAP_LABELS, [`rbac.authorization.k8s.io/aggregate-to-${role.name}`]: "true" } : BOOTSTRAP_LABELS;
    createIfMissing(service, roles, undefined, {
      apiVersion: `${RBAC}/v1`,
      kind: "ClusterRole",
      metadata: { name: role.name, labels, annotations: AUTOUPDATE },
      rules: role.rules,
    });
  }
  for (const binding of CLUSTER_ROLE_BINDINGS) {
    createIfMissing(service, bindings, undefined, {
      apiVersion: `${RBAC}/v1`,
      kind: "ClusterRoleBinding",
      metadata: { name: binding.name, labels: BOOTSTRAP_LABELS, annotations: AUTOUPDATE },
      roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: binding.role },
      subjects: binding.groups.map((name) => ({ apiGroup: RBAC, kind: "Group", name })),
    });
  }
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
