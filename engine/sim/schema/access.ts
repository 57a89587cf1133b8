// Who may do what: rbac.authorization.k8s.io/v1 roles and bindings,
// authentication.k8s.io/v1 TokenRequest, TokenReview and SelfSubjectReview
// (kubectl create token, auth whoami) and authorization.k8s.io/v1 reviews
// (auth can-i, and the access checks other components ask for).
import { bool, field, int64, list, mapOf, metaRef, pkg, str, time } from "./dsl";

const rbac = pkg("io.k8s.api.rbac.v1");
const authentication = pkg("io.k8s.api.authentication.v1");
const authorization = pkg("io.k8s.api.authorization.v1");

const atomic = { listType: "atomic" } as const;
const rbacV1 = { group: "rbac.authorization.k8s.io", version: "v1" };
const authnV1 = { group: "authentication.k8s.io", version: "v1" };
const authzV1 = { group: "authorization.k8s.io", version: "v1" };

export const roleSchema = rbac.kind("Role", rbacV1, "A set of permissions within one namespace. Grants only; there are no deny rules.", {
  metadata: field(1, metaRef("ObjectMeta"), "Name and namespace of the role."),
  rules: field(2, list(rbac.ref("PolicyRule"), atomic), "The permissions: each rule allows some verbs on some resources."),
});

export const clusterRoleSchema = rbac.kind("ClusterRole", rbacV1, "A set of permissions that is not tied to a namespace: usable cluster-wide (through a ClusterRoleBinding) or in one namespace (through a RoleBinding).", {
  metadata: field(1, metaRef("ObjectMeta"), "Name and labels of the cluster role."),
  rules: field(2, list(rbac.ref("PolicyRule"), atomic), "The permissions. Filled in by the controller when aggregationRule is set."),
  aggregationRule: field(3, rbac.ref("AggregationRule"), "Build the rules from other cluster roles selected by label."),
});

rbac.object("PolicyRule", "Allows some verbs on some resources (or non-resource URLs).", {
  verbs: field(1, list(str, atomic), "Allowed verbs: get, list, watch, create, update, patch, delete, deletecollection, or * for all.", { required: true }),
  apiGroups: field(2, list(str, atomic), "API groups of the resources; \"\" is the core group (pods, services, ...), * all groups."),
  resources: field(3, list(str, atomic), "Resource names (plural, lowercase), e.g. pods, deployments, pods/log; * for all."),
  resourceNames: field(4, list(str, atomic), "Only these objects by name; empty means all."),
  nonResourceURLs: field(5, list(str, atomic), "URL paths such as /healthz (cluster roles only)."),
});

rbac.object("AggregationRule", "Which cluster roles to combine.", {
  clusterRoleSelectors: field(1, list(metaRef("LabelSelector"), atomic), "Cluster roles with these labels contribute their rules."),
});

export const roleBindingSchema = rbac.kind("RoleBinding", rbacV1, "Grants the permissions of a Role (or a ClusterRole) to users, groups or service accounts, within the binding's namespace.", {
  metadata: field(1, metaRef("ObjectMeta"), "Name and namespace of the binding."),
  subjects: field(2, list(rbac.ref("Subject"), atomic), "Who gets the permissions."),
  roleRef: field(3, rbac.ref("RoleRef"), "The Role or ClusterRole granted. Cannot be changed; delete and recreate the binding instead.", { required: true }),
});

export const clusterRoleBindingSchema = rbac.kind("ClusterRoleBinding", rbacV1, "Grants the permissions of a ClusterRole to users, groups or service accounts in every namespace.", {
  metadata: field(1, metaRef("ObjectMeta"), "Name of the binding."),
  subjects: field(2, list(rbac.ref("Subject"), atomic), "Who gets the permissions."),
  roleRef: field(3, rbac.ref("RoleRef"), "The ClusterRole granted. Cannot be changed.", { required: true }),
});

rbac.object("Subject", "A user, group or service account.", {
  kind: field(1, str, "User, Group or ServiceAccount.", { required: true }),
  apiGroup: field(2, str, "rbac.authorization.k8s.io for users and groups, empty for service accounts."),
  name: field(3, str, "Name of the user, group or service account.", { required: true }),
  namespace: field(4, str, "Namespace of a service account."),
});

rbac.object("RoleRef", "The role a binding grants.", {
  apiGroup: field(1, str, "Always rbac.authorization.k8s.io.", { required: true }),
  kind: field(2, str, "Role or ClusterRole.", { required: true }),
  name: field(3, str, "Name of the role.", { required: true }),
});

