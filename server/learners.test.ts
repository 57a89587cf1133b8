import fs from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations, openDatabase, type Database } from "./db";
import { LEARNER_COOKIE, Learners, sessionSecret } from "./learners";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kc-learners-"));
let db: Database;
let learners: Learners;

beforeAll(async () => {
  const url = `file:${path.join(tmp, "course.db")}`;
  await applyMigrations(url);
  db = openDatabase(url);
  learners = new Learners(db, sessionSecret(undefined, tmp));
});
afterAll(async () => {
  await db.$disconnect();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function request(cookie?: string): IncomingMessage {
  return { headers: cookie ? { cookie } : {} } as IncomingMessage;
}

/** Just enough of a response to catch the cookie the server sets. */
function response(): ServerResponse & { cookie?: string } {
  const res: { cookie?: string; setHeader(name: string, value: string): void } = {
    setHeader(name, value) {
      if (name === "Set-Cookie") res.cookie = value;
    },
  };
  return res as unknown as ServerResponse & { cookie?: string };
}

describe("learners", () => {
  it("gives a first visit a stored guest and a signed cookie that identifies it later", async () => {
    const res = response();
    const id = await learners.ensure(request(), res);
    expect(await db.user.findUnique({ where: { id } })).toMatchObject({ id, isGuest: true, role: "LEARNER" });
    expect(res.cookie).toMatch(new RegExp(`^${LEARNER_COOKIE}=${id}\\.[\\w-]+; Path=/; HttpOnly; SameSite=Lax`));
    const cookie = res.cookie?.split(";")[0] ?? "";
    expect(await learners.identify(request(`theme=dark; ${cookie}`))).toBe(id);
    expect(await learners.ensure(request(cookie), response())).toBe(id);
  });

  it("refuses a cookie that claims another learner", async () => {
    const res = response();
    const id = await learners.ensure(request(), res);
    const forged = `${LEARNER_COOKIE}=someone-else.${res.cookie?.split(".")[1]?.split(";")[0]}`;
    expect(await learners.identify(request(forged))).toBeNull();
    expect(await learners.identify(request(`${LEARNER_COOKIE}=${id}`))).toBeNull();
    expect(await learners.identify(request())).toBeNull();
  });

  it("keeps the generated secret across restarts", () => {
    expect(sessionSecret(undefined, tmp)).toBe(sessionSecret(undefined, tmp));
    expect(sessionSecret("x".repeat(32), tmp)).toBe("x".repeat(32));
  });
});
