import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startScratchPostgres, type ScratchPostgres } from "../prisma/scratch-postgres";
import { applyMigrations, openDatabase } from "./db";

let postgres: ScratchPostgres;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kc-db-"));

beforeAll(async () => {
  postgres = await startScratchPostgres();
});
afterAll(() => {
  postgres.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe.each([
  ["SQLite", () => `file:${path.join(tmp, "course.db")}`],
  ["PostgreSQL", () => postgres.url],
])("the database on %s", (_name, url) => {
  it("migrates once, then keeps a learner's progress", async () => {
    const first = await applyMigrations(url());
    expect(first.length).toBeGreaterThan(0);
    expect(await applyMigrations(url())).toEqual([]);

    const db = openDatabase(url());
    try {
      await db.user.create({ data: { id: "learner-1" } });
      await db.exerciseProgress.create({
        data: { userId: "learner-1", lesson: "why-orchestration", exercise: "first-pod", passed: true, completedAt: new Date() },
      });
      await db.checkAttempt.create({
        data: { userId: "learner-1", lesson: "why-orchestration", exercise: "first-pod", passed: false, failing: [{ description: "x" }], checkedAt: new Date() },
      });
      const user = await db.user.findUniqueOrThrow({ where: { id: "learner-1" }, include: { progress: true, attempts: true } });
      expect(user.progress[0]?.passed).toBe(true);
      expect(user.attempts[0]?.failing).toEqual([{ description: "x" }]);
    } finally {
      await db.$disconnect();
    }
  });
});