export const tokenRequestSchema = authentication.kind("TokenRequest", authnV1, "Asks for a short-lived token of a service account (POST to serviceaccounts/<name>/token; kubectl create token).", {
  metadata: field(1, metaRef("ObjectMeta"), "Usually empty."),
  spec: field(2, authentication.ref("TokenRequestSpec"), "Who the token is for and how long it lives.", { required: true }),
  status: field(3, authentication.ref("TokenRequestStatus"), "The token. Read-only."),
});

authentication.object("TokenRequestSpec", "What kind of token to issue.", {
  audiences: field(1, list(str, atomic), "Who may accept the token; defaults to the API server.", { required: true }),
  expirationSeconds: field(4, int64, "Requested lifetime in seconds (at least 600); defaults to one hour.", { ptr: true }),
  boundObjectRef: field(3, authentication.ref("BoundObjectReference"), "Make the token invalid once this object (a Pod or Secret) is deleted."),
});

authentication.object("BoundObjectReference", "The object a token is bound to.", {
  kind: field(1, str, "Pod, Secret or Node."),
  apiVersion: field(2, str, "API version of the object."),
  name: field(3, str, "Name of the object."),
  uid: field(4, str, "UID of the object."),
});

authentication.object("TokenRequestStatus", "The issued token.", {
  token: field(1, str, "The bearer token.", { required: true }),
  expirationTimestamp: field(2, time, "When it stops working.", { required: true }),
});

export const selfSubjectReviewSchema = authentication.kind("SelfSubjectReview", authnV1, "Asks who the server thinks you are (kubectl auth whoami).", {
  metadata: field(1, metaRef("ObjectMeta"), "Usually empty."),
  status: field(2, authentication.ref("SelfSubjectReviewStatus"), "The answer. Read-only."),
});

authentication.object("SelfSubjectReviewStatus", "Who you are.", {
  userInfo: field(1, authentication.ref("UserInfo"), "Your user name, uid and groups."),
});

authentication.object("UserInfo", "An authenticated identity.", {
  username: field(1, str, "User name, e.g. kubernetes-admin or system:serviceaccount:default:app."),
  uid: field(2, str, "A stable id of the user."),
  groups: field(3, list(str, atomic), "Groups the user belongs to, e.g. system:masters, system:authenticated."),
  extra: field(4, mapOf(list(str)), "Further facts from the authenticator."),
});

export const tokenReviewSchema = authentication.kind("TokenReview", authnV1, "Asks whether a bearer token is valid and whose it is (what webhooks and aggregated servers ask the API server).", {
  metadata: field(1, metaRef("ObjectMeta"), "Usually empty."),
  spec: field(2, authentication.ref("TokenReviewSpec"), "The token to check.", { required: true }),
  status: field(3, authentication.ref("TokenReviewStatus"), "The answer. Read-only."),
});

authentication.object("TokenReviewSpec", "What a token review checks.", {
  token: field(1, str, "The bearer token, as a client would send it."),
  audiences: field(2, list(str, atomic), "Audiences the asker accepts; the token must be meant for one of them. Empty means the API server's own."),
});

authentication.object("TokenReviewStatus", "Whether the token is valid, and for whom.", {
  authenticated: field(1, bool, "True when the token is valid."),
  user: field(2, authentication.ref("UserInfo"), "Who the token belongs to."),
  audiences: field(4, list(str, atomic), "The requested audiences the token is valid for."),
  error: field(3, str, "Why the token could not be checked."),
});

export const subjectAccessReviewSchema = authorization.kind("SubjectAccessReview", authzV1, "Asks whether a given user or group may perform one action, anywhere in the cluster.", {
  metadata: field(1, metaRef("ObjectMeta"), "Usually empty."),
  spec: field(2, authorization.ref("SubjectAccessReviewSpec"), "Who, and the action to check.", { required: true }),
  status: field(3, authorization.ref("SubjectAccessReviewStatus"), "The answer. Read-only."),
});

export const localSubjectAccessReviewSchema = authorization.kind("LocalSubjectAccessReview", authzV1, "Asks whether a given user or group may perform one action in this namespace (namespace admins may ask it).", {
  metadata: field(1, metaRef("ObjectMeta"), "The namespace of the review; it must match spec.resourceAttributes.namespace."),
  spec: field(2, authorization.ref("SubjectAccessReviewSpec"), "Who, and the action to check.", { required: true }),
  status: field(3, authorization.ref("SubjectAccessReviewStatus"), "The answer. Read-only."),
});

authorization.object("SubjectAccessReviewSpec", "Who asks to do what; set one of the two attribute sets.", {
  resourceAttributes: field(1, authorization.ref("ResourceAttributes"), "An action on a resource."),
  nonResourceAttributes: field(2, authorization.ref("NonResourceAttributes"), "A request to a non-resource URL."),
  user: field(3, str, "The user name to check for."),
  groups: field(4, list(str, atomic), "The groups to check for."),
  extra: field(5, mapOf(list(str)), "Further facts about the user, as an authenticator would give them."),
  uid: field(6, str, "The user's uid."),
});

