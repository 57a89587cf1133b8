// Who is asking: the identity every request is authenticated as, and the
// names upstream gives to the built-in users and groups.

export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export const GROUP_MASTERS = "system:masters";
export const GROUP_AUTHENTICATED = "system:authenticated";
export const GROUP_UNAUTHENTICATED = "system:unauthenticated";
export const GROUP_SERVICE_ACCOUNTS = "system:serviceaccounts";
export const SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";

/** The group kubeadm (1.29+) puts its admin.conf user in; its ClusterRoleBinding `kubeadm:cluster-admins` grants cluster-admin. */
export const GROUP_KUBEADM_CLUSTER_ADMINS = "kubeadm:cluster-admins";

/**
 * The learner: kubeadm's admin identity. Not in system:masters (only
 * super-admin.conf is), so RBAC authorizes it through that binding: deleting
 * the binding locks the admin out, as upstream.
 */
export const ADMIN_USER: UserInfo = { name: "kubernetes-admin", groups: [GROUP_KUBEADM_CLUSTER_ADMINS, GROUP_AUTHENTICATED] };

/** Someone without credentials: may read /version and the health checks only. */
export const ANONYMOUS_USER: UserInfo = { name: "system:anonymous", groups: [GROUP_UNAUTHENTICATED] };

export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_PREFIX}${namespace}:${name}`;
}

/** `system:serviceaccount:<ns>:<name>` split back into its parts. */
export function parseServiceAccountUsername(username: string): { namespace: string; name: string } | undefined {
  if (!username.startsWith(SERVICE_ACCOUNT_PREFIX)) return undefined;
  const [namespace, name, ...rest] = username.slice(SERVICE_ACCOUNT_PREFIX.length).split(":");
  if (!namespace || !name || rest.length) return undefined;
  return { namespace, name };
}

export function serviceAccountGroups(namespace: string): string[] {
  return [GROUP_SERVICE_ACCOUNTS, `${GROUP_SERVICE_ACCOUNTS}:${namespace}`, GROUP_AUTHENTICATED];
}
