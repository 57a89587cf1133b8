// (e) `kubectl scale --replicas=100` on a 3-node cluster settles in under
// 100 ms of engine CPU. A fresh cluster per run (ManualClock, default nodes)
// with a 1-replica Deployment already Running; then exactly kubectl's
// requests over loopback HTTP (GET the Deployment, PATCH its scale
// subresource with a merge patch) and the clock stepped 100 ms at a time
// (image pulls, sandboxes and container starts all take clock time, which is
// free) until 100 pods are Running and Ready and the Deployment reports 100
// available. Judged: process CPU (user + system, `process.cpuUsage()`) from
// the PATCH to settled, minus the benchmark's own state checks; waiting for
// the event loop between steps is idle, not CPU.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ManualClock } from "../engine/clock";
import { createSimCluster, type ResourceType, type SimCluster } from "../engine/sim";
import { send, type Target } from "./kube";
import { forceGc, heading, info, judge, ms, runIfMain, settle, summarize } from "./stats";

const REPLICAS = 100;
// A server runs this path all day; ten runs let V8 settle its optimised code first.
const WARMUP = 10;
const RUNS = 15;
const STEP_MS = 100;
const MAX_STEPS = 1200;
const TARGET_CPU_MS = 100;
const DEPLOYMENT_PATH = "/apis/apps/v1/namespaces/default/deployments/web";
const USER_AGENT = "kubectl/v1.32.0 (linux/amd64) bench";

interface PodView {
  metadata: { deletionTimestamp?: string };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

interface Run {
  cpuMs: number;
  simulatedMs: number;
  steps: number;
}

/** CPU milliseconds (user + system) used by the process so far. */
function cpuNow(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}


function deployment(replicas: number): object {
  const labels = { app: "web" };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", labels },
    spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: "nginx", image: "nginx:1.27" }] } } },
  };
}

/** Every wanted pod Running and Ready, none terminating, and the Deployment's status saying so. */
function settled(cluster: SimCluster, replicas: number): boolean {
  const deployments = cluster.registry.find("apps", "v1", "deployments") as ResourceType;
  const pods = cluster.registry.find("", "v1", "pods") as ResourceType;
  const d = cluster.service.get(deployments, "default", "web");
  const status = (d.status ?? {}) as { observedGeneration?: number; replicas?: number; updatedReplicas?: number; readyReplicas?: number; availableReplicas?: number };
  if (status.observedGeneration !== d.metadata.generation) return false;
  if (status.replicas !== replicas || status.updatedReplicas !== replicas || status.readyReplicas !== replicas || status.availableReplicas !== replicas) return false;
  const list = cluster.service.list(pods, "default", { labelSelector: "app=web" }).items as PodView[];
  return (
    list.length === replicas &&
    list.every((p) => !p.metadata.deletionTimestamp && p.status?.phase === "Running" && p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True"))
  );
}

/**
 * Step the clock until settled. Returns the CPU spent outside the checks
 * (which are the benchmark's, not the engine's) and the clock time it took.
 */
async function driveUntilSettled(clock: ManualClock, cluster: SimCluster, replicas: number, startCpu: number): Promise<Run> {
  let checking = 0;
  const startClock = clock.now();
  for (let steps = 1; steps <= MAX_STEPS; steps++) {
    clock.advance(STEP_MS);
    await settle();
    const before = cpuNow();
    const done = settled(cluster, replicas);
    const after = cpuNow();
    checking += after - before;
    if (done) return { cpuMs: after - startCpu - checking, simulatedMs: clock.now() - startClock, steps };
  }
  throw new Error(`not settled after ${(MAX_STEPS * STEP_MS) / 1000} s of clock time`);
}

async function oneRun(): Promise<Run> {
  const clock = new ManualClock();
  const cluster = createSimCluster({ clock });
  const server: Server = createServer((req, res) => cluster.handleAuthenticated(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const target: Target = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  try {
    const created = await send(target, "POST", "/apis/apps/v1/namespaces/default/deployments", { "user-agent": USER_AGENT }, JSON.stringify(deployment(1)));
    if (created.status !== 201) throw new Error(`creating the deployment: HTTP ${created.status} ${created.body.toString().slice(0, 200)}`);
    await driveUntilSettled(clock, cluster, 1, cpuNow());
    forceGc();
    await settle();

    const start = cpuNow();
    const got = await send(target, "GET", DEPLOYMENT_PATH, { accept: "application/json", "user-agent": USER_AGENT });
    if (got.status !== 200) throw new Error(`getting the deployment: HTTP ${got.status}`);
    const patch = JSON.stringify({ spec: { replicas: REPLICAS } });
    const scaled = await send(target, "PATCH", `${DEPLOYMENT_PATH}/scale`, { "content-type": "application/merge-patch+json", "user-agent": USER_AGENT }, patch);
    if (scaled.status !== 200) throw new Error(`scaling: HTTP ${scaled.status} ${scaled.body.toString().slice(0, 200)}`);
    return await driveUntilSettled(clock, cluster, REPLICAS, start);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    cluster.dispose();
  }
}

export async function main(): Promise<void> {
  heading(`scale to ${REPLICAS} (e): 3 nodes, clock steps of ${STEP_MS} ms`);
  const cold = await oneRun();
  info("first run (cold JIT)", `cpu ${ms(cold.cpuMs)}, settled after ${cold.simulatedMs / 1000} s of clock in ${cold.steps} steps`);
  for (let i = 1; i < WARMUP; i++) await oneRun();
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await oneRun());
  const cpu = summarize(runs.map((r) => r.cpuMs));
  const clockTime = summarize(runs.map((r) => r.simulatedMs));
  info("clock time to settle", `p50 ${clockTime.p50 / 1000} s  max ${clockTime.max / 1000} s`);
  info("cpu per run", `min ${ms(cpu.min)}  mean ${ms(cpu.mean)}`);
  judge("engine cpu, scale -> settled", `median ${ms(cpu.p50)}  max ${ms(cpu.max)}  n ${cpu.n}`, `median < ${TARGET_CPU_MS} ms`, cpu.p50 < TARGET_CPU_MS);
}

runIfMain(import.meta.url, main);
