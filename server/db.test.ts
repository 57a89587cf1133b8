import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startScratchPostgres, type ScratchPostgres } from "../prisma/scratch-postgres";
import { PrismaClusterStateStore } from "./cluster-state";
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

  it("keeps a learner's saved cluster as bytes, replaced on each save", async () => {
    const db = openDatabase(url());
    try {
      const clusters = new PrismaClusterStateStore(db);
      await db.user.create({ data: { id: "learner-2" } });
      const bytes = Uint8Array.from([0, 1, 2, 255, 254]);
      await clusters.save("learner-2", { driver: "sim", revision: 4, data: bytes });
      await clusters.save("learner-2", { driver: "sim", revision: 9, data: bytes.subarray(1) });
      const loaded = await clusters.load("learner-2", "sim");
      expect(loaded?.revision).toBe(9);
      expect([...(loaded?.data ?? [])]).toEqual([1, 2, 255, 254]);
      expect(await clusters.load("learner-2", "docker")).toBeUndefined();
      await clusters.remove("learner-2");
      expect(await clusters.load("learner-2", "sim")).toBeUndefined();
    } finally {
      await db.$disconnect();
    }
  });
});
