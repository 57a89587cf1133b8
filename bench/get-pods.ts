// (c) `kubectl get pods` with 100 pods: the server's share p99 under 5 ms.
// One cluster from a SimDriver (ManualClock, advanced until the 100 pods run).
// A timing HTTP server on 127.0.0.1 hands each request to the cluster and
// records the time from its 'request' event to the response's 'finish': that
// is the server's share. A local client sends the exact request kubectl sends
// (Table list, ?limit=500, kubectl's Accept header) one at a time.
// For context (not judged): the client-side round trip, the same request on
// the driver's shared port, and real `kubectl get pods` wall times.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { Agent, createServer, type Server } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import { ManualClock } from "../engine/clock";
import { renderKubeconfig } from "../engine/cluster";
import { SimDriver } from "../engine/sim";
import { createPods, getPodsTable, GET_PODS_PATH, podPhases, type Target } from "./kube";
import { bytes, heading, info, judge, latencies, runIfMain, settle, summarize } from "./stats";

const PODS = 100;
const WARMUP = 100;
const SAMPLES = 2000;
const KUBECTL_RUNS = 10;
const KUBECTL = "/usr/bin/kubectl";
const TARGET_P99_MS = 5;
const run = promisify(execFile);

interface Timed {
  url: string;
  ms: number;
}

export async function main(): Promise<void> {
  heading(`get pods (c): ${PODS} pods, Table list`);
  const dir = await mkdtemp(path.join(tmpdir(), "bench-get-pods-"));
  const clock = new ManualClock();
  const driver = new SimDriver({ clock, runtimeDir: path.join(dir, "runtime") });
  let timing: Server | undefined;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const lease = await driver.acquire("bench");
    const cluster = await driver.cluster("bench");
    if (!cluster) throw new Error("no cluster for the lease");

    const serverTimes: Timed[] = [];
    timing = createServer((req, res) => {
      const start = performance.now();
      res.on("finish", () => serverTimes.push({ url: req.url ?? "", ms: performance.now() - start }));
      // kubectl sends no token over plain http; this timing server is plain http
      // so that TLS stays out of the server's share, and serves it as the admin.
      if (req.headers.authorization) cluster.handle(req, res);
      else cluster.handleAuthenticated(req, res);
    });
    await new Promise<void>((resolve) => timing?.listen(0, "127.0.0.1", resolve));
    const timingUrl = `http://127.0.0.1:${(timing.address() as AddressInfo).port}`;
    const target: Target = { url: timingUrl, token: lease.access.token, agent };

    await createPods(target, PODS);
    let phases: Record<string, number> = {};
    for (let i = 0; i < 60; i++) {
      clock.advance(1000);
      await settle();
      phases = await podPhases(target);
      if ((phases.Running ?? 0) >= PODS) break;
    }
    info("pods in default", Object.entries(phases).map(([phase, n]) => `${phase} ${n}`).join(", "));

    const first = await getPodsTable(target);
    if (first.status !== 200) throw new Error(`get pods: HTTP ${first.status} ${first.body.toString().slice(0, 200)}`);
    const table = JSON.parse(first.body.toString()) as { kind?: string; rows?: unknown[] };
    info("response", `${table.kind ?? "?"} with ${table.rows?.length ?? 0} rows, ${bytes(first.body.length)}`);

    for (let i = 0; i < WARMUP; i++) await getPodsTable(target);
    serverTimes.length = 0;
    const client: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const start = performance.now();
      const reply = await getPodsTable(target);
      client.push(performance.now() - start);
      if (reply.status !== 200) throw new Error(`get pods: HTTP ${reply.status}`);
    }
    const server = summarize(serverTimes.map((t) => t.ms));
    judge("server: request -> finish", `${latencies(server, ["p50", "p95", "p99", "max"])}  n ${server.n}`, `p99 < ${TARGET_P99_MS} ms`, server.p99 < TARGET_P99_MS);
    info("client round trip (keep-alive)", latencies(summarize(client), ["p50", "p95", "p99", "max"]));

    const shared: number[] = [];
    const viaDriver: Target = { url: lease.access.server, token: lease.access.token, ca: lease.access.ca, agent: new HttpsAgent({ keepAlive: true, maxSockets: 1 }) };
    for (let i = 0; i < 500; i++) {
      const start = performance.now();
      await getPodsTable(viaDriver);
      shared.push(performance.now() - start);
    }
    info("client via driver's shared port", latencies(summarize(shared), ["p50", "p95", "p99", "max"]));

    if (!existsSync(KUBECTL)) {
      info("kubectl get pods", `skipped (${KUBECTL} not found)`);
      return;
    }
    const kubeconfig = path.join(dir, "kubeconfig");
    await writeFile(kubeconfig, renderKubeconfig({ server: timingUrl, token: lease.access.token }));
    const kubectl = async (): Promise<string> => {
      const env = { NODE_ENV: "production", HOME: dir, PATH: "/usr/bin:/bin" } as const;
      return (await run(KUBECTL, ["--kubeconfig", kubeconfig, "get", "pods"], { env, timeout: 30_000 })).stdout;
    };
    const lines = (await kubectl()).trim().split("\n").length; // warms kubectl's discovery cache
    serverTimes.length = 0;
    const walls: number[] = [];
    for (let i = 0; i < KUBECTL_RUNS; i++) {
      const start = performance.now();
      await kubectl();
      walls.push(performance.now() - start);
    }
    const listPath = GET_PODS_PATH.split("?")[0] ?? "";
    const kubectlServer = serverTimes.filter((t) => t.url.startsWith(listPath)).map((t) => t.ms);
    info(`kubectl get pods (${lines - 1} rows)`, `wall ${latencies(summarize(walls), ["p50", "min", "max"])}  n ${walls.length}`);
    info(
      "  its list request, server share",
      `${latencies(summarize(kubectlServer), ["p50", "max"])}  n ${kubectlServer.length}`,
    );
    const perRun = new Map<string, number>();
    for (const t of serverTimes) perRun.set(t.url, (perRun.get(t.url) ?? 0) + 1);
    info("  requests per kubectl run", [...perRun].map(([url, n]) => `${url} x${n / KUBECTL_RUNS}`).join(", "));
  } finally {
    agent.destroy();
    timing?.closeAllConnections();
    await new Promise<void>((resolve) => (timing ? timing.close(() => resolve()) : resolve()));
    await driver.close();
    await rm(dir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, main);
