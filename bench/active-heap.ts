// (f) 1,000 active clusters with 20 pods each stay under 2 GiB.
// In a child (`--expose-gc --max-old-space-size=4096`, so a miss is measured
// rather than crashing): 1,000 clusters, each on its own ManualClock, each
// with a 20-replica nginx Deployment. The clocks are stepped together (1 s
// steps) until every pod is Running, then for a few more minutes of clock
// time, so the parts stay busy the way a live cluster does: kubelets renew
// their Leases every 10 s and post node status, the node-lifecycle
// controller checks them, controllers resync. Then full GCs and
// `process.memoryUsage()`: judged on heapUsed and on RSS.
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { ManualClock } from "../engine/clock";
import { createSimCluster, type ResourceType, type SimCluster } from "../engine/sim";
import { bytes, collectedMemory, heading, info, judge, ms, runIfMain, settle } from "./stats";

const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 1000);
const REPLICAS = 20;
const STEP_MS = 1000;
const START_MS = 30_000;
const ACTIVE_MS = 5 * 60_000;
/** Clusters stepped between two turns of the event loop (their reconcile work drains in between). */
const BATCH = 50;
const TARGET_BYTES = 2 * 1024 ** 3;

interface Live {
  clock: ManualClock;
  cluster: SimCluster;
}



function deployment(): object {
  const labels = { app: "web" };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", labels },
    spec: { replicas: REPLICAS, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: "nginx", image: "nginx:1.27" }] } } },
  };
}

/** Step every cluster's clock by `total` ms in STEP_MS steps, letting each batch's reconcile work run. */
async function stepAll(clusters: Live[], total: number): Promise<void> {
  for (let done = 0; done < total; done += STEP_MS) {
    for (let i = 0; i < clusters.length; i++) {
      (clusters[i] as Live).clock.advance(STEP_MS);
      if (i % BATCH === BATCH - 1) await settle();
    }
    await settle();
  }
}

/** Clusters whose web Deployment is not fully available with REPLICAS Running pods. */
function unsettled(clusters: Live[]): number {
  let count = 0;
  for (const { cluster } of clusters) {
    const pods = cluster.registry.find("", "v1", "pods") as ResourceType;
    const deployments = cluster.registry.find("apps", "v1", "deployments") as ResourceType;
    const running = cluster.service.list(pods, "default", { labelSelector: "app=web" }).items.filter((p) => (p.status as { phase?: string } | undefined)?.phase === "Running");
    const available = (cluster.service.get(deployments, "default", "web").status as { availableReplicas?: number } | undefined)?.availableReplicas;
    if (running.length !== REPLICAS || available !== REPLICAS) count++;
  }
  return count;
}

async function phaseRun(): Promise<void> {
  const before = await collectedMemory();
  const start = performance.now();
  const clusters: Live[] = [];
  for (let i = 0; i < CLUSTERS; i++) {
    const clock = new ManualClock();
    const cluster = createSimCluster({ clock });
    cluster.service.create(cluster.registry.find("apps", "v1", "deployments") as ResourceType, "default", deployment() as never);
    clusters.push({ clock, cluster });
    if (i % BATCH === BATCH - 1) await settle();
  }
  const created = performance.now();
  await stepAll(clusters, START_MS);
  const started = performance.now();
  const notReady = unsettled(clusters);
  info("made, started", `${CLUSTERS} clusters in ${ms(created - start)}; ${START_MS / 1000} s of clock to start ${REPLICAS} pods each took ${ms(started - created)}`);
  if (notReady) throw new Error(`${notReady} clusters do not run ${REPLICAS} available pods after ${START_MS / 1000} s of clock`);
  const cpuBefore = process.cpuUsage();
  await stepAll(clusters, ACTIVE_MS);
  const cpu = process.cpuUsage(cpuBefore);
  const active = performance.now();
  info(
    "active",
    `${ACTIVE_MS / 60_000} min of clock on every cluster in ${ms(active - started)} (cpu ${ms((cpu.user + cpu.system) / 1000)}, ${ms((cpu.user + cpu.system) / 1000 / CLUSTERS / (ACTIVE_MS / 60_000))} per cluster per clock minute)`,
  );
  const stillOk = unsettled(clusters);
  if (stillOk) throw new Error(`${stillOk} clusters lost pods while active`);
  const revisions = clusters.reduce((sum, { cluster }) => sum + cluster.store.revision, 0);
  const objects = clusters.reduce((sum, { cluster }) => sum + cluster.store.list("/").length, 0);
  info("store", `${Math.round(objects / CLUSTERS)} objects and ${Math.round(revisions / CLUSTERS)} revisions per cluster`);
  const after = await collectedMemory();
  info("heap per cluster", `${bytes((after.heapUsed - before.heapUsed) / CLUSTERS)}  (heap delta ${bytes(after.heapUsed - before.heapUsed)})`);
  info("external / heap committed", `${bytes(after.external)} / ${bytes(after.heapTotal)}`);
  judge(`heapUsed, ${CLUSTERS} active x ${REPLICAS} pods`, `${bytes(after.heapUsed)} (baseline ${bytes(before.heapUsed)})`, `< ${bytes(TARGET_BYTES)}`, after.heapUsed < TARGET_BYTES);
  judge(`rss, ${CLUSTERS} active x ${REPLICAS} pods`, bytes(after.rss), `< ${bytes(TARGET_BYTES)}`, after.rss < TARGET_BYTES);
  for (const { cluster } of clusters) cluster.dispose();
  clusters.length = 0;
  info("after dispose", `heapUsed ${bytes((await collectedMemory()).heapUsed)}`);
}

function child(): Promise<number> {
  const script = fileURLToPath(import.meta.url);
  const args = ["--expose-gc", "--max-old-space-size=4096", "--import", "tsx", script, "--phase=run"];
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, args, { stdio: "inherit" });
    const timer = setTimeout(() => proc.kill("SIGKILL"), 9 * 60_000);
    proc.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (signal) console.error(`active-heap: killed by ${signal}`);
      resolve(code ?? 1);
    });
  });
}

export async function main(): Promise<void> {
  if (process.argv.includes("--phase=run")) return phaseRun();
  heading(`active heap (f): ${CLUSTERS} clusters x ${REPLICAS} pods, ${ACTIVE_MS / 60_000} min of clock`);
  process.exitCode = await child();
}

runIfMain(import.meta.url, main);
