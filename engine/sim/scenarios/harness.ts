// Scenario helpers: one sim cluster per test file on a ManualClock, driven by
// the real /usr/bin/kubectl the way a learner's terminal drives it (through
// test-kubectl.ts), with in-process reads of the store so tests can wait on
// conditions (all pods Running, a rollout done) by moving the clock, never by
// sleeping. Used by the scenario tests only; never by production code.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { expect } from "vitest";
import type { SimCluster } from "../cluster/cluster";
import type { ResourceType } from "../registry";
import { lines } from "../conformance/harness";
import { advanceClock, startKubectlCluster, until, whileAdvancing, type KubectlCluster, type KubectlResult } from "../test-kubectl";
import type { KObject, Pod } from "../types";

export { expectRows, lines, table } from "../conformance/harness";

export interface Scenario extends KubectlCluster {
  cluster: SimCluster;
  /** Run kubectl, fail with its stderr unless it exits 0, and return stdout. */
  ok(...args: string[]): Promise<string>;
  /** Run kubectl with `input` on stdin, failing unless it exits 0. */
  okWithInput(input: string, ...args: string[]): Promise<string>;
  /** Move the clock `ms` in steps, letting the reconcile loops run between them. */
  advance(ms: number, step?: number): Promise<void>;
  /** Move the clock (at most `maxMs`) until `check` holds; fails with `what` otherwise. */
  settle(what: string, check: () => boolean, maxMs?: number): Promise<void>;
  /** Run a kubectl that waits on the cluster (rollout status, drain, wait) while the clock moves. */
  waiting(run: Promise<KubectlResult>, maxMs?: number): Promise<KubectlResult>;
  /** Objects of `plural` in `group` (core: ""), straight from the store. */
  list(group: string, plural: string, namespace?: string): KObject[];
  get(group: string, plural: string, name: string, namespace?: string): KObject | undefined;
  /** Pods whose labels include every pair of `labels`, not being deleted. */
  pods(labels?: Record<string, string>, namespace?: string): Pod[];
  /** Write a file (a manifest) in the test's directory; returns its path. */
  file(name: string, text: string): Promise<string>;
}

const STEP_MS = 200;

/** A fresh learner cluster (controlplane, node01, node02) reached by the real kubectl. */
export async function startScenario(learner: string): Promise<Scenario> {
  const h = await startKubectlCluster(learner);
  const cluster = await h.driver.cluster(learner);
  if (!cluster) throw new Error(`no cluster for ${learner}`);
  const type = (group: string, plural: string): ResourceType => {
    const found = cluster.registry.types.find((t) => t.group === group && t.plural === plural);
    if (!found) throw new Error(`no resource type ${plural}.${group}`);
    return found;
  };
  const list = (group: string, plural: string, namespace = "default"): KObject[] => {
    const t = type(group, plural);
    return cluster.service.list(t, t.namespaced ? namespace : undefined).items;
  };
  const ok = async (result: Promise<KubectlResult>, args: string[]): Promise<string> => {
    const r = await result;
    if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  };
  return {
    ...h,
    cluster,
    ok: (...args) => ok(h.kubectl(...args), args),
    okWithInput: (input, ...args) => ok(h.kubectlWithInput(input, ...args), args),
    advance: (ms, step = STEP_MS) => advanceClock(h.clock, ms, step),
    async settle(what, check, maxMs = 120_000) {
      for (let t = 0; t <= maxMs; t += STEP_MS) {
        if (check()) return;
        await advanceClock(h.clock, STEP_MS, STEP_MS);
      }
      throw new Error(`${what}: still not true after ${maxMs} ms of cluster time`);
    },
    waiting: (run, maxMs = 60_000) => whileAdvancing(h.clock, run, maxMs),
    list,
    get(group, plural, name, namespace = "default") {
      const t = type(group, plural);
      return cluster.service.find(t, t.namespaced ? namespace : undefined, name);
    },
    pods(labels = {}, namespace = "default") {
      return (list("", "pods", namespace) as Pod[]).filter((p) => !p.metadata.deletionTimestamp && Object.entries(labels).every(([k, v]) => p.metadata.labels?.[k] === v));
    },
    async file(name, text) {
      const file = path.join(h.dir, name);
      await writeFile(file, text);
      return file;
    },
  };
}

