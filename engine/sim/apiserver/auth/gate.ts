// The API server's front door, run before any handler: authentication (the
// admin token or a ServiceAccount token; no token only for /version and the
// health checks), impersonation (`kubectl --as`, `--as-group`), then
// authorization of what the request asks.
import type { IncomingMessage } from "node:http";
import { timingSafeEqual } from "node:crypto";
import type { KObject } from "../../types";
import { failure, type ApiError } from "../status";
import { requestAttributes, type Attributes } from "./attributes";
import { forbiddenMessage, type Authorizer } from "./rbac";
import type { TokenIssuer } from "./tokens";
import { ADMIN_USER, ANONYMOUS_USER, GROUP_AUTHENTICATED, GROUP_UNAUTHENTICATED, parseServiceAccountUsername, serviceAccountGroups, serviceAccountUsername, type UserInfo } from "./user";

/** Paths anyone may read without credentials (upstream binds system:public-info-viewer to system:unauthenticated). */
const PUBLIC_PATHS = new Set(["/version", "/version/", "/healthz", "/livez", "/readyz"]);

export interface GateOptions {
  adminToken: string;
  issuer: TokenIssuer;
  now(): number;
  authorizer: Authorizer;
  /** The ServiceAccount a token names, to check it still exists (a deleted account's tokens stop working). */
  serviceAccount(namespace: string, name: string): KObject | undefined;
}

export interface Admitted {
  user: UserInfo;
  attributes: Attributes;
}

export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith("Bearer ") ? header.slice(7).trim() : undefined;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export const unauthorized = (): ApiError => failure(401, "Unauthorized", "Unauthorized");

export function forbidden(user: UserInfo, a: Attributes, reason: string): ApiError {
  const details: Record<string, string> = {};
  if (a.resourceRequest) {
    if (a.name) details.name = a.name;
    if (a.apiGroup) details.group = a.apiGroup;
    details.kind = a.resource;
  }
  return failure(403, "Forbidden", forbiddenMessage(user, a, reason), details);
}

function headerValues(req: IncomingMessage, name: string): string[] {
  const values = req.headersDistinct[name];
  return (values ?? []).map((v) => v.trim()).filter((v) => v.length > 0);
}

export class Gate {
  constructor(private readonly options: GateOptions) {}

  /** Who presents `token`, or undefined when nobody valid does. */
  authenticateToken(token: string): UserInfo | undefined {
    if (same(token, this.options.adminToken)) return ADMIN_USER;
    const claims = this.options.issuer.verify(token, this.options.now());
    if (!claims) return undefined;
    const { namespace, serviceaccount } = claims["kubernetes.io"];
    const account = this.options.serviceAccount(namespace, serviceaccount.name);
    if (!account || account.metadata.uid !== serviceaccount.uid) return undefined;
    return {
      name: serviceAccountUsername(namespace, serviceaccount.name),
      uid: serviceaccount.uid,
      groups: serviceAccountGroups(namespace),
      extra: { "authentication.kubernetes.io/credential-id": [`JTI=${claims.jti}`] },
    };
  }

  /** Authenticate, impersonate and authorize one request; throws 401 / 403 as ApiError. */
  admit(req: IncomingMessage): Admitted {
    const url = new URL(req.url ?? "/", "https://sim");
    const attributes = requestAttributes(req.method ?? "GET", url);
    const token = bearerToken(req);
    let user: UserInfo;
    if (token === undefined) {
      if (!PUBLIC_PATHS.has(url.pathname)) throw unauthorized();
      return { user: ANONYMOUS_USER, attributes };
    }
    const authenticated = this.authenticateToken(token);
    if (!authenticated) throw unauthorized();
    user = authenticated;
    user = this.impersonate(req, user);
    const decision = this.options.authorizer.authorize(user, attributes);
    if (!decision.allowed) throw forbidden(user, attributes, decision.reason);
    return { user, attributes };
  }

  /** The identity `--as` / `--as-group` asks for, if the caller may take it on. */
  private impersonate(req: IncomingMessage, caller: UserInfo): UserInfo {
    const name = headerValues(req, "impersonate-user")[0];
    const groups = headerValues(req, "impersonate-group");
    const uid = headerValues(req, "impersonate-uid")[0];
    const extraHeaders = Object.keys(req.headersDistinct).filter((h) => h.startsWith("impersonate-extra-"));
    if (name === undefined) {
      if (groups.length || uid || extraHeaders.length) {
        throw failure(403, "Forbidden", "requested [" + [...groups.map((g) => `{Group ${g}}`)].join(" ") + "] without impersonating a user");
      }
      return caller;
    }
    const check = (attributes: Partial<Attributes>): void => {
      const full: Attributes = { verb: "impersonate", resourceRequest: true, path: "", namespace: "", apiGroup: "", apiVersion: "", resource: "", subresource: "", name: "", ...attributes };
      const decision = this.options.authorizer.authorize(caller, full);
      if (!decision.allowed) throw forbidden(caller, full, decision.reason);
    };
    const account = parseServiceAccountUsername(name);
    if (account) check({ resource: "serviceaccounts", namespace: account.namespace, name: account.name });
    else check({ resource: "users", name });
    for (const group of groups) check({ resource: "groups", name: group });
    if (uid) check({ apiGroup: "authentication.k8s.io", resource: "uids", name: uid });
    const extra: Record<string, string[]> = {};
    for (const header of extraHeaders) {
      const key = decodeURIComponent(header.slice("impersonate-extra-".length));
      const values = headerValues(req, header);
      for (const value of values) check({ apiGroup: "authentication.k8s.io", resource: "userextras", subresource: key, name: value });
      extra[key] = values;
    }
    const impersonated: string[] = [...groups];
    if (account) for (const g of serviceAccountGroups(account.namespace)) if (!impersonated.includes(g)) impersonated.push(g);
    const implicit = name === ANONYMOUS_USER.name ? GROUP_UNAUTHENTICATED : GROUP_AUTHENTICATED;
    if (!impersonated.includes(implicit)) impersonated.push(implicit);
    const user: UserInfo = { name, groups: impersonated };
    if (uid) user.uid = uid;
    if (extraHeaders.length) user.extra = extra;
    return user;
  }
}
