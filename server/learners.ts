// Who is on the other end: every visitor gets a guest learner on first visit,
// remembered by a signed cookie, so nobody can claim another learner's shell.
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import fs from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import type { Database } from "./db";

export const LEARNER_COOKIE = "kc_learner";
const ONE_YEAR_SECONDS = 365 * 24 * 3600;

/** The configured secret, or one generated once and kept in the data directory. */
export function sessionSecret(configured: string | undefined, dataDir: string): string {
  if (configured) return configured;
  const file = path.join(dataDir, "session-secret");
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch {
    fs.mkdirSync(dataDir, { recursive: true });
    const secret = randomBytes(32).toString("hex");
    fs.writeFileSync(file, secret, { mode: 0o600, flag: "wx" });
    return secret;
  }
}

function readCookie(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return decodeURIComponent(value.join("="));
  }
  return undefined;
}

export class Learners {
  constructor(
    private readonly db: Database,
    private readonly secret: string,
  ) {}

  private sign(id: string): string {
    return createHmac("sha256", this.secret).update(id).digest("base64url");
  }

  /** The learner id a request proves, or null. */
  verify(request: IncomingMessage): string | null {
    const cookie = readCookie(request, LEARNER_COOKIE);
    if (!cookie) return null;
    const [id, signature] = cookie.split(".");
    if (!id || !signature) return null;
    const expected = Buffer.from(this.sign(id));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given) ? id : null;
  }

  /** The request's learner; a new guest (stored, and sent a cookie) when it has none. */
  async ensure(request: IncomingMessage, response: ServerResponse): Promise<string> {
    const known = this.verify(request);
    if (known) {
      // A valid cookie whose row is gone (a wiped database) gets its row back.
      await this.db.user.upsert({ where: { id: known }, create: { id: known }, update: {} });
      return known;
    }
    const id = randomUUID();
    await this.db.user.create({ data: { id } });
    const secure = request.headers["x-forwarded-proto"] === "https" ? "; Secure" : "";
    response.setHeader(
      "Set-Cookie",
      `${LEARNER_COOKIE}=${id}.${this.sign(id)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${ONE_YEAR_SECONDS}${secure}`,
    );
    return id;
  }

  /** For the socket edge: the learner, if the cookie is valid; touches lastSeenAt. */
  async identify(request: IncomingMessage): Promise<string | null> {
    const id = this.verify(request);
    if (!id) return null;
    await this.db.user.upsert({ where: { id }, create: { id }, update: { lastSeenAt: new Date() } });
    return id;
  }
}