/** The pod is Running with every container ready. */
export function isReady(pod: Pod): boolean {
  return pod.status?.phase === "Running" && (pod.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

/** `count` pods match `labels`, all Running and ready (and none of them terminating). */
export function readyPods(s: Scenario, labels: Record<string, string>, count: number, namespace = "default"): () => boolean {
  return () => {
    const all = (s.list("", "pods", namespace) as Pod[]).filter((p) => Object.entries(labels).every(([k, v]) => p.metadata.labels?.[k] === v));
    return all.length === count && all.every((p) => !p.metadata.deletionTimestamp && isReady(p));
  };
}

/** The Events table of `kubectl describe` as [Type, Reason, From, Message] rows (ages are kubectl's local-clock view, left out). */
export function describedEvents(described: string): string[][] {
  const section = described.slice(described.lastIndexOf("\nEvents:") + 1);
  // "Events:", the header, its dashes; then one row per event.
  return lines(section)
    .slice(3)
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const [type = "", reason = "", , from = "", ...message] = line.trim().split(/\s{2,}/);
      return [type, reason, from, message.join("  ")];
    });
}

/** The value of a `Field:  value` line of `kubectl describe` (first match), or undefined. */
export function describedField(described: string, field: string): string | undefined {
  const line = lines(described).find((l) => l.trimStart().startsWith(`${field}:`));
  return line?.slice(line.indexOf(":") + 1).trim();
}

export interface Terminal {
  /** Everything the terminal showed so far (\r\n line ends, as a tty prints them). */
  output(): string;
  write(text: string): void;
  /** Wait (real time: kubectl streams in real time) until the output contains `text`. */
  expectOutput(text: string): Promise<void>;
  exit: Promise<number>;
}

/** Run kubectl in a pseudo-terminal (node-pty), as `kubectl exec -ti` in a learner's terminal. */
export async function terminal(s: KubectlCluster, ...args: string[]): Promise<Terminal> {
  const { spawn } = await import("node-pty");
  const term = spawn("/usr/bin/kubectl", ["--kubeconfig", s.kubeconfig, ...args], { name: "xterm", cols: 200, rows: 40, env: { HOME: s.dir, PATH: "/usr/bin:/bin", TERM: "xterm" } });
  let out = "";
  term.onData((d) => (out += d));
  const exit = new Promise<number>((resolve) => term.onExit(({ exitCode }) => resolve(exitCode)));
  return {
    output: () => out,
    write: (text) => term.write(text),
    expectOutput: (text) => until(() => out.includes(text), `${JSON.stringify(text)} in ${JSON.stringify(out)}`),
    exit,
  };
}

/** `kubectl proxy` as a learner runs it in a second terminal (on a free port): its base URL, and a stop. */
export async function kubectlProxy(s: KubectlCluster): Promise<{ url: string; stop(): void }> {
  const proxy: ChildProcessWithoutNullStreams = spawn("/usr/bin/kubectl", ["--kubeconfig", s.kubeconfig, "proxy", "--port=0"], { env: { NODE_ENV: "test", HOME: s.dir, PATH: "/usr/bin:/bin" } });
  const port = await new Promise<string>((resolve, reject) => {
    let out = "";
    proxy.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const serving = /^Starting to serve on 127\.0\.0\.1:(\d+)\n/.exec(out);
      if (serving?.[1]) resolve(serving[1]);
    });
    proxy.on("exit", (code) => reject(new Error(`kubectl proxy exited ${String(code)}: ${out}`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => proxy.kill() };
}

/** Expect a kubectl run to succeed with exactly `stdout` and nothing on stderr. */
export function expectOutput(result: KubectlResult, stdout: string): void {
  expect({ stdout: result.stdout, stderr: result.stderr, code: result.code }).toEqual({ stdout, stderr: "", code: 0 });
}
