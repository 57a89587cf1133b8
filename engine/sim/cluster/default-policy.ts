// The RBAC objects a kubeadm 1.32 cluster starts with: the API server's
// bootstrap policy (cluster-admin, admin/edit/view and their aggregation
// parts, the system:* roles of the components, nodes and discovery, one
// system:controller:* role per controller of the controller manager, the
// leader-locking and authentication-reader Roles in kube-system) and what
// `kubeadm init` adds (the admin's kubeadm:cluster-admins binding, the node
// bootstrap bindings, CoreDNS's and kube-proxy's access).
//
// The objects are the same in every cluster, so they are built once per
// process and every cluster's store shares them (frozen by the store on the
// first write): a seeded ClusterRole costs a fresh metadata object, not a
// copy of its rules. The names are upstream's; the rules are upstream's for
// the roles learners read (cluster-admin, admin, edit, view, system:node,
// system:kube-scheduler, system:basic-user, system:discovery,
// system:public-info-viewer, system:coredns) and a fair summary for the
// controllers' roles.
import { newUid } from "../apiserver/uid";
import type { ResourceService } from "../apiserver/service";
import type { PolicyRule, Subject } from "../apiserver/auth/rbac";
import { GROUP_KUBEADM_CLUSTER_ADMINS } from "../apiserver/auth/user";
import { timestamp } from "../registry";
import type { KObject } from "../types";

const RBAC = "rbac.authorization.k8s.io";
const BOOTSTRAP_LABELS = { "kubernetes.io/bootstrapping": "rbac-defaults" };
const AUTOUPDATE = { "rbac.authorization.kubernetes.io/autoupdate": "true" };

const NODE_BOOTSTRAPPERS = "system:bootstrappers:kubeadm:default-node-token";

const READ = ["get", "list", "watch"];
const WRITE = ["create", "delete", "deletecollection", "patch", "update"];
const ALL = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
const EVENT_WRITES = ["create", "patch", "update"];

function rule(apiGroups: string | string[], resources: string[], verbs: string[], resourceNames?: string[]): PolicyRule {
  return { apiGroups: typeof apiGroups === "string" ? [apiGroups] : apiGroups, resources, verbs, ...(resourceNames ? { resourceNames } : {}) };
}

const urls = (nonResourceURLs: string[], verbs = ["get"]): PolicyRule => ({ nonResourceURLs, verbs });

/** Recording events, in both API groups that serve them. */
const EVENTS = rule(["", "events.k8s.io"], ["events"], EVENT_WRITES);

/** What a role's holder may read of the aggregated roles: namespaced objects, not Secrets or RBAC. */
const AGGREGATE_TO_VIEW: PolicyRule[] = [
  rule("", ["configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods", "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services", "services/status"], READ),
  rule("", ["bindings", "events", "limitranges", "namespaces/status", "pods/log", "pods/status", "replicationcontrollers/status", "resourcequotas", "resourcequotas/status"], READ),
  rule("", ["namespaces"], READ),
  rule("discovery.k8s.io", ["endpointslices"], READ),
  rule("apps", ["controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status", "replicasets", "replicasets/scale", "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status"], READ),
  rule("autoscaling", ["horizontalpodautoscalers", "horizontalpodautoscalers/status"], READ),
  rule("batch", ["cronjobs", "cronjobs/status", "jobs", "jobs/status"], READ),
  rule("policy", ["poddisruptionbudgets", "poddisruptionbudgets/status"], READ),
  rule("networking.k8s.io", ["ingresses", "ingresses/status", "networkpolicies"], READ),
];

