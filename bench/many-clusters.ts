// (d) 200 clusters, each answering one request per second: p99 under 50 ms.
// This process is the server: one SimDriver (real clock) with 200 clusters,
// each given 5 pods through the API. A child process is the load generator
// (as kubectl would be a separate process): open loop, 200 requests/s spread
// evenly (one every 5 ms, cluster i at offset i*5 ms of each second), each
// `kubectl get pods` (Table list, kubectl's Accept header) on a new connection
// to that cluster's unix socket (the sandbox's path). Latency is measured in
// the client from the request being sent to the last byte of the answer; how
// late the client sent against its schedule is reported too. The run is
// bounded: fixed duration, per-request timeout, a kill timer on the child.
import { fork } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { realClock } from "../engine/clock";
import { SimDriver } from "../engine/sim";
import { createPods, getPodsTable, podPhases, type Target } from "./kube";
import { heading, info, judge, latencies, machine, ms, runIfMain, sleep, summarize } from "./stats";

const CLUSTERS = 200;
const PODS_PER_CLUSTER = 5;
const DURATION_S = 15;
const REQUEST_TIMEOUT_MS = 5_000;
const TARGET_P99_MS = 50;

interface LoadPlan {
  targets: Target[];
  durationS: number;
}

interface LoadResult {
  sent: number;
  ok: number;
  errors: string[];
  latencies: number[];
  lags: number[];
  elapsedMs: number;
}

/** The load generator (child process): receives a plan, sends the results back. */
async function client(plan: LoadPlan): Promise<LoadResult> {
  const interval = 1000 / plan.targets.length;
  const total = plan.targets.length * plan.durationS;
  const result: LoadResult = { sent: 0, ok: 0, errors: [], latencies: [], lags: [], elapsedMs: 0 };
  const inflight = new Set<Promise<void>>();
  const start = performance.now() + 100;
  const one = async (target: Target, due: number): Promise<void> => {
    const sentAt = performance.now();
    result.lags.push(sentAt - due);
    result.sent++;
    try {
      const reply = await Promise.race([
        getPodsTable(target),
        sleep(REQUEST_TIMEOUT_MS).then(() => {
          throw new Error(`timeout after ${REQUEST_TIMEOUT_MS} ms`);
        }),
      ]);
      const latency = performance.now() - sentAt;
      if (reply.status !== 200) throw new Error(`HTTP ${reply.status}`);
      result.latencies.push(latency);
      result.ok++;
    } catch (error) {
      if (result.errors.length < 10) result.errors.push(String(error));
      else result.errors.push("");
    }
  };
  for (let k = 0; k < total; k++) {
    const due = start + k * interval;
    for (let i = 0; i < 100 && performance.now() < due; i++) await sleep(Math.max(1, Math.ceil(due - performance.now())));
    const target = plan.targets[k % plan.targets.length] ?? {};
    const p = one(target, due).finally(() => inflight.delete(p));
    inflight.add(p);
  }
  await Promise.all(inflight);
  result.elapsedMs = performance.now() - start;
  return result;
}

function runLoad(plan: LoadPlan): Promise<LoadResult> {
  const script = fileURLToPath(import.meta.url);
  const child = fork(script, ["--client"], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise((resolve, reject) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), (plan.durationS + 60) * 1000);
    child.once("message", (message) => {
      clearTimeout(kill);
      resolve(message as LoadResult);
      child.disconnect();
    });
    child.once("exit", (code, signal) => {
      clearTimeout(kill);
      reject(new Error(`load generator exited (${signal ?? code}) without results`));
    });
    child.send(plan);
  });
}

async function server(): Promise<void> {
  heading(`many clusters (d): ${CLUSTERS} clusters x 1 req/s`);
  info("machine", machine());
  const dir = await mkdtemp(path.join(tmpdir(), "bench-many-"));
  const driver = new SimDriver({ clock: realClock, runtimeDir: path.join(dir, "runtime") });
  try {
    const targets: Target[] = [];
    const setupStart = performance.now();
    for (let i = 0; i < CLUSTERS; i++) {
      const lease = await driver.acquire(`learner-${i}`);
      const target: Target = { socketPath: lease.access.socketPath, token: lease.access.token, ca: lease.access.ca };
      await createPods(target, PODS_PER_CLUSTER);
      targets.push(target);
    }
    let running = 0;
    for (let i = 0; i < 30; i++) {
      running = 0;
      for (const target of targets) running += (await podPhases(target)).Running ?? 0;
      if (running >= CLUSTERS * PODS_PER_CLUSTER) break;
      await sleep(1000);
    }
    info("setup", `${CLUSTERS} clusters, ${running}/${CLUSTERS * PODS_PER_CLUSTER} pods Running, in ${ms(performance.now() - setupStart)}`);

    const delay = monitorEventLoopDelay({ resolution: 1 });
    const cpuBefore = process.cpuUsage();
    const eluBefore = performance.eventLoopUtilization();
    delay.enable();
    const result = await runLoad({ targets, durationS: DURATION_S });
    delay.disable();
    const elu = performance.eventLoopUtilization(eluBefore);
    const cpu = process.cpuUsage(cpuBefore);

    const seconds = result.elapsedMs / 1000;
    info("load", `${result.sent} requests in ${seconds.toFixed(1)} s (${(result.sent / seconds).toFixed(0)}/s), ${result.ok} ok, ${result.errors.length} failed`);
    const shown = result.errors.filter(Boolean);
    if (shown.length) info("  first errors", shown.join("; "));
    info("client send lag vs schedule", latencies(summarize(result.lags), ["p50", "p99", "max"]));
    info(
      "server process during load",
      `cpu ${(((cpu.user + cpu.system) / 1000 / result.elapsedMs) * 100).toFixed(0)}% of a core  event loop busy ${(elu.utilization * 100).toFixed(0)}%  loop delay p99 ${ms(delay.percentile(99) / 1e6)} max ${ms(delay.max / 1e6)}`,
    );
    const stats = summarize(result.latencies);
    const pass = stats.p99 < TARGET_P99_MS && result.errors.length === 0 && result.ok > 0;
    judge("get pods latency, 200 req/s", `${latencies(stats, ["p50", "p95", "p99", "max"])}  n ${stats.n}`, `p99 < ${TARGET_P99_MS} ms, no errors`, pass);
  } finally {
    await driver.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function main(): Promise<void> {
  if (!process.argv.includes("--client")) return server();
  const plan = await new Promise<LoadPlan>((resolve) => process.once("message", (m) => resolve(m as LoadPlan)));
  const result = await client(plan);
  // Disconnect only once the (possibly large) message is flushed.
  await new Promise<void>((resolve) => (process.send ? process.send(result, () => resolve()) : resolve()));
  process.disconnect?.();
}

runIfMain(import.meta.url, main);
