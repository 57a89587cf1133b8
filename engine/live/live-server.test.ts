// The socket edge end to end: a real sim cluster, a real sandboxed shell, the
// real database, and socket.io clients standing in for browser tabs.
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { CoreV1Api } from "@kubernetes/client-node";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exercisesOf } from "../../lessons/exercises";
import { applyMigrations, openDatabase, type Database } from "../../server/db";
import { PrismaProgressStore } from "../../server/progress";
import { clusterReader } from "../checker";
import { realClock } from "../clock";
import type { ClientToServerEvents, ExerciseResult, ServerToClientEvents } from "../protocol";
import { SimDriver } from "../sim";
import { TerminalHost } from "../terminal";
import type { ClusterDriver } from "../cluster";
import { LiveServer, type LiveServerOptions } from "./index";

type Tab = Socket<ServerToClientEvents, ClientToServerEvents>;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kc-live-"));
let db: Database;
let clusters: SimDriver;
let terminals: TerminalHost;
let live: LiveServer;
let server: http.Server;
let url: string;
const tabs: Tab[] = [];

beforeAll(async () => {
  const dbUrl = `file:${path.join(tmp, "course.db")}`;
  await applyMigrations(dbUrl);
  db = openDatabase(dbUrl);
  for (const id of ["ada", "bob", "cy", "dan"]) await db.user.create({ data: { id } });
  server = http.createServer();
  clusters = new SimDriver({ clock: realClock, runtimeDir: path.join(tmp, "runtime") });
  terminals = new TerminalHost({ runtimeDir: path.join(tmp, "runtime"), clock: realClock, idleMs: 60_000 });
  live = new LiveServer(server, options(clusters));
  url = await listen(server);
});

function options(driver: ClusterDriver): LiveServerOptions {
  return {
    clusters: driver,
    terminals,
    clock: realClock,
    progress: new PrismaProgressStore(db),
    // The cookie check has its own tests (server/learners.test.ts); here a header names the learner.
    identify: (request) => Promise.resolve((request.headers["x-learner"] as string | undefined) ?? null),
    exercisesOf,
    // A stand-in catalogue: the real lesson, and one that needs a third worker.
    lessonNeeds: (lesson) => ({ "why-orchestration": {}, "scheduling-drill": { cluster: { workers: 3 } } })[lesson],
    log: () => undefined,
  };
}

async function listen(http: http.Server): Promise<string> {
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
}

