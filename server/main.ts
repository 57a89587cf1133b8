// One Node process serves everything on one port: the Next.js app, socket.io
// (terminals, live checks) and the engine (clusters, sandboxes).
import http from "node:http";
import next from "next";
import { realClock } from "../engine/clock";
import { LiveServer } from "../engine/live";
import { SimDriver } from "../engine/sim";
import { TerminalHost } from "../engine/terminal";
import { loadEnv } from "../env";
import { findLesson } from "../lessons";
import { exercisesOf } from "../lessons/exercises";
import { applyMigrations, openDatabase } from "./db";
import { Learners, sessionSecret } from "./learners";
import { PrismaClusterStateStore } from "./cluster-state";
import { PrismaProgressStore } from "./progress";

function log(message: string, error?: unknown): void {
  const detail = error instanceof Error ? `: ${error.stack ?? error.message}` : error === undefined ? "" : `: ${JSON.stringify(error)}`;
  console.error(`[server] ${message}${detail}`);
}

/** Requests that render a page (and so may meet a learner for the first time). */
function isPageRequest(url: string): boolean {
  return !url.startsWith("/_next/") && !url.startsWith("/socket.io") && !/\.[a-z0-9]+(\?|$)/i.test(url);
}

async function main(): Promise<void> {
  const env = loadEnv();
  const applied = await applyMigrations(env.DATABASE_URL);
  if (applied.length) console.log(`[server] applied migrations: ${applied.join(", ")}`);
  const db = openDatabase(env.DATABASE_URL);
  const learners = new Learners(db, sessionSecret(env.SESSION_SECRET, env.DATA_DIR));

  const dev = env.NODE_ENV !== "production";
  const app = next({ dev, hostname: "localhost", port: env.PORT });
  await app.prepare();
  const handle = app.getRequestHandler();
  const upgradeNext = app.getUpgradeHandler();

  const server = http.createServer((request, response) => {
    void (async () => {
      try {
        if (isPageRequest(request.url ?? "/")) await learners.ensure(request, response);
        await handle(request, response);
      } catch (error) {
        log(`request ${request.method} ${request.url} failed`, error);
        if (!response.headersSent) response.writeHead(500, { "content-type": "text/plain" });
        response.end("Something went wrong on our side. Please reload the page.");
      }
    })();
  });

  const clock = realClock;
  // Clusters are saved to the database, so a restart loses no learner work.
  const clusters = new SimDriver({ clock, runtimeDir: env.RUNTIME_DIR, state: new PrismaClusterStateStore(db), log });
  const terminals = new TerminalHost({ runtimeDir: env.RUNTIME_DIR, clock, idleMs: env.TERMINAL_IDLE_MINUTES * 60_000 });
  const live = new LiveServer(server, {
    clusters,
    terminals,
    clock,
    progress: new PrismaProgressStore(db),
    identify: (request) => learners.identify(request),
    exercisesOf,
    lessonNeeds: findLesson,
    log,
  });
  // socket.io answers its own upgrades; the rest (Next's dev reload) go to Next.
  server.on("upgrade", (request: http.IncomingMessage, socket, head) => {
    if (!request.url?.startsWith("/socket.io")) void upgradeNext(request, socket, head);
  });

  await new Promise<void>((resolve) => server.listen(env.PORT, env.HOST, resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : env.PORT;
  console.log(`[server] ready on http://localhost:${port} (${dev ? "development" : "production"}, ${clusters.name} clusters)`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[server] ${signal}: stopping`);
    await live.close();
    await terminals.closeAll();
    await clusters.close();
    await db.$disconnect();
    server.close();
    await app.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((error: unknown) => {
  log("could not start", error);
  process.exit(1);
});
