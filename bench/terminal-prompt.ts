// (g) A learner's shell: from open() to the first prompt, in the real sandbox
// (setpriv, cgroups, bubblewrap, the socat forwarder) against a sim cluster.
// Needs root, bubblewrap and socat, as the terminal itself does.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { realClock } from "../engine/clock";
import { SimDriver } from "../engine/sim";
import { sandboxKubeconfig, TerminalHost, type TerminalSession } from "../engine/terminal";
import { heading, info, judge, latencies, ms, runIfMain, summarize } from "./stats";

const TARGET_P50_MS = 500;
const WARMUP = 2;
const SAMPLES = 15;
// The prompt bash prints for the learner, with its colour codes.
const PROMPT = /learner.*@.*course.*\$ /;

function untilPrompt(session: TerminalSession): Promise<void> {
  return new Promise((resolve) => {
    let seen = "";
    const attachment = session.attach({
      write: (data) => {
        seen += data;
        attachment.ack(data.length);
        if (PROMPT.test(seen)) resolve();
      },
      exit: () => resolve(),
    });
  });
}

export async function main(): Promise<void> {
  heading("terminal spawn-to-prompt (g)");
  const dir = await mkdtemp(path.join(tmpdir(), "bench-terminal-"));
  const clusters = new SimDriver({ clock: realClock, runtimeDir: path.join(dir, "clusters") });
  const host = new TerminalHost({ runtimeDir: path.join(dir, "terminals"), clock: realClock, idleMs: 60_000 });
  try {
    await host.ready();
    const lease = await clusters.acquire("bench");
    const open = async (learner: string): Promise<number> => {
      const started = performance.now();
      const session = await host.open(learner, { kubeconfig: sandboxKubeconfig(lease.access), apiSocketPath: lease.access.socketPath, size: { cols: 120, rows: 40 } });
      await untilPrompt(session);
      const elapsed = performance.now() - started;
      await session.close();
      return elapsed;
    };
    for (let i = 0; i < WARMUP; i++) await open(`warmup-${i}`);
    const samples: number[] = [];
    for (let i = 0; i < SAMPLES; i++) samples.push(await open(`learner-${i}`));
    const s = summarize(samples);
    info("spawn-to-prompt", latencies(s, ["p50", "p95", "max"]));
    judge("spawn-to-prompt median", ms(s.p50), `< ${TARGET_P50_MS} ms`, s.p50 < TARGET_P50_MS);
  } finally {
    await host.closeAll();
    await clusters.close();
    await rm(dir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, main);