afterAll(async () => {
  for (const tab of tabs) tab.disconnect();
  await live.close();
  await terminals.closeAll();
  await clusters.close();
  await db.$disconnect();
  server.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function openTab(learner?: string, at = url): Tab {
  const tab: Tab = io(at, { path: "/socket.io", transports: ["websocket"], extraHeaders: learner ? { "x-learner": learner } : {} });
  tabs.push(tab);
  return tab;
}

/** Everything the terminal printed to this tab so far, and a way to wait for more. */
function screen(tab: Tab) {
  let text = "";
  tab.on("terminal:output", (data) => {
    text += data;
    tab.emit("terminal:ack", data.length);
  });
  return {
    get text() {
      return text;
    },
    async waitFor(pattern: RegExp) {
      await expect.poll(() => text, { timeout: 20_000 }).toMatch(pattern);
    },
  };
}

function results(tab: Tab) {
  const seen: ExerciseResult[] = [];
  tab.on("check:result", (result) => seen.push(result));
  return seen;
}

describe("the live server", () => {
  it("turns away a tab without a learner, with a message", async () => {
    const tab = openTab();
    const notice = await new Promise<{ message: string }>((resolve) => tab.on("notice", resolve));
    expect(notice.message).toMatch(/Reload the page/);
    await expect.poll(() => tab.connected).toBe(false);
  });

  it("answers bad payloads with clear errors and keeps serving", async () => {
    const tab = openTab("cy");
    await expect(tab.emitWithAck("terminal:attach", { cols: -1, rows: "x" } as never)).resolves.toEqual({
      ok: false,
      error: "The terminal size is not valid.",
    });
    await expect(tab.emitWithAck("lesson:watch", { lesson: "../../etc" })).resolves.toEqual({ ok: false, error: "There is no such lesson." });
    await expect(tab.emitWithAck("terminal:restart")).resolves.toEqual({ ok: false, error: "No terminal is attached." });
    tab.emit("terminal:input", "x".repeat(200_000));
    tab.emit("terminal:resize", null as never);
    await expect(tab.emitWithAck("terminal:attach", { cols: 80, rows: 24 })).resolves.toEqual({ ok: true });
  });

  it("grades the lesson live as the cluster changes, and keeps the result", async () => {
    const tab = openTab("ada");
    const seen = results(tab);
    await expect(tab.emitWithAck("lesson:watch", { lesson: "why-orchestration" })).resolves.toEqual({ ok: true });
    await expect.poll(() => seen.at(-1)?.assertions[0]?.actual).toBe("no pods in the default namespace yet");
    expect(seen.at(-1)).toMatchObject({ exercise: "first-pod", passed: false, completedAt: null });

    const lease = await clusters.acquire("ada");
    const { core } = clusterReader(lease.access);
    await core.createNamespacedPod({
      namespace: "default",
      body: { metadata: { name: "web" }, spec: { containers: [{ name: "web", image: "nginx" }] } },
    });
    await expect.poll(() => seen.at(-1)?.passed, { timeout: 20_000 }).toBe(true);
    expect(seen.at(-1)?.completedAt).not.toBeNull();

    const attempts = await db.checkAttempt.findMany({ where: { userId: "ada" }, orderBy: { id: "asc" } });
    expect(attempts.at(-1)?.passed).toBe(true);
    expect(attempts[0]?.failing).toEqual([expect.objectContaining({ description: "A pod named web exists in the default namespace" })]);

    // Deleting the pod fails the check again, but the exercise stays completed.
    await core.deleteNamespacedPod({ namespace: "default", name: "web" });
    await expect.poll(() => seen.at(-1)?.passed, { timeout: 20_000 }).toBe(false);
    expect(seen.at(-1)?.completedAt).not.toBeNull();
    expect(core).toBeInstanceOf(CoreV1Api);
  });

  it("grows the learner's cluster to what the lesson needs: a third worker joins", async () => {
    const before = live.liveCheckers;
    const tab = openTab("eve");
    await expect(tab.emitWithAck("lesson:watch", { lesson: "scheduling-drill" })).resolves.toEqual({ ok: true });
    const { core } = clusterReader((await clusters.acquire("eve")).access);
    const nodes = await core.listNode();
    expect(nodes.items.map((n) => n.metadata?.name)).toEqual(["controlplane", "node01", "node02", "node03"]);
    expect(nodes.items[3]?.status?.addresses).toContainEqual({ type: "InternalIP", address: "172.30.2.4" });
    tab.disconnect();
    await expect.poll(() => live.liveCheckers).toBe(before);
  });

  it("stops checking when the last tab on a lesson goes", async () => {
    const before = live.liveCheckers;
    const first = openTab("dan");
    const second = openTab("dan");
    await first.emitWithAck("lesson:watch", { lesson: "why-orchestration" });
    await second.emitWithAck("lesson:watch", { lesson: "why-orchestration" });
    expect(live.liveCheckers).toBe(before + 1);
    first.disconnect();
    second.disconnect();
    await expect.poll(() => live.liveCheckers).toBe(before);
  });

  it("starts no checker for a tab that left while its cluster was starting", async () => {
    // The real driver behind a gate, so the tab can leave before its cluster is ready.
    let openGate = () => undefined as void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const gated: ClusterDriver = {
      name: "sim",
      acquire: async (id) => (await gate, clusters.acquire(id)),
      ensureShape: (id, shape) => clusters.ensureShape(id, shape),
      release: (id) => clusters.release(id),
      close: () => Promise.resolve(),
    };
    const slowServer = http.createServer();
    const slow = new LiveServer(slowServer, options(gated));
    try {
      const tab = openTab("dan", await listen(slowServer));
      tab.emit("lesson:watch", { lesson: "why-orchestration" }, () => undefined);
      // Events are handled in order: once this answers, the watch is waiting for the cluster.
      await tab.emitWithAck("terminal:restart");
      tab.disconnect();
      await expect.poll(() => slow.io.sockets.sockets.size).toBe(0);
      openGate();
      await clusters.acquire("dan");
      await new Promise((resolve) => setImmediate(resolve));
      expect(slow.liveCheckers).toBe(0);
    } finally {
      await slow.close();
      slowServer.close();
    }
  });

  it("gives two tabs of one learner the same shell, and replays it to a tab that comes back", async () => {
    const first = openTab("bob");
    const second = openTab("bob");
    const one = screen(first);
    const two = screen(second);
    await expect(first.emitWithAck("terminal:attach", { cols: 100, rows: 30 })).resolves.toEqual({ ok: true });
    await expect(second.emitWithAck("terminal:attach", { cols: 100, rows: 30 })).resolves.toEqual({ ok: true });
    await one.waitFor(/learner@course/);

    first.emit("terminal:input", "echo together-$((40+2))\r");
    await two.waitFor(/together-42/);
    second.emit("terminal:input", "kubectl get nodes\r");
    await one.waitFor(/controlplane\s+Ready\s+control-plane/);

    second.disconnect();
    const again = openTab("bob");
    const three = screen(again);
    await expect(again.emitWithAck("terminal:attach", { cols: 100, rows: 30 })).resolves.toEqual({ ok: true });
    await three.waitFor(/together-42[\s\S]*controlplane/);
  });
});
