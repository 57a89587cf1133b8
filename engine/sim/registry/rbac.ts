// rbac.authorization.k8s.io/v1: Role, ClusterRole and their bindings. Roles
// have no printer upstream, so they get the default NAME / CREATED AT table.
import type { BindingObject, PolicyRule, RoleObject, Subject } from "../apiserver/auth/rbac";
import { ALL_VERBS, AGE_COLUMN, column, CREATED_AT_COLUMN, createdAt, defineResource, type FieldError } from "./resource";
import { ageSince } from "./format";
import { validateSubdomain } from "./validation";
import { clusterRoleBindingSchema, clusterRoleSchema, roleBindingSchema, roleSchema } from "../schema/access";

const GROUP = "rbac.authorization.k8s.io";

function validateName(name: string): FieldError[] {
  // RBAC names are path segments: anything but "/", "%", "." and "..".
  if (!name) return [{ field: "metadata.name", type: "FieldValueRequired", detail: "name or generateName is required" }];
  if (name === "." || name === ".." || /[/%]/.test(name)) return [{ field: "metadata.name", type: "FieldValueInvalid", value: name, detail: "may not contain '/' or '%', nor be '.' or '..'" }];
  return [];
}

function validateRules(rules: PolicyRule[] | undefined): FieldError[] {
  const errors: FieldError[] = [];
  (rules ?? []).forEach((rule, i) => {
    const at = `rules[${i}]`;
    if (!rule.verbs?.length) errors.push({ field: `${at}.verbs`, type: "FieldValueRequired", detail: "verbs must contain at least one value" });
    if (rule.nonResourceURLs?.length && (rule.resources?.length || rule.apiGroups?.length)) {
      errors.push({ field: `${at}.nonResourceURLs`, type: "FieldValueInvalid", value: rule.nonResourceURLs, detail: "rules cannot apply to both regular resources and non-resource URLs" });
    }
    if (!rule.nonResourceURLs?.length) {
      if (!rule.apiGroups?.length) errors.push({ field: `${at}.apiGroups`, type: "FieldValueRequired", detail: "resource rules must supply at least one api group" });
      if (!rule.resources?.length) errors.push({ field: `${at}.resources`, type: "FieldValueRequired", detail: "resource rules must supply at least one resource" });
    }
  });
  return errors;
}

export const roles = defineResource<RoleObject>(roleSchema, {
  plural: "roles",
  singular: "role",
  namespaced: true,
  shortNames: [],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [],
  columns: [CREATED_AT_COLUMN],
  cells: (role) => [createdAt(role)],
  validate: (role) => [...validateName(role.metadata.name ?? ""), ...validateRules(role.rules)],
});

export const clusterroles = defineResource<RoleObject & { aggregationRule?: unknown }>(clusterRoleSchema, {
  plural: "clusterroles",
  singular: "clusterrole",
  namespaced: false,
  shortNames: [],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [],
  columns: [CREATED_AT_COLUMN],
  cells: (role) => [createdAt(role)],
  defaults(role) {
    role.rules ??= [];
  },
  validate: (role) => [...validateName(role.metadata.name ?? ""), ...validateRules(role.rules)],
});

function subjects(binding: BindingObject, kind: string): Subject[] {
  return (binding.subjects ?? []).filter((s) => s.kind === kind);
}

function bindingCells(binding: BindingObject, now: number): unknown[] {
  return [
    `${binding.roleRef.kind}/${binding.roleRef.name}`,
    ageSince(binding.metadata.creationTimestamp, now),
    subjects(binding, "User").map((s) => s.name).join(", "),
    subjects(binding, "Group").map((s) => s.name).join(", "),
    subjects(binding, "ServiceAccount").map((s) => (s.namespace ? `${s.namespace}/${s.name}` : s.name)).join(", "),
  ];
}

const BINDING_COLUMNS = [
  column("Role", "string", "The Role or ClusterRole this binding grants, as Kind/name."),
  AGE_COLUMN,
  column("Users", "string", "Users the binding grants the role to.", 1),
  column("Groups", "string", "Groups the binding grants the role to.", 1),
  column("ServiceAccounts", "string", "ServiceAccounts (namespace/name) the binding grants the role to.", 1),
];

function validateBinding(binding: BindingObject, namespaced: boolean): FieldError[] {
  const errors = validateName(binding.metadata.name ?? "");
  const ref = binding.roleRef as BindingObject["roleRef"] | undefined;
  if (!ref?.name) errors.push({ field: "roleRef.name", type: "FieldValueRequired" });
  if (!ref?.kind) errors.push({ field: "roleRef.kind", type: "FieldValueRequired" });
  else if (!(namespaced ? ["Role", "ClusterRole"] : ["ClusterRole"]).includes(ref.kind)) {
    errors.push({ field: "roleRef.kind", type: "FieldValueNotSupported", value: ref.kind, detail: namespaced ? 'supported values: "Role", "ClusterRole"' : 'supported values: "ClusterRole"' });
  }
  if (ref && ref.apiGroup !== GROUP) errors.push({ field: "roleRef.apiGroup", type: "FieldValueNotSupported", value: ref.apiGroup ?? "", detail: `supported values: "${GROUP}"` });
  (binding.subjects ?? []).forEach((s, i) => {
    const at = `subjects[${i}]`;
    if (!s.name) errors.push({ field: `${at}.name`, type: "FieldValueRequired" });
    if (!["User", "Group", "ServiceAccount"].includes(s.kind)) {
      errors.push({ field: `${at}.kind`, type: "FieldValueNotSupported", value: s.kind, detail: 'supported values: "ServiceAccount", "User", "Group"' });
    }
    if (s.kind === "ServiceAccount") {
      if (s.name) errors.push(...validateSubdomain(`${at}.name`, s.name));
      if (!namespaced && !s.namespace) errors.push({ field: `${at}.namespace`, type: "FieldValueRequired" });
    }
  });
  return errors;
}

function defaultSubjects(binding: BindingObject): void {
  for (const s of binding.subjects ?? []) {
    if (s.kind === "ServiceAccount") s.apiGroup ??= "";
    else s.apiGroup ??= GROUP;
  }
}

export const rolebindings = defineResource<BindingObject>(roleBindingSchema, {
  plural: "rolebindings",
  singular: "rolebinding",
  namespaced: true,
  shortNames: [],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [],
  columns: BINDING_COLUMNS,
  cells: bindingCells,
  defaults: defaultSubjects,
  validate: (b) => validateBinding(b, true),
});

export const clusterrolebindings = defineResource<BindingObject>(clusterRoleBindingSchema, {
  plural: "clusterrolebindings",
  singular: "clusterrolebinding",
  namespaced: false,
  shortNames: [],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [],
  columns: BINDING_COLUMNS,
  cells: bindingCells,
  defaults: defaultSubjects,
  validate: (b) => validateBinding(b, false),
});
