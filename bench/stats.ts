// Shared helpers for the benchmarks: percentiles, formatting, and the one
// line per figure each benchmark prints (with its target and PASS/FAIL).
import os from "node:os";
import { pathToFileURL } from "node:url";

export interface Summary {
  n: number;
  min: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of an ascending array (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const total = sorted.reduce((sum, x) => sum + x, 0);
  return {
    n: sorted.length,
    min: sorted[0] ?? Number.NaN,
    mean: sorted.length ? total / sorted.length : Number.NaN,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

export function ms(value: number): string {
  if (!Number.isFinite(value)) return "n/a";
  return value < 10 ? `${value.toFixed(2)} ms` : value < 100 ? `${value.toFixed(1)} ms` : `${value.toFixed(0)} ms`;
}

export function bytes(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1024 ** 3) return `${(value / 1024 ** 3).toFixed(2)} GiB`;
  if (abs >= 1024 ** 2) return `${(value / 1024 ** 2).toFixed(1)} MiB`;
  if (abs >= 1024) return `${(value / 1024).toFixed(1)} KiB`;
  return `${value.toFixed(0)} B`;
}

/** "p50 3.10 ms  p95 7.00 ms ..." for the named percentiles of a summary. */
export function latencies(s: Summary, keys: readonly (keyof Summary)[] = ["p50", "p95", "p99", "max"]): string {
  return keys.map((k) => (k === "n" ? `n ${s.n}` : `${k} ${ms(s[k])}`)).join("  ");
}

const LABEL_WIDTH = 38;

/** A figure measured for context only: printed, never judged. */
export function info(label: string, figures: string): void {
  console.log(`${label.padEnd(LABEL_WIDTH)} ${figures}`);
}

/**
 * A judged figure: prints it with its target and PASS/FAIL, and marks the
 * process as failed (exit code 1) when the target is missed.
 */
export function judge(label: string, figures: string, target: string, pass: boolean): boolean {
  console.log(`${label.padEnd(LABEL_WIDTH)} ${figures}  (target ${target})  ${pass ? "PASS" : "FAIL"}`);
  if (!pass) process.exitCode = 1;
  return pass;
}

export function heading(title: string): void {
  console.log(`\n== ${title} ==`);
}

/** The machine the figures come from. */
export function machine(): string {
  const cpus = os.cpus();
  return `${cpus.length} cores (${cpus[0]?.model.trim() ?? "unknown cpu"}), ${bytes(os.totalmem())} RAM, node ${process.version}, ${os.platform()} ${os.release()}`;
}

/** A full garbage collection now (benchmarks run under `node --expose-gc`). */
export function forceGc(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with node --expose-gc");
  gc();
}

export interface Memory {
  heapUsed: number;
  heapTotal: number;
  external: number;
  rss: number;
}

/** Memory after several full collections, with the event loop turning between them (finalizers, weak refs). */
export async function collectedMemory(): Promise<Memory> {
  for (let i = 0; i < 4; i++) {
    forceGc();
    await settle();
  }
  const { heapUsed, heapTotal, external, rss } = process.memoryUsage();
  return { heapUsed, heapTotal, external, rss };
}

/** Wait for the microtasks and I/O callbacks already queued to run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function sleep(msToWait: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, msToWait));
}

/** Run `main` when the module with this `import.meta.url` is the script node was started with; errors exit with code 2. */
export function runIfMain(moduleUrl: string, main: () => Promise<void>): void {
  const script = process.argv[1];
  if (!script || moduleUrl !== pathToFileURL(script).href) return;
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 2;
  });
}