export const selfSubjectAccessReviewSchema = authorization.kind("SelfSubjectAccessReview", authzV1, "Asks whether you may perform one action (kubectl auth can-i).", {
  metadata: field(1, metaRef("ObjectMeta"), "Usually empty."),
  spec: field(2, authorization.ref("SelfSubjectAccessReviewSpec"), "The action to check; set one of the two attribute sets.", { required: true }),
  status: field(3, authorization.ref("SubjectAccessReviewStatus"), "The answer. Read-only."),
});

authorization.object("SelfSubjectAccessReviewSpec", "The action to check.", {
  resourceAttributes: field(1, authorization.ref("ResourceAttributes"), "An action on a resource."),
  nonResourceAttributes: field(2, authorization.ref("NonResourceAttributes"), "A request to a non-resource URL."),
});

authorization.object("ResourceAttributes", "An action on a resource, as an authorizer sees it.", {
  namespace: field(1, str, "Namespace of the action; empty for cluster-scoped resources or all namespaces."),
  verb: field(2, str, "get, list, watch, create, update, patch, delete, ... or *."),
  group: field(3, str, "API group of the resource; empty for the core group."),
  version: field(4, str, "API version of the resource."),
  resource: field(5, str, "The resource, plural and lowercase, e.g. pods."),
  subresource: field(6, str, "A subresource, e.g. log or scale."),
  name: field(7, str, "One object's name; empty means any."),
  fieldSelector: field(8, authorization.ref("FieldSelectorAttributes"), "The field selector of a list or watch."),
  labelSelector: field(9, authorization.ref("LabelSelectorAttributes"), "The label selector of a list or watch."),
});

authorization.object("FieldSelectorAttributes", "A field selector, raw or parsed.", {
  rawSelector: field(1, str, "The selector as written."),
  requirements: field(2, list(metaRef("FieldSelectorRequirement"), atomic), "The selector, parsed."),
});

authorization.object("LabelSelectorAttributes", "A label selector, raw or parsed.", {
  rawSelector: field(1, str, "The selector as written."),
  requirements: field(2, list(metaRef("LabelSelectorRequirement"), atomic), "The selector, parsed."),
});

authorization.object("NonResourceAttributes", "A request to a URL that is not a resource.", {
  path: field(1, str, "The URL path, e.g. /healthz."),
  verb: field(2, str, "The HTTP verb, lowercase."),
});

authorization.object("SubjectAccessReviewStatus", "The answer to an access review.", {
  allowed: field(1, bool, "Whether the action is allowed.", { required: true }),
  denied: field(4, bool, "Whether an authorizer explicitly denied it (RBAC never does)."),
  reason: field(2, str, "Why, e.g. the binding that allowed it."),
  evaluationError: field(3, str, "A problem while checking; the answer may be incomplete."),
});

export const selfSubjectRulesReviewSchema = authorization.kind("SelfSubjectRulesReview", authzV1, "Asks for everything you may do in a namespace (kubectl auth can-i --list).", {
  metadata: field(1, metaRef("ObjectMeta"), "Usually empty."),
  spec: field(2, authorization.ref("SelfSubjectRulesReviewSpec"), "The namespace to list rules for.", { required: true }),
  status: field(3, authorization.ref("SubjectRulesReviewStatus"), "The rules. Read-only."),
});

authorization.object("SelfSubjectRulesReviewSpec", "Where to list rules.", {
  namespace: field(1, str, "The namespace."),
});

authorization.object("SubjectRulesReviewStatus", "What you may do.", {
  resourceRules: field(1, list(authorization.ref("ResourceRule"), atomic), "Allowed actions on resources.", { required: true }),
  nonResourceRules: field(2, list(authorization.ref("NonResourceRule"), atomic), "Allowed non-resource URLs.", { required: true }),
  incomplete: field(3, bool, "True when the list may be missing rules.", { required: true }),
  evaluationError: field(4, str, "A problem while listing."),
});

authorization.object("ResourceRule", "Allowed verbs on resources.", {
  verbs: field(1, list(str, atomic), "The verbs.", { required: true }),
  apiGroups: field(2, list(str, atomic), "The API groups."),
  resources: field(3, list(str, atomic), "The resources."),
  resourceNames: field(4, list(str, atomic), "Only these names; empty means all."),
});

authorization.object("NonResourceRule", "Allowed verbs on URLs.", {
  verbs: field(1, list(str, atomic), "The verbs.", { required: true }),
  nonResourceURLs: field(2, list(str, atomic), "The URLs."),
});
