// (a) Creating a sim cluster: p95 under 20 ms.
// Times createSimCluster alone (the synchronous call, and the call plus the
// reconcile work it queues, drained to the next macrotask) and
// SimDriver.acquire (which also makes the runtime dir and listens on the
// cluster's unix socket). Clusters stay alive while sampling, as on a server
// that keeps learners' clusters, and are disposed at the end.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { realClock } from "../engine/clock";
import { createSimCluster, SimDriver, type SimCluster } from "../engine/sim";
import { heading, info, judge, latencies, ms, runIfMain, settle, summarize } from "./stats";

const TARGET_P95_MS = 20;
const WARMUP = 20;
const SAMPLES = 300;
const DRIVER_SAMPLES = 200;

export async function main(): Promise<void> {
  heading("cluster create (a)");

  const clusters: SimCluster[] = [];
  const first = performance.now();
  clusters.push(createSimCluster({ clock: realClock }));
  await settle();
  info("first createSimCluster (cold)", ms(performance.now() - first));
  for (let i = 0; i < WARMUP; i++) {
    clusters.push(createSimCluster({ clock: realClock }));
    await settle();
  }

  const sync: number[] = [];
  const settled: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const start = performance.now();
    clusters.push(createSimCluster({ clock: realClock }));
    const created = performance.now();
    await settle();
    const done = performance.now();
    sync.push(created - start);
    settled.push(done - start);
  }
  for (const cluster of clusters) cluster.dispose();
  const syncStats = summarize(sync);
  info("createSimCluster (sync call)", `${latencies(syncStats, ["p50", "p95", "p99", "max"])}  n ${syncStats.n}`);
  const settledStats = summarize(settled);
  judge(
    "createSimCluster + queued work",
    `${latencies(settledStats, ["p50", "p95", "p99", "max"])}  n ${settledStats.n}`,
    `p95 < ${TARGET_P95_MS} ms`,
    settledStats.p95 < TARGET_P95_MS,
  );

  const dir = await mkdtemp(path.join(tmpdir(), "bench-create-"));
  const driver = new SimDriver({ clock: realClock, runtimeDir: path.join(dir, "runtime") });
  try {
    for (let i = 0; i < WARMUP; i++) await driver.acquire(`warmup-${i}`);
    const acquire: number[] = [];
    for (let i = 0; i < DRIVER_SAMPLES; i++) {
      const start = performance.now();
      await driver.acquire(`learner-${i}`);
      acquire.push(performance.now() - start);
    }
    const acquireStats = summarize(acquire);
    judge(
      "SimDriver.acquire (new learner)",
      `${latencies(acquireStats, ["p50", "p95", "p99", "max"])}  n ${acquireStats.n}`,
      `p95 < ${TARGET_P95_MS} ms`,
      acquireStats.p95 < TARGET_P95_MS,
    );
  } finally {
    await driver.close();
    await rm(dir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, main);
