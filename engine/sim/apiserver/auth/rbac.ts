// Authorization: the `Authorizer` interface every check goes through, and
// its RBAC implementation. Members of system:masters pass unconditionally (as
// upstream's privileged-group authorizer); everyone else needs a rule from a
// Role or ClusterRole bound to them (or to one of their groups) by a
// RoleBinding in the request's namespace or by a ClusterRoleBinding.
import type { KObject } from "../../types";
import type { Attributes } from "./attributes";
import { GROUP_MASTERS, type UserInfo } from "./user";

export interface Decision {
  allowed: boolean;
  /** Why: which binding allowed it, or what was wrong with the bindings that could have. */
  reason: string;
}

export interface Authorizer {
  authorize(user: UserInfo, attributes: Attributes): Decision;
}

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
  apiGroup?: string;
}

export interface RoleObject extends KObject {
  rules?: PolicyRule[];
}

export interface BindingObject extends KObject {
  roleRef: { apiGroup: string; kind: string; name: string };
  subjects?: Subject[];
}

/** Where the authorizer reads the policy from (the cluster's store). */
export interface PolicySource {
  clusterRoleBindings(): BindingObject[];
  roleBindings(namespace: string): BindingObject[];
  clusterRole(name: string): RoleObject | undefined;
  role(namespace: string, name: string): RoleObject | undefined;
}

function has(list: string[] | undefined, value: string): boolean {
  return !!list && (list.includes("*") || list.includes(value));
}

function resourceMatches(rule: PolicyRule, resource: string, subresource: string): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  return (rule.resources ?? []).some((r) => r === "*" || r === combined || (!!subresource && r === `*/${subresource}`));
}

function nonResourceMatches(rule: PolicyRule, path: string): boolean {
  return (rule.nonResourceURLs ?? []).some((u) => u === "*" || u === path || (u.endsWith("*") && path.startsWith(u.slice(0, -1))));
}

export function ruleAllows(rule: PolicyRule, a: Attributes): boolean {
  if (!has(rule.verbs, a.verb)) return false;
  if (!a.resourceRequest) return nonResourceMatches(rule, a.path);
  if (!has(rule.apiGroups, a.apiGroup) || !resourceMatches(rule, a.resource, a.subresource)) return false;
  return !rule.resourceNames?.length || (!!a.name && rule.resourceNames.includes(a.name));
}

export function subjectMatches(subject: Subject, user: UserInfo, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case "User":
      return subject.name === user.name;
    case "Group":
      return user.groups.includes(subject.name);
    case "ServiceAccount":
      return user.name === `system:serviceaccount:${subject.namespace || bindingNamespace}:${subject.name}`;
    default:
      return false;
  }
}

function describeSubject(subject: Subject, bindingNamespace: string): string {
  return subject.kind === "ServiceAccount" ? `ServiceAccount "${subject.name}/${subject.namespace || bindingNamespace}"` : `${subject.kind} "${subject.name}"`;
}

export interface BoundRules {
  rules: PolicyRule[];
  /** e.g. `RoleBinding "read-pods/default" of Role "pod-reader" to ServiceAccount "reader/default"`. */
  source: string;
}

export class RbacAuthorizer implements Authorizer {
  constructor(private readonly policy: PolicySource) {}

  authorize(user: UserInfo, attributes: Attributes): Decision {
    if (user.groups.includes(GROUP_MASTERS)) return { allowed: true, reason: "" };
    const problems: string[] = [];
    for (const bound of this.visit(user, attributes.namespace, problems)) {
      if (bound.rules.some((rule) => ruleAllows(rule, attributes))) return { allowed: true, reason: `RBAC: allowed by ${bound.source}` };
    }
    return { allowed: false, reason: problems.length ? `RBAC: ${problems.length === 1 ? problems[0] : `[${problems.join(", ")}]`}` : "" };
  }

  /** Every rule that applies to `user` in `namespace` ("" = cluster-wide rules only). */
  rulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; problems: string[] } {
    const problems: string[] = [];
    const rules = [...this.visit(user, namespace, problems)].flatMap((b) => b.rules);
    return { rules, problems };
  }

  private *visit(user: UserInfo, namespace: string, problems: string[]): Generator<BoundRules> {
    for (const binding of this.policy.clusterRoleBindings()) {
      const subject = binding.subjects?.find((s) => subjectMatches(s, user, ""));
      if (!subject) continue;
      const role = binding.roleRef.kind === "ClusterRole" ? this.policy.clusterRole(binding.roleRef.name) : undefined;
      if (!role) {
        problems.push(`clusterrole.rbac.authorization.k8s.io "${binding.roleRef.name}" not found`);
        continue;
      }
      yield { rules: role.rules ?? [], source: `ClusterRoleBinding "${binding.metadata.name ?? ""}" of ClusterRole "${binding.roleRef.name}" to ${describeSubject(subject, "")}` };
    }
    if (!namespace) return;
    for (const binding of this.policy.roleBindings(namespace)) {
      const subject = binding.subjects?.find((s) => subjectMatches(s, user, namespace));
      if (!subject) continue;
      const isCluster = binding.roleRef.kind === "ClusterRole";
      const role = isCluster ? this.policy.clusterRole(binding.roleRef.name) : this.policy.role(namespace, binding.roleRef.name);
      if (!role) {
        problems.push(`${isCluster ? "clusterrole" : "role"}.rbac.authorization.k8s.io "${binding.roleRef.name}" not found`);
        continue;
      }
      yield {
        rules: role.rules ?? [],
        source: `RoleBinding "${binding.metadata.name ?? ""}/${namespace}" of ${binding.roleRef.kind} "${binding.roleRef.name}" to ${describeSubject(subject, namespace)}`,
      };
    }
  }
}

/** Upstream's wording of a refusal, which kubectl prints after `Error from server (Forbidden): `. */
export function forbiddenMessage(user: UserInfo, a: Attributes, reason: string): string {
  const who = `User "${user.name}"`;
  let message: string;
  if (!a.resourceRequest) message = `forbidden: ${who} cannot ${a.verb} path "${a.path}"`;
  else {
    const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    const qualified = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource;
    const subject = a.name ? `${qualified} "${a.name}"` : qualified;
    const scope = a.namespace ? `in the namespace "${a.namespace}"` : "at the cluster scope";
    message = `${subject} is forbidden: ${who} cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}" ${scope}`;
  }
  return reason ? `${message}: ${reason}` : message;
}