/** What editing adds: writing those objects and Secrets, exec, attach, port-forward; still no RBAC. */
const AGGREGATE_TO_EDIT: PolicyRule[] = [
  rule("", ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"], READ),
  rule("", ["serviceaccounts"], ["impersonate"]),
  rule("", ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"], WRITE),
  rule("", ["pods/eviction"], ["create"]),
  rule("", ["configmaps", "events", "persistentvolumeclaims", "replicationcontrollers", "replicationcontrollers/scale", "secrets", "serviceaccounts", "services", "services/proxy"], WRITE),
  rule("", ["serviceaccounts/token"], ["create"]),
  rule("apps", ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets", "replicasets/scale", "statefulsets", "statefulsets/scale"], WRITE),
  rule("autoscaling", ["horizontalpodautoscalers"], WRITE),
  rule("batch", ["cronjobs", "jobs"], WRITE),
  rule("policy", ["poddisruptionbudgets"], WRITE),
  rule("networking.k8s.io", ["ingresses", "networkpolicies"], WRITE),
  rule("discovery.k8s.io", ["endpointslices"], WRITE),
];

/** What admin adds: Roles and RoleBindings inside the namespace, and reviewing access there. */
const AGGREGATE_TO_ADMIN: PolicyRule[] = [rule("authorization.k8s.io", ["localsubjectaccessreviews"], ["create"]), rule(RBAC, ["rolebindings", "roles"], ALL)];

/**
 * `kubectl top` for view/edit/admin holders. The sim serves metrics.k8s.io
 * itself; on a real cluster metrics-server's aggregated-metrics-reader role
 * adds this rule to the three through aggregation.
 */
const METRICS = rule("metrics.k8s.io", ["pods", "nodes"], READ);

// The aggregated roles as the aggregation controller fills them (the roles they select, by name).
const VIEW = [...AGGREGATE_TO_VIEW, METRICS];
const EDIT = [...AGGREGATE_TO_EDIT, ...VIEW];
const ADMIN = [...EDIT, ...AGGREGATE_TO_ADMIN];

const TOKEN_AND_ACCESS_REVIEWS = [rule("authentication.k8s.io", ["tokenreviews"], ["create"]), rule("authorization.k8s.io", ["subjectaccessreviews"], ["create"])];

/** The kubelet's rights (bound to nobody: the Node authorizer grants them per node). */
const NODE: PolicyRule[] = [
  rule("authentication.k8s.io", ["tokenreviews"], ["create"]),
  rule("authorization.k8s.io", ["localsubjectaccessreviews", "subjectaccessreviews"], ["create"]),
  rule("", ["services"], READ),
  rule("", ["nodes"], ["create", ...READ]),
  rule("", ["nodes/status"], ["patch", "update"]),
  rule("", ["nodes"], ["patch", "update"]),
  rule("", ["events"], EVENT_WRITES),
  rule("", ["pods"], READ),
  rule("", ["pods"], ["create", "delete"]),
  rule("", ["pods/status"], ["patch", "update"]),
  rule("", ["pods/eviction"], ["create"]),
  rule("", ["configmaps", "secrets"], READ),
  rule("", ["persistentvolumeclaims", "persistentvolumes"], ["get"]),
  rule("", ["endpoints"], ["get"]),
  rule("certificates.k8s.io", ["certificatesigningrequests"], ["create", ...READ]),
  rule("coordination.k8s.io", ["leases"], ["create", "delete", "get", "patch", "update"]),
  rule("storage.k8s.io", ["volumeattachments"], ["get"]),
  rule("", ["serviceaccounts/token"], ["create"]),
  rule("", ["persistentvolumeclaims/status"], ["get", "patch", "update"]),
  rule("storage.k8s.io", ["csidrivers"], READ),
  rule("storage.k8s.io", ["csinodes"], ["create", "delete", "get", "patch", "update"]),
  rule("node.k8s.io", ["runtimeclasses"], READ),
];

/** The leader-election Lease a component takes: create any, then only its own. */
const leaderLease = (name: string): PolicyRule[] => [rule("coordination.k8s.io", ["leases"], ["create"]), rule("coordination.k8s.io", ["leases"], ["get", "update"], [name])];

const SCHEDULER: PolicyRule[] = [
  EVENTS,
  ...leaderLease("kube-scheduler"),
  rule("", ["nodes"], READ),
  rule("", ["pods"], ["delete", ...READ]),
  rule("", ["bindings", "pods/binding"], ["create"]),
  rule("", ["pods/status"], ["patch", "update"]),
  rule("", ["replicationcontrollers", "services"], READ),
  rule(["apps", "extensions"], ["replicasets"], READ),
  rule("apps", ["statefulsets"], READ),
  rule("policy", ["poddisruptionbudgets"], READ),
  rule("", ["persistentvolumeclaims", "persistentvolumes"], READ),
  ...TOKEN_AND_ACCESS_REVIEWS,
  rule("storage.k8s.io", ["csinodes"], READ),
  rule("", ["namespaces"], READ),
  rule("storage.k8s.io", ["csidrivers"], READ),
  rule("storage.k8s.io", ["csistoragecapacities"], READ),
];

const CONTROLLER_MANAGER: PolicyRule[] = [
  EVENTS,
  ...leaderLease("kube-controller-manager"),
  rule("", ["secrets", "serviceaccounts"], ["create"]),
  rule("", ["secrets"], ["delete"]),
  rule("", ["configmaps", "namespaces", "secrets", "serviceaccounts"], ["get"]),
  rule("", ["secrets", "serviceaccounts"], ["update"]),
  ...TOKEN_AND_ACCESS_REVIEWS,
  rule("*", ["*"], ["list", "watch"]),
  rule("", ["serviceaccounts/token"], ["create"]),
];

const CSR_APPROVERS = ["kube-apiserver-client", "kube-apiserver-client-kubelet", "kubelet-serving", "legacy-unknown"];

interface RoleSeed {
  name: string;
  /** A Role of that namespace; without, a ClusterRole. */
  namespace?: string;
  rules: PolicyRule[];
  labels?: Record<string, string>;
  /** The label that selects the roles it aggregates (admin, edit, view). */
  aggregates?: string;
}

const aggregateLabel = (to: string): Record<string, string> => ({ [`${RBAC}/aggregate-to-${to}`]: "true" });

const BOOTSTRAP_ROLES: RoleSeed[] = [
  { name: "cluster-admin", rules: [rule("*", ["*"], ["*"]), urls(["*"], ["*"])] },
  { name: "admin", rules: ADMIN, aggregates: "admin" },
  { name: "edit", rules: EDIT, labels: aggregateLabel("admin"), aggregates: "edit" },
  { name: "view", rules: VIEW, labels: aggregateLabel("edit"), aggregates: "view" },
  { name: "system:aggregate-to-admin", rules: AGGREGATE_TO_ADMIN, labels: aggregateLabel("admin") },
  { name: "system:aggregate-to-edit", rules: AGGREGATE_TO_EDIT, labels: aggregateLabel("edit") },
  { name: "system:aggregate-to-view", rules: AGGREGATE_TO_VIEW, labels: aggregateLabel("view") },
  { name: "system:auth-delegator", rules: TOKEN_AND_ACCESS_REVIEWS },
  {
    name: "system:basic-user",
    rules: [rule("authorization.k8s.io", ["selfsubjectaccessreviews", "selfsubjectrulesreviews"], ["create"]), rule("authentication.k8s.io", ["selfsubjectreviews"], ["create"])],
  },
  { name: "system:certificates.k8s.io:certificatesigningrequests:nodeclient", rules: [rule("certificates.k8s.io", ["certificatesigningrequests/nodeclient"], ["create"])] },
  { name: "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient", rules: [rule("certificates.k8s.io", ["certificatesigningrequests/selfnodeclient"], ["create"])] },
  ...CSR_APPROVERS.map((signer) => ({ name: `system:certificates.k8s.io:${signer}-approver`, rules: [rule("certificates.k8s.io", ["signers"], ["approve"], [`kubernetes.io/${signer}`])] })),
  { name: "system:discovery", rules: [urls(["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"])] },
  { name: "system:heapster", rules: [rule("", ["events", "namespaces", "nodes", "pods"], READ), rule("apps", ["deployments"], READ)] },
  { name: "system:kube-aggregator", rules: [rule("", ["endpoints", "services"], READ)] },
  { name: "system:kube-controller-manager", rules: CONTROLLER_MANAGER },
  { name: "system:kube-dns", rules: [rule("", ["endpoints", "services"], ["list", "watch"])] },
  { name: "system:kube-scheduler", rules: SCHEDULER },
  { name: "system:kubelet-api-admin", rules: [rule("", ["nodes"], READ), rule("", ["nodes"], ["proxy"]), rule("", ["nodes/log", "nodes/metrics", "nodes/proxy", "nodes/stats"], ["*"])] },
  { name: "system:monitoring", rules: [urls(["/healthz", "/healthz/*", "/livez", "/livez/*", "/metrics", "/metrics/slis", "/readyz", "/readyz/*"])] },
  { name: "system:node", rules: NODE },
  { name: "system:node-bootstrapper", rules: [rule("certificates.k8s.io", ["certificatesigningrequests"], ["create", ...READ])] },
  { name: "system:node-problem-detector", rules: [rule("", ["nodes"], ["get"]), rule("", ["nodes/status"], ["patch"]), EVENTS] },
  { name: "system:node-proxier", rules: [rule("", ["endpoints", "services"], ["list", "watch"]), rule("", ["nodes"], READ), EVENTS, rule("discovery.k8s.io", ["endpointslices"], ["list", "watch"])] },
  {
    name: "system:persistent-volume-provisioner",
    rules: [rule("", ["persistentvolumes"], ["create", "delete", ...READ]), rule("", ["persistentvolumeclaims"], ["get", "list", "update", "watch"]), rule("storage.k8s.io", ["storageclasses"], READ), rule("", ["events"], ["watch"]), EVENTS],
  },
  { name: "system:public-info-viewer", rules: [urls(["/healthz", "/livez", "/readyz", "/version", "/version/"])] },
  { name: "system:service-account-issuer-discovery", rules: [urls(["/.well-known/openid-configuration", "/.well-known/openid-configuration/", "/openid/v1/jwks", "/openid/v1/jwks/"])] },
  {
    name: "system:volume-scheduler",
    rules: [rule("", ["persistentvolumes"], ["get", "list", "patch", "update", "watch"]), rule("storage.k8s.io", ["storageclasses"], READ), rule("", ["persistentvolumeclaims"], ["get", "list", "patch", "update", "watch"])],
  },
];

/** Pods a controller makes and removes (its owner's status and finalizers too). */
const podOwner = (group: string, owner: string): PolicyRule[] => [
  rule(group, [owner], ["get", "list", "update", "watch"]),
  rule(group, [`${owner}/status`], ["update"]),
  rule(group, [`${owner}/finalizers`], ["update"]),
  rule("", ["pods"], ["create", "delete", "list", "patch", "watch"]),
  EVENTS,
];

/** The controller manager's controllers (`--use-service-account-credentials`): each runs as ServiceAccount kube-system/<name>. */
const CONTROLLER_ROLES: Record<string, PolicyRule[]> = {
  "attachdetach-controller": [
    rule("", ["persistentvolumeclaims", "persistentvolumes"], READ),
    rule("", ["nodes"], READ),
    rule("", ["nodes/status"], ["patch", "update"]),
    rule("", ["pods"], ["list", "watch"]),
    EVENTS,
    rule("storage.k8s.io", ["volumeattachments"], ["create", "delete", ...READ]),
    rule("storage.k8s.io", ["csidrivers", "csinodes"], READ),
  ],
  "certificate-controller": [
    rule("certificates.k8s.io", ["certificatesigningrequests"], ["delete", ...READ]),
    rule("certificates.k8s.io", ["certificatesigningrequests/approval", "certificatesigningrequests/status"], ["update"]),
    rule("certificates.k8s.io", ["signers"], ["approve"], CSR_APPROVERS.map((s) => `kubernetes.io/${s}`)),
    rule("certificates.k8s.io", ["signers"], ["sign"], ["kubernetes.io/kube-apiserver-client", "kubernetes.io/kube-apiserver-client-kubelet", "kubernetes.io/kubelet-serving", "kubernetes.io/legacy-unknown"]),
    rule("authorization.k8s.io", ["subjectaccessreviews"], ["create"]),
    EVENTS,
  ],
  "clusterrole-aggregation-controller": [rule(RBAC, ["clusterroles"], ["escalate", "get", "list", "patch", "update", "watch"])],
  "cronjob-controller": [
    rule("batch", ["cronjobs"], ["get", "list", "update", "watch"]),
    rule("batch", ["jobs"], ["create", "delete", "get", "list", "patch", "update", "watch"]),
    rule("batch", ["cronjobs/status"], ["update"]),
    rule("batch", ["cronjobs/finalizers"], ["update"]),
    rule("", ["pods"], ["delete", "list"]),
    EVENTS,
  ],
  "daemon-set-controller": [
    rule("apps", ["daemonsets"], READ),
    rule("apps", ["daemonsets/status"], ["update"]),
    rule("apps", ["daemonsets/finalizers"], ["update"]),
    rule("", ["nodes"], ["list", "watch"]),
    rule("", ["pods"], ["create", "delete", "list", "patch", "watch"]),
    rule("", ["pods/binding"], ["create"]),
    rule("apps", ["controllerrevisions"], ["create", "delete", "get", "list", "patch", "update", "watch"]),
    EVENTS,
  ],
  "deployment-controller": [
    rule("apps", ["deployments"], ["get", "list", "update", "watch"]),
    rule("apps", ["deployments/status"], ["update"]),
    rule("apps", ["deployments/finalizers"], ["update"]),
    rule("apps", ["replicasets"], ["create", "delete", "get", "list", "patch", "update", "watch"]),
    rule("", ["pods"], ["get", "list", "update", "watch"]),
    EVENTS,
  ],
  "disruption-controller": [
    rule("apps", ["deployments", "replicasets", "statefulsets"], READ),
    rule("", ["replicationcontrollers"], READ),
    rule("policy", ["poddisruptionbudgets"], READ),
    rule("policy", ["poddisruptionbudgets/status"], ["update"]),
    rule("*", ["*/scale"], ["get"]),
    EVENTS,
  ],
  "endpoint-controller": [rule("", ["pods", "services"], READ), rule("", ["endpoints"], ["create", "delete", "get", "list", "update"]), rule("", ["endpoints/restricted"], ["create"]), EVENTS],
  "endpointslice-controller": [rule("", ["nodes", "pods", "services"], READ), rule("discovery.k8s.io", ["endpointslices"], ["create", "delete", "get", "list", "update"]), EVENTS],
  "endpointslicemirroring-controller": [rule("", ["endpoints", "services"], READ), rule("discovery.k8s.io", ["endpointslices"], ["create", "delete", "get", "list", "update"]), EVENTS],
  "ephemeral-volume-controller": [rule("", ["pods"], READ), rule("", ["pods/finalizers"], ["update"]), rule("", ["persistentvolumeclaims"], ["create", ...READ]), EVENTS],
  "expand-controller": [
    rule("", ["persistentvolumes"], ["get", "list", "patch", "update", "watch"]),
    rule("", ["persistentvolumeclaims/status"], ["patch", "update"]),
    rule("", ["persistentvolumeclaims"], READ),
    rule("storage.k8s.io", ["storageclasses"], READ),
    rule("", ["endpoints", "services"], ["get"]),
    rule("", ["secrets"], ["get"]),
    EVENTS,
  ],
  "generic-garbage-collector": [rule("*", ["*"], ["delete", "get", "list", "patch", "update", "watch"])],
  "horizontal-pod-autoscaler": [
    rule("autoscaling", ["horizontalpodautoscalers"], READ),
    rule("autoscaling", ["horizontalpodautoscalers/status"], ["update"]),
    rule("*", ["*/scale"], ["get", "update"]),
    rule("", ["pods"], ["list"]),
    rule("metrics.k8s.io", ["pods"], ["list"]),
    rule("custom.metrics.k8s.io", ["*"], ["get", "list"]),
    rule("external.metrics.k8s.io", ["*"], ["get", "list"]),
    EVENTS,
  ],
  "job-controller": [
    rule("batch", ["jobs"], ["get", "list", "patch", "update", "watch"]),
    rule("batch", ["jobs/status"], ["update"]),
    rule("batch", ["jobs/finalizers"], ["update"]),
    rule("", ["pods"], ["create", "delete", "list", "patch", "watch"]),
    EVENTS,
  ],
  "legacy-service-account-token-cleaner": [rule("", ["configmaps"], ["get"], ["kube-apiserver-legacy-service-account-token-tracking"]), rule("", ["secrets"], ["delete", "patch"])],
  "namespace-controller": [rule("", ["namespaces"], ["delete", ...READ]), rule("", ["namespaces/finalize", "namespaces/status"], ["update"]), rule("*", ["*"], ["delete", "deletecollection", "get", "list"])],
  "node-controller": [
    rule("", ["nodes"], ["delete", "get", "list", "patch", "update"]),
    rule("", ["nodes/status"], ["patch", "update"]),
    rule("", ["pods/status"], ["patch", "update"]),
    rule("", ["pods"], ["delete", "list"]),
    rule("", ["pods"], ["get"]),
    EVENTS,
  ],
  "persistent-volume-binder": [
    rule("", ["persistentvolumes"], ["create", "delete", "get", "list", "update", "watch"]),
    rule("", ["persistentvolumes/status"], ["update"]),
    rule("", ["persistentvolumeclaims"], ["get", "list", "update", "watch"]),
    rule("", ["persistentvolumeclaims/status"], ["update"]),
    rule("", ["pods"], ["create", "delete", ...READ]),
    rule("storage.k8s.io", ["storageclasses"], READ),
    rule("", ["endpoints", "services"], ["create", "delete", "get"]),
    rule("", ["secrets"], ["get"]),
    rule("", ["nodes"], ["get", "list"]),
    EVENTS,
  ],
  "pod-garbage-collector": [rule("", ["pods"], ["delete", "list", "watch"]), rule("", ["nodes"], READ), rule("", ["pods/status"], ["patch"])],
  "pv-protection-controller": [rule("", ["persistentvolumes"], ["get", "list", "update", "watch"])],
  "pvc-protection-controller": [rule("", ["persistentvolumeclaims"], ["get", "list", "update", "watch"]), rule("", ["pods"], READ)],
  "replicaset-controller": podOwner("apps", "replicasets"),
  "replication-controller": podOwner("", "replicationcontrollers"),
  "resourcequota-controller": [rule("*", ["*"], ["list", "watch"]), rule("", ["resourcequotas/status"], ["update"]), EVENTS],
  "root-ca-cert-publisher": [rule("", ["configmaps"], ["create", "update"]), EVENTS],
  "route-controller": [rule("", ["nodes"], ["list", "watch"]), rule("", ["nodes/status"], ["patch"]), EVENTS],
  "service-account-controller": [rule("", ["serviceaccounts"], ["create"]), EVENTS],
  "service-controller": [rule("", ["services"], READ), rule("", ["services/status"], ["patch", "update"]), rule("", ["nodes"], ["list", "watch"]), EVENTS],
  "statefulset-controller": [
    rule("", ["pods"], ["list", "watch"]),
    rule("apps", ["statefulsets"], READ),
    rule("apps", ["statefulsets/status"], ["update"]),
    rule("apps", ["statefulsets/finalizers"], ["update"]),
    rule("", ["pods"], ["create", "delete", "get", "patch", "update"]),
    rule("apps", ["controllerrevisions"], ["create", "delete", "get", "list", "patch", "update", "watch"]),
    rule("", ["persistentvolumeclaims"], ["create", "get"]),
    EVENTS,
  ],
  "ttl-after-finished-controller": [rule("batch", ["jobs"], ["delete", ...READ]), EVENTS],
  "ttl-controller": [rule("", ["nodes"], ["list", "patch", "update", "watch"]), EVENTS],
  "validatingadmissionpolicy-status-controller": [
    rule("admissionregistration.k8s.io", ["validatingadmissionpolicies"], READ),
    rule("admissionregistration.k8s.io", ["validatingadmissionpolicies/status"], ["get", "patch", "update"]),
  ],
};

const group = (name: string): Subject => ({ apiGroup: RBAC, kind: "Group", name });
const user = (name: string): Subject => ({ apiGroup: RBAC, kind: "User", name });
// ServiceAccount subjects carry the empty apiGroup the API server's defaulting gives them.
const serviceAccount = (name: string, namespace = "kube-system"): Subject => ({ kind: "ServiceAccount", name, namespace, apiGroup: "" });

interface BindingSeed {
  name: string;
  role: string;
  subjects: Subject[];
  /** Namespaced bindings: a Role of that namespace (else a ClusterRoleBinding of a ClusterRole). */
  namespace?: string;
}

const BOOTSTRAP_BINDINGS: BindingSeed[] = [
  { name: "cluster-admin", role: "cluster-admin", subjects: [group("system:masters")] },
  { name: "system:basic-user", role: "system:basic-user", subjects: [group("system:authenticated")] },
  { name: "system:discovery", role: "system:discovery", subjects: [group("system:authenticated")] },
  { name: "system:kube-controller-manager", role: "system:kube-controller-manager", subjects: [user("system:kube-controller-manager")] },
  { name: "system:kube-dns", role: "system:kube-dns", subjects: [serviceAccount("kube-dns")] },
  { name: "system:kube-scheduler", role: "system:kube-scheduler", subjects: [user("system:kube-scheduler")] },
  { name: "system:monitoring", role: "system:monitoring", subjects: [group("system:monitoring")] },
  { name: "system:node", role: "system:node", subjects: [] },
  { name: "system:node-proxier", role: "system:node-proxier", subjects: [user("system:kube-proxy")] },
  { name: "system:public-info-viewer", role: "system:public-info-viewer", subjects: [group("system:authenticated"), group("system:unauthenticated")] },
  { name: "system:service-account-issuer-discovery", role: "system:service-account-issuer-discovery", subjects: [group("system:serviceaccounts")] },
  { name: "system:volume-scheduler", role: "system:volume-scheduler", subjects: [user("system:kube-scheduler")] },
  ...Object.keys(CONTROLLER_ROLES).map((name) => ({ name: `system:controller:${name}`, role: `system:controller:${name}`, subjects: [serviceAccount(name)] })),
];

const configMapGet = (name: string): PolicyRule[] => [rule("", ["configmaps"], ["get"], [name])];

/** The API server's Roles in kube-system and kube-public (leader locks, the authentication ConfigMap, bootstrap tokens). */
const BOOTSTRAP_NAMESPACED_ROLES: RoleSeed[] = [
  { namespace: "kube-public", name: "system:controller:bootstrap-signer", rules: [rule("", ["configmaps"], READ), rule("", ["configmaps"], ["update"], ["cluster-info"]), EVENTS] },
  { namespace: "kube-system", name: "extension-apiserver-authentication-reader", rules: [rule("", ["configmaps"], READ, ["extension-apiserver-authentication"])] },
  ...["kube-controller-manager", "kube-scheduler"].map((component) => ({
    namespace: "kube-system",
    name: `system::leader-locking-${component}`,
    rules: [rule("", ["configmaps"], ["watch"]), rule("", ["configmaps"], ["get", "update"], [component])],
  })),
  { namespace: "kube-system", name: "system:controller:bootstrap-signer", rules: [rule("", ["secrets"], READ)] },
  { namespace: "kube-system", name: "system:controller:cloud-provider", rules: [rule("", ["configmaps"], ["create", "get", "list", "watch"])] },
  { namespace: "kube-system", name: "system:controller:token-cleaner", rules: [rule("", ["secrets"], ["delete", ...READ]), EVENTS] },
];

const BOOTSTRAP_NAMESPACED_BINDINGS: BindingSeed[] = [
  { namespace: "kube-public", name: "system:controller:bootstrap-signer", role: "system:controller:bootstrap-signer", subjects: [serviceAccount("bootstrap-signer")] },
  { namespace: "kube-system", name: "system::extension-apiserver-authentication-reader", role: "extension-apiserver-authentication-reader", subjects: [user("system:kube-controller-manager"), user("system:kube-scheduler")] },
  ...["kube-controller-manager", "kube-scheduler"].map((component) => ({
    namespace: "kube-system",
    name: `system::leader-locking-${component}`,
    role: `system::leader-locking-${component}`,
    subjects: [user(`system:${component}`), serviceAccount(component)],
  })),
  { namespace: "kube-system", name: "system:controller:bootstrap-signer", role: "system:controller:bootstrap-signer", subjects: [serviceAccount("bootstrap-signer")] },
  { namespace: "kube-system", name: "system:controller:cloud-provider", role: "system:controller:cloud-provider", subjects: [serviceAccount("cloud-provider")] },
  { namespace: "kube-system", name: "system:controller:token-cleaner", role: "system:controller:token-cleaner", subjects: [serviceAccount("token-cleaner")] },
];

/** What `kubeadm init` adds: the admin's group, node bootstrap and certificate rotation, CoreDNS's and kube-proxy's access. */
const KUBEADM_ROLES: RoleSeed[] = [
  { name: "kubeadm:get-nodes", rules: [rule("", ["nodes"], ["get"])] },
  { name: "system:coredns", rules: [rule("", ["endpoints", "services", "pods", "namespaces"], ["list", "watch"]), rule("discovery.k8s.io", ["endpointslices"], ["list", "watch"])] },
  { namespace: "kube-public", name: "kubeadm:bootstrap-signer-clusterinfo", rules: configMapGet("cluster-info") },
  { namespace: "kube-system", name: "kube-proxy", rules: configMapGet("kube-proxy") },
  { namespace: "kube-system", name: "kubeadm:kubelet-config", rules: configMapGet("kubelet-config") },
  { namespace: "kube-system", name: "kubeadm:nodes-kubeadm-config", rules: configMapGet("kubeadm-config") },
];

const KUBEADM_BINDINGS: BindingSeed[] = [
  { name: GROUP_KUBEADM_CLUSTER_ADMINS, role: "cluster-admin", subjects: [group(GROUP_KUBEADM_CLUSTER_ADMINS)] },
  { name: "kubeadm:get-nodes", role: "kubeadm:get-nodes", subjects: [group(NODE_BOOTSTRAPPERS)] },
  { name: "kubeadm:kubelet-bootstrap", role: "system:node-bootstrapper", subjects: [group(NODE_BOOTSTRAPPERS)] },
  { name: "kubeadm:node-autoapprove-bootstrap", role: "system:certificates.k8s.io:certificatesigningrequests:nodeclient", subjects: [group(NODE_BOOTSTRAPPERS)] },
  { name: "kubeadm:node-autoapprove-certificate-rotation", role: "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient", subjects: [group("system:nodes")] },
  { name: "kubeadm:node-proxier", role: "system:node-proxier", subjects: [serviceAccount("kube-proxy")] },
  { name: "system:coredns", role: "system:coredns", subjects: [serviceAccount("coredns")] },
  { namespace: "kube-public", name: "kubeadm:bootstrap-signer-clusterinfo", role: "kubeadm:bootstrap-signer-clusterinfo", subjects: [user("system:anonymous")] },
  { namespace: "kube-system", name: "kube-proxy", role: "kube-proxy", subjects: [group(NODE_BOOTSTRAPPERS)] },
  { namespace: "kube-system", name: "kubeadm:kubelet-config", role: "kubeadm:kubelet-config", subjects: [group("system:nodes"), group(NODE_BOOTSTRAPPERS)] },
  { namespace: "kube-system", name: "kubeadm:nodes-kubeadm-config", role: "kubeadm:nodes-kubeadm-config", subjects: [group(NODE_BOOTSTRAPPERS), group("system:nodes")] },
];

type PolicyPlural = "clusterroles" | "clusterrolebindings" | "roles" | "rolebindings";

/** One object to seed, its body shared by every cluster (without uid, creationTimestamp and resourceVersion). */
export interface SeedObject {
  plural: PolicyPlural;
  namespace?: string;
  body: KObject;
}

function roleObject(role: RoleSeed, bootstrap: boolean): SeedObject {
  const labels = bootstrap ? { ...BOOTSTRAP_LABELS, ...role.labels } : role.labels;
  const metadata = { name: role.name, ...(role.namespace ? { namespace: role.namespace } : {}), ...(labels ? { labels } : {}), ...(bootstrap ? { annotations: AUTOUPDATE } : {}) };
  const kind = role.namespace ? "Role" : "ClusterRole";
  const aggregationRule = role.aggregates ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: aggregateLabel(role.aggregates) }] } } : {};
  return {
    plural: role.namespace ? "roles" : "clusterroles",
    ...(role.namespace ? { namespace: role.namespace } : {}),
    body: { apiVersion: `${RBAC}/v1`, kind, metadata, ...aggregationRule, rules: role.rules },
  };
}

