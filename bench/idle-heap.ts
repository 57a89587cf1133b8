// (b) 1,000 idle sim clusters fit in under 1 GiB of heap.
// Each phase runs in its own `node --expose-gc` child so one cannot skew the
// other: `sim` makes 1,000 clusters with createSimCluster alone, `driver`
// acquires 1,000 learners from one SimDriver (adding per-cluster unix socket
// servers and the driver's maps). heapUsed is read after forced full GCs,
// before and after, once the clusters' queued work has gone quiet.
// Afterwards everything is disposed and the heap read again (a leak check).
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { realClock } from "../engine/clock";
import { createSimCluster, SimDriver, type SimCluster } from "../engine/sim";
import { bytes, collectedMemory, heading, info, judge, type Memory, ms, runIfMain, settle, sleep } from "./stats";

const CLUSTERS = 1000;
const TARGET_BYTES = 1024 ** 3;
const PHASES = ["sim", "driver"] as const;
type Phase = (typeof PHASES)[number];



function report(label: string, before: Memory, after: Memory, elapsed: number): void {
  const delta = after.heapUsed - before.heapUsed;
  info(`${label}: made in`, `${ms(elapsed)} (${ms(elapsed / CLUSTERS)} each)`);
  info(`${label}: heap per cluster`, `${bytes(delta / CLUSTERS)}  (heap delta ${bytes(delta)} for ${CLUSTERS})`);
  info(
    `${label}: external / rss delta`,
    `external ${bytes(after.external - before.external)}  rss ${bytes(after.rss - before.rss)} (rss now ${bytes(after.rss)})`,
  );
  judge(
    `${label}: heapUsed, ${CLUSTERS} idle`,
    `${bytes(after.heapUsed)} (baseline ${bytes(before.heapUsed)})`,
    `< ${bytes(TARGET_BYTES)}`,
    after.heapUsed < TARGET_BYTES,
  );
}

async function phaseSim(): Promise<void> {
  const before = await collectedMemory();
  const start = performance.now();
  const clusters: SimCluster[] = [];
  for (let i = 0; i < CLUSTERS; i++) {
    clusters.push(createSimCluster({ clock: realClock }));
    if (i % 50 === 49) await settle();
  }
  const elapsed = performance.now() - start;
  await sleep(500);
  const after = await collectedMemory();
  report("createSimCluster", before, after, elapsed);
  for (const cluster of clusters) cluster.dispose();
  clusters.length = 0;
  await sleep(100);
  info("createSimCluster: after dispose", `heapUsed ${bytes((await collectedMemory()).heapUsed)}`);
}

async function phaseDriver(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), "bench-heap-"));
  const driver = new SimDriver({ clock: realClock, runtimeDir: path.join(dir, "runtime") });
  try {
    await driver.acquire("warm-the-http-server");
    await driver.release("warm-the-http-server");
    const before = await collectedMemory();
    const start = performance.now();
    for (let i = 0; i < CLUSTERS; i++) await driver.acquire(`learner-${i}`);
    const elapsed = performance.now() - start;
    await sleep(500);
    const after = await collectedMemory();
    report("SimDriver.acquire", before, after, elapsed);
  } finally {
    await driver.close();
    await rm(dir, { recursive: true, force: true });
  }
  await sleep(100);
  info("SimDriver: after close", `heapUsed ${bytes((await collectedMemory()).heapUsed)}`);
}

function child(phase: Phase): Promise<number> {
  const script = fileURLToPath(import.meta.url);
  // A roomy old space so a miss is measured rather than crashing at the default limit.
  const args = ["--expose-gc", "--max-old-space-size=4096", "--import", "tsx", script, `--phase=${phase}`];
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, args, { stdio: "inherit" });
    const timer = setTimeout(() => proc.kill("SIGKILL"), 180_000);
    proc.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (signal) console.error(`idle-heap ${phase}: killed by ${signal}`);
      resolve(code ?? 1);
    });
  });
}

export async function main(): Promise<void> {
  const phase = process.argv.find((a) => a.startsWith("--phase="))?.slice("--phase=".length);
  if (phase === "sim") return phaseSim();
  if (phase === "driver") return phaseDriver();
  heading(`idle heap (b): ${CLUSTERS} clusters`);
  for (const p of PHASES) {
    const code = await child(p);
    if (code !== 0) process.exitCode = code;
  }
}

runIfMain(import.meta.url, main);
