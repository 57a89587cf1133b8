// The computed answers of authentication and authorization: access reviews
// (`kubectl auth can-i`, `can-i --list`), SelfSubjectReview (`auth whoami`),
// TokenReview, and TokenRequest (`kubectl create token`). None is stored.
import type { IncomingMessage } from "node:http";
import type { KObject } from "../../types";
import { timestamp } from "../../registry";
import type { ExtensionAnswer, ExtensionRoute, RouteExtension } from "../extension";
import type { ResourceService } from "../service";
import { errors, failure } from "../status";
import type { Attributes } from "./attributes";
import type { Gate } from "./gate";
import type { PolicyRule, RbacAuthorizer } from "./rbac";
import { DEFAULT_EXPIRATION_SECONDS, DEFAULT_ISSUER, MIN_EXPIRATION_SECONDS, type TokenIssuer } from "./tokens";
import type { UserInfo } from "./user";

export interface ReviewContext {
  service: ResourceService;
  authorizer: RbacAuthorizer;
  gate: Gate;
  issuer: TokenIssuer;
  now(): number;
  /** The identity the gate admitted this request as. */
  userOf(req: IncomingMessage): UserInfo | undefined;
}

interface ResourceAttributesSpec {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

interface ReviewSpec {
  resourceAttributes?: ResourceAttributesSpec;
  nonResourceAttributes?: { path?: string; verb?: string };
  user?: string;
  groups?: string[];
  uid?: string;
  extra?: Record<string, string[]>;
  namespace?: string;
}

/** The review's body; ApiHttp decodes JSON, YAML and the protobuf kubectl sends for these kinds. */
function readReview(route: ExtensionRoute): Promise<KObject> {
  return route.readObject();
}

function attributesOf(spec: ReviewSpec): Attributes {
  const r = spec.resourceAttributes;
  if (r) {
    return {
      verb: r.verb ?? "",
      resourceRequest: true,
      path: "",
      namespace: r.namespace ?? "",
      apiGroup: r.group === "*" ? "*" : (r.group ?? ""),
      apiVersion: r.version ?? "",
      resource: r.resource ?? "",
      subresource: r.subresource ?? "",
      name: r.name ?? "",
    };
  }
  const n = spec.nonResourceAttributes ?? {};
  return { verb: n.verb ?? "", resourceRequest: false, path: n.path ?? "", namespace: "", apiGroup: "", apiVersion: "", resource: "", subresource: "", name: "" };
}

function answer(code: number, request: KObject, spec: unknown, status: unknown): ExtensionAnswer {
  return {
    code,
    body: { kind: request.kind, apiVersion: request.apiVersion, metadata: { ...request.metadata, creationTimestamp: null }, spec, status },
  };
}

function splitRules(rules: PolicyRule[]): { resourceRules: unknown[]; nonResourceRules: unknown[] } {
  const resourceRules: unknown[] = [];
  const nonResourceRules: unknown[] = [];
  for (const rule of rules) {
    if (rule.nonResourceURLs?.length) nonResourceRules.push({ verbs: rule.verbs, nonResourceURLs: rule.nonResourceURLs });
    if (rule.resources?.length) {
      const out: Record<string, unknown> = { verbs: rule.verbs, apiGroups: rule.apiGroups ?? [], resources: rule.resources };
      if (rule.resourceNames?.length) out.resourceNames = rule.resourceNames;
      resourceRules.push(out);
    }
  }
  return { resourceRules, nonResourceRules };
}

function userInfoJson(user: UserInfo): Record<string, unknown> {
  const out: Record<string, unknown> = { username: user.name };
  if (user.uid) out.uid = user.uid;
  out.groups = user.groups;
  if (user.extra) out.extra = user.extra;
  return out;
}

export function reviewExtension(context: ReviewContext): RouteExtension {
  return async (route) => {
    const { type, method } = route;
    if (method !== "POST") return undefined;
    const user = context.userOf(route.req);
    if (!user) return undefined;
    if (type.group === "authorization.k8s.io" && !route.name) {
      const review = await readReview(route);
      const spec = (review.spec ?? {}) as ReviewSpec;
      switch (type.plural) {
        case "selfsubjectaccessreviews":
        case "subjectaccessreviews":
        case "localsubjectaccessreviews": {
          let subject = user;
          if (type.plural !== "selfsubjectaccessreviews") {
            if (!spec.user && !spec.groups?.length) throw errors.invalid(type, "", [{ field: "spec.user", type: "FieldValueInvalid", value: "", detail: "at least one of user or group must be specified" }]);
            subject = { name: spec.user ?? "", groups: spec.groups ?? [], uid: spec.uid, extra: spec.extra };
          }
          const attributes = attributesOf(spec);
          if (type.plural === "localsubjectaccessreviews") attributes.namespace = route.namespace ?? "";
          const decision = context.authorizer.authorize(subject, attributes);
          const status: Record<string, unknown> = { allowed: decision.allowed };
          if (decision.reason) status.reason = decision.reason;
          return answer(201, review, spec, status);
        }
        case "selfsubjectrulesreviews": {
          const namespace = spec.namespace ?? "";
          if (!namespace) throw errors.invalid(type, "", [{ field: "spec.namespace", type: "FieldValueRequired" }]);
          const { rules, problems } = context.authorizer.rulesFor(user, namespace);
          const status: Record<string, unknown> = { ...splitRules(rules), incomplete: problems.length > 0 };
          if (problems.length) status.evaluationError = problems.join(", ");
          return answer(201, review, spec, status);
        }
        default:
          return undefined;
      }
    }
    if (type.group === "authentication.k8s.io" && !route.name) {
      const review = await readReview(route);
      if (type.plural === "selfsubjectreviews") {
        return { code: 201, body: { kind: "SelfSubjectReview", apiVersion: review.apiVersion || "authentication.k8s.io/v1", metadata: { creationTimestamp: null }, status: { userInfo: userInfoJson(user) } } };
      }
      if (type.plural === "tokenreviews") {
        const spec = (review.spec ?? {}) as { token?: string; audiences?: string[] };
        const who = spec.token ? context.gate.authenticateToken(spec.token) : undefined;
        const status = who ? { authenticated: true, user: userInfoJson(who), audiences: spec.audiences?.length ? spec.audiences : [DEFAULT_ISSUER] } : { user: {}, error: "invalid bearer token" };
        return answer(201, review, spec, status);
      }
      return undefined;
    }
    if (type.kind === "ServiceAccount" && route.subresource === "token" && route.name) {
      return tokenRequest(context, route, route.name);
    }
    return undefined;
  };
}

async function tokenRequest(context: ReviewContext, route: ExtensionRoute, name: string): Promise<ExtensionAnswer> {
  const request = await readReview(route);
  const account = context.service.get(route.type, route.namespace, name);
  const spec = (request.spec ?? {}) as { audiences?: string[]; expirationSeconds?: number; boundObjectRef?: unknown };
  const expirationSeconds = spec.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
  if (expirationSeconds < MIN_EXPIRATION_SECONDS) {
    throw failure(422, "Invalid", `TokenRequest.authentication.k8s.io "${name}" is invalid: spec.expirationSeconds: Invalid value: ${expirationSeconds}: may not specify a duration less than 10 minutes`, {
      name,
      group: "authentication.k8s.io",
      kind: "TokenRequest",
      causes: [{ reason: "FieldValueInvalid", message: `Invalid value: ${expirationSeconds}: may not specify a duration less than 10 minutes`, field: "spec.expirationSeconds" }],
    });
  }
  const audiences = spec.audiences?.length ? spec.audiences : [DEFAULT_ISSUER];
  const namespace = account.metadata.namespace ?? "default";
  const { token, claims } = context.issuer.mint({ namespace, name, uid: account.metadata.uid ?? "", audiences, expirationSeconds, nowMs: context.now() });
  return {
    code: 201,
    body: {
      kind: "TokenRequest",
      apiVersion: "authentication.k8s.io/v1",
      metadata: { name, namespace, creationTimestamp: timestamp(context.now()) },
      spec: { audiences, expirationSeconds, boundObjectRef: spec.boundObjectRef ?? null },
      status: { token, expirationTimestamp: timestamp(claims.exp * 1000) },
    },
  };
}