function bindingObject(binding: BindingSeed, bootstrap: boolean): SeedObject {
  const metadata = {
    name: binding.name,
    ...(binding.namespace ? { namespace: binding.namespace } : {}),
    ...(bootstrap ? { labels: BOOTSTRAP_LABELS, annotations: AUTOUPDATE } : {}),
  };
  const kind = binding.namespace ? "RoleBinding" : "ClusterRoleBinding";
  // A namespaced kubeadm/bootstrap binding grants a Role of its namespace; a cluster one, a ClusterRole.
  const roleRef = { apiGroup: RBAC, kind: binding.namespace ? "Role" : "ClusterRole", name: binding.role };
  const { subjects } = binding;
  return {
    plural: binding.namespace ? "rolebindings" : "clusterrolebindings",
    ...(binding.namespace ? { namespace: binding.namespace } : {}),
    body: { apiVersion: `${RBAC}/v1`, kind, metadata, roleRef, ...(subjects.length ? { subjects } : {}) },
  };
}

/** The API server's bootstrap policy, built once per process (the store freezes it on the first cluster's write). */
export const BOOTSTRAP_POLICY: readonly SeedObject[] = [
  ...BOOTSTRAP_ROLES.map((r) => roleObject(r, true)),
  ...Object.entries(CONTROLLER_ROLES).map(([name, rules]) => roleObject({ name: `system:controller:${name}`, rules }, true)),
  ...BOOTSTRAP_BINDINGS.map((b) => bindingObject(b, true)),
  ...BOOTSTRAP_NAMESPACED_ROLES.map((r) => roleObject(r, true)),
  ...BOOTSTRAP_NAMESPACED_BINDINGS.map((b) => bindingObject(b, true)),
];

