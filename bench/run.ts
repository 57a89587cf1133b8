// `npm run bench` runs every benchmark; `npm run bench -- create get-pods` runs
// the named ones. Each runs in its own `node --expose-gc` process so heap and
// JIT state do not leak between them. Exits non-zero if any target is missed
// (a benchmark exits 1) or a benchmark fails to run (any other code).
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { heading, info, machine } from "./stats";

const BENCHMARKS = {
  create: { file: "cluster-create.ts", what: "(a) creating a sim cluster, p95 < 20 ms" },
  heap: { file: "idle-heap.ts", what: "(b) 1,000 idle clusters < 1 GiB heap" },
  "get-pods": { file: "get-pods.ts", what: "(c) kubectl get pods, 100 pods, server p99 < 5 ms" },
  many: { file: "many-clusters.ts", what: "(d) 200 clusters x 1 req/s, p99 < 50 ms" },
  scale: { file: "scale-settle.ts", what: "(e) scale 1 -> 100 replicas settles in < 100 ms of CPU" },
  active: { file: "active-heap.ts", what: "(f) 1,000 active clusters x 20 pods < 2 GiB" },
  terminal: { file: "terminal-prompt.ts", what: "(g) a learner shell's first prompt, median < 500 ms" },
} as const;
type Name = keyof typeof BENCHMARKS;

const TIMEOUT_MS = 10 * 60_000;

function isName(name: string): name is Name {
  return Object.hasOwn(BENCHMARKS, name);
}

function runOne(name: Name): Promise<number> {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), BENCHMARKS[name].file);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", script], { stdio: "inherit" });
    const timer = setTimeout(() => child.kill("SIGKILL"), TIMEOUT_MS);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve(signal ? 128 : (code ?? 1));
    });
  });
}

async function main(): Promise<void> {
  const asked = process.argv.slice(2).filter((a) => a !== "--");
  const unknown = asked.filter((a) => !isName(a));
  if (unknown.length) {
    console.error(`unknown benchmark: ${unknown.join(", ")}. Known:`);
    for (const [name, { what }] of Object.entries(BENCHMARKS)) console.error(`  ${name.padEnd(9)} ${what}`);
    process.exitCode = 2;
    return;
  }
  const names = asked.length ? asked.filter(isName) : (Object.keys(BENCHMARKS) as Name[]);
  info("machine", machine());
  const outcomes: [Name, number][] = [];
  for (const name of names) outcomes.push([name, await runOne(name)]);
  heading("summary");
  for (const [name, code] of outcomes) info(name, code === 0 ? "all targets met" : code === 1 ? "TARGET MISSED" : `ERROR (exit ${code})`);
  if (outcomes.some(([, code]) => code !== 0)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 2;
});
