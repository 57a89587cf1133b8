// A server restart loses no learner work: sim clusters saved through Prisma
// (SQLite here) come back with their objects and credentials.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../engine/clock";
import type { ClusterLease } from "../engine/cluster";
import { SimDriver } from "../engine/sim";
import { advanceClock, until } from "../engine/sim/test-kubectl";
import { PrismaClusterStateStore } from "./cluster-state";
import { applyMigrations, openDatabase, type Database } from "./db";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kc-cluster-state-"));
let db: Database;
let state: PrismaClusterStateStore;
const clock = new ManualClock(Date.parse("2026-03-01T12:00:00Z"));
const problems: string[] = [];

beforeAll(async () => {
  const url = `file:${path.join(tmp, "course.db")}`;
  await applyMigrations(url);
  db = openDatabase(url);
  state = new PrismaClusterStateStore(db);
  await db.user.createMany({ data: [{ id: "ada" }, { id: "bob" }, { id: "cy" }, { id: "dee" }] });
});
afterAll(async () => {
  await db.$disconnect();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function driver(): SimDriver {
  return new SimDriver({ clock, runtimeDir: path.join(tmp, "runtime"), state, log: (message) => problems.push(message) });
}

function core(lease: ClusterLease, token = lease.access.token): CoreV1Api {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: "sim", server: lease.access.server, caData: Buffer.from(lease.access.ca ?? "").toString("base64") }],
    users: [{ name: "learner", token }],
    contexts: [{ name: "sim", cluster: "sim", user: "learner" }],
    currentContext: "sim",
  });
  return config.makeApiClient(CoreV1Api);
}

const savedRevision = async (learner: string): Promise<number | undefined> => (await db.clusterSnapshot.findUnique({ where: { userId: learner } }))?.revision;

describe("saved sim clusters", () => {
  it("come back after a restart with the learner's objects and ServiceAccount tokens", async () => {
    const before = driver();
    const lease = await before.acquire("ada");
    await core(lease).createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "settings" }, data: { colour: "teal" } } });
    const token = await core(lease).createNamespacedServiceAccountToken({ namespace: "default", name: "default", body: { spec: { audiences: [] } } });
    await before.close();

    const after = driver();
    try {
      const again = await after.acquire("ada");
      const settings = await core(again).readNamespacedConfigMap({ namespace: "default", name: "settings" });
      expect(settings.data).toEqual({ colour: "teal" });
      // The token minted before the restart still names its ServiceAccount (403, not 401).
      await expect(core(again, token.status?.token).listNamespacedSecret({ namespace: "kube-system" })).rejects.toMatchObject({
        code: 403,
        body: expect.stringContaining("system:serviceaccount:default:default") as unknown,
      });
    } finally {
      await after.close();
    }
  });

  it("are saved every 10 s of clock when something changed, not for heartbeats alone", async () => {
    const clusters = driver();
    try {
      const lease = await clusters.acquire("bob");
      // A fresh cluster's own start-up (node registration events, endpoints) is saved once.
      await advanceClock(clock, 10_000);
      await clusters.saveChanged();
      const booted = await savedRevision("bob");
      expect(booted).toBeGreaterThan(0);

      await advanceClock(clock, 60_000);
      await clusters.saveChanged();
      expect(await savedRevision("bob")).toBe(booted);

      await core(lease).createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "one" } } });
      await advanceClock(clock, 10_000);
      await until(async () => (await savedRevision("bob")) !== booted, "the save after a change");
      expect(await savedRevision("bob")).toBeGreaterThan(booted ?? 0);
    } finally {
      await clusters.close();
    }
  });

  it("start fresh, and say so, when the saved state cannot be read", async () => {
    await db.clusterSnapshot.create({ data: { userId: "cy", driver: "sim", revision: 7, data: Buffer.from("not a snapshot"), savedAt: new Date() } });
    const clusters = driver();
    try {
      const lease = await clusters.acquire("cy");
      const nodes = await core(lease).listNode();
      expect(nodes.items.map((n) => n.metadata?.name)).toEqual(["controlplane", "node01", "node02"]);
      expect(problems).toContain("saved cluster of cy could not be read; starting a fresh one");
    } finally {
      await clusters.close();
    }
  });

  it("are dropped when the learner's cluster is released", async () => {
    const clusters = driver();
    try {
      const lease = await clusters.acquire("dee");
      await core(lease).createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "x" } } });
      await clusters.saveChanged();
      expect(await savedRevision("dee")).toBeGreaterThan(0);
      await clusters.release("dee");
      expect(await savedRevision("dee")).toBeUndefined();
    } finally {
      await clusters.close();
    }
  });
});