/** kubeadm's RBAC objects, built once per process. */
export const KUBEADM_POLICY: readonly SeedObject[] = [...KUBEADM_ROLES.map((r) => roleObject(r, false)), ...KUBEADM_BINDINGS.map((b) => bindingObject(b, false))];

/**
 * Store each of `objects` the cluster lacks, sharing its frozen body (only
 * the metadata is new: uid, creationTimestamp; the store adds the
 * resourceVersion). Idempotent: a restored cluster gets what its snapshot
 * lacks and keeps what the learner changed. Namespaced objects wait for
 * their namespace (a deleted kube-public gets none).
 */
export function seedShared(service: ResourceService, objects: readonly SeedObject[]): void {
  const { registry, store } = service;
  const namespaces = registry.find("", "v1", "namespaces");
  const created = timestamp(service.clock.now());
  for (const { plural, namespace, body } of objects) {
    const type = registry.find(RBAC, "v1", plural);
    if (!type) continue;
    const key = registry.key(type, namespace, body.metadata.name);
    if (store.get(key)) continue;
    if (namespace) {
      const ns = namespaces && service.find(namespaces, undefined, namespace);
      if (!ns || ns.metadata.deletionTimestamp) continue;
    }
    // The store keeps the parts it is given: every cluster's object shares `body`'s (frozen on the first write).
    store.create(key, { ...body, metadata: { ...body.metadata, uid: newUid(), creationTimestamp: created } });
  }
}
