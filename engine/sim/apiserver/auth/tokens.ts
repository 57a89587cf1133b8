// ServiceAccount tokens: JWTs with the claims upstream's TokenRequest issues
// (iss, sub, aud, exp, iat, nbf, jti, and the `kubernetes.io` block naming
// the namespace and ServiceAccount). Each cluster signs with its own key
// (HS256, derived from the cluster's admin token so a restored snapshot keeps
// honouring tokens it issued); the header's `kid` names that key, which lets
// one shared listener find the cluster a token belongs to.
import { createHash, createHmac, randomUUID, timingSafeEqual } from "node:crypto";

export const DEFAULT_ISSUER = "https://kubernetes.default.svc.cluster.local";
/** TokenRequest defaults: one hour; shorter than ten minutes is refused. */
export const DEFAULT_EXPIRATION_SECONDS = 3600;
export const MIN_EXPIRATION_SECONDS = 600;

export interface ServiceAccountClaims {
  aud: string[];
  exp: number;
  iat: number;
  iss: string;
  jti: string;
  "kubernetes.io": {
    namespace: string;
    serviceaccount: { name: string; uid: string };
    [field: string]: unknown;
  };
  nbf: number;
  sub: string;
}

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");

function decodeJson(part: string | undefined): unknown {
  if (!part) return undefined;
  try {
    return JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
}

/** The `kid` of a JWT's header, without verifying anything (for routing only). */
export function tokenKeyId(token: string): string | undefined {
  if (token.split(".").length !== 3) return undefined;
  const header = decodeJson(token.split(".")[0]) as { kid?: unknown } | undefined;
  return typeof header?.kid === "string" ? header.kid : undefined;
}

export class TokenIssuer {
  readonly keyId: string;
  private readonly key: Buffer;
  /** The encoded JWT header, the same for every token this issuer signs. */
  private readonly header: string;

  constructor(seed: string, readonly issuer = DEFAULT_ISSUER) {
    this.key = createHmac("sha256", seed).update("service-account-token-signing").digest();
    this.keyId = createHash("sha256").update(this.key).digest("base64url");
    this.header = encode({ alg: "HS256", kid: this.keyId });
  }

  mint(options: { namespace: string; name: string; uid: string; audiences: string[]; expirationSeconds: number; nowMs: number }): { token: string; claims: ServiceAccountClaims } {
    const now = Math.floor(options.nowMs / 1000);
    const claims: ServiceAccountClaims = {
      aud: options.audiences,
      exp: now + options.expirationSeconds,
      iat: now,
      iss: this.issuer,
      jti: randomUUID(),
      "kubernetes.io": { namespace: options.namespace, serviceaccount: { name: options.name, uid: options.uid } },
      nbf: now,
      sub: `system:serviceaccount:${options.namespace}:${options.name}`,
    };
    const body = `${this.header}.${encode(claims)}`;
    return { token: `${body}.${this.sign(body)}`, claims };
  }

  /** The claims of a token this issuer signed and that is valid at `nowMs`. */
  verify(token: string, nowMs: number): ServiceAccountClaims | undefined {
    const parts = token.split(".");
    if (parts.length !== 3) return undefined;
    const [header, payload, signature] = parts as [string, string, string];
    const head = decodeJson(header) as { alg?: unknown; kid?: unknown } | undefined;
    if (head?.alg !== "HS256" || head.kid !== this.keyId) return undefined;
    const expected = Buffer.from(this.sign(`${header}.${payload}`));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    const claims = decodeJson(payload) as ServiceAccountClaims | undefined;
    const now = Math.floor(nowMs / 1000);
    if (!claims || typeof claims.exp !== "number" || claims.exp <= now || (typeof claims.nbf === "number" && claims.nbf > now + 60)) return undefined;
    if (claims.iss !== this.issuer || !claims["kubernetes.io"]?.serviceaccount) return undefined;
    return claims;
  }

  private sign(data: string): string {
    return createHmac("sha256", this.key).update(data).digest("base64url");
  }
}
