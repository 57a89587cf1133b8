// Conformance harness: one `npm run sim` cluster per test file (spawned as
// `node --import tsx engine/sim/cli.ts`, what `npm run sim` runs, without
// npm's start-up cost), reached by the real /usr/bin/kubectl with HOME in a
// temporary directory (kubectl's discovery cache stays per file).
// Used by the conformance tests only; never by production code.
import { execFile, spawn, type ChildProcess, type ExecFileException } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../../..");

export interface Run {
  stdout: string;
  stderr: string;
  code: number;
}

export interface RunOptions {
  /** Written to kubectl's stdin (for `-f -`). */
  input?: string;
  /** Extra environment (EDITOR, ...). */
  env?: Record<string, string>;
  /** Kill kubectl after this many ms (as `timeout` would); the result then has code 124. */
  killAfterMs?: number;
}

export interface Sim {
  dir: string;
  kubeconfig: string;
  /** https://127.0.0.1:PORT */
  server: string;
  kubectl(...args: string[]): Promise<Run>;
  kubectlWith(options: RunOptions, ...args: string[]): Promise<Run>;
  /** Run kubectl, fail (with its stderr) unless it exits 0, and return stdout. */
  ok(...args: string[]): Promise<string>;
  /** Write a file in the temporary directory; returns its path. */
  file(name: string, text: string): Promise<string>;
  /** Re-run `kubectl args` until its stdout matches `pattern` (5 s deadline); returns that stdout. */
  waitFor(pattern: RegExp, ...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/** Start one sim cluster (`npm run sim -- --kubeconfig FILE`) and wait for its ready line. */
export async function startSim(): Promise<Sim> {
  const dir = await mkdtemp(path.join(tmpdir(), "sim-conformance-"));
  const kubeconfig = path.join(dir, "kubeconfig");
  // Its own process group, so stop() ends node and anything it started.
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "engine/sim/cli.ts", "--kubeconfig", kubeconfig], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr?.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const server = await new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const ready = /sim cluster ready at (https:\/\/\S+);/.exec(out);
      if (ready?.[1]) resolve(ready[1]);
    });
    void exited.then(() => reject(new Error(`sim exited before it was ready: ${err}`)));
  });
  const baseEnv = { NODE_ENV: "test" as const, HOME: dir, PATH: "/usr/bin:/bin", KUBECONFIG: kubeconfig };

  const kubectlWith = (options: RunOptions, ...args: string[]): Promise<Run> =>
    new Promise((resolve) => {
      const kid = execFile(
        "/usr/bin/kubectl",
        args,
        { env: { ...baseEnv, ...options.env }, encoding: "utf8", maxBuffer: 16 * 1024 * 1024, timeout: options.killAfterMs ?? 20_000 },
        (error: ExecFileException | null, stdout: string, stderr: string) => {
          let code = 0;
          if (error) code = error.killed ? 124 : typeof error.code === "number" ? error.code : 1;
          resolve({ stdout, stderr, code });
        },
      );
      kid.stdin?.end(options.input);
    });
  const kubectl = (...args: string[]): Promise<Run> => kubectlWith({}, ...args);

  return {
    dir,
    kubeconfig,
    server,
    kubectl,
    kubectlWith,
    async ok(...args) {
      const r = await kubectl(...args);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
      return r.stdout;
    },
    async file(name, text) {
      const file = path.join(dir, name);
      await writeFile(file, text);
      return file;
    },
    async waitFor(pattern, ...args) {
      const deadline = Date.now() + 5_000;
      let last: Run | undefined;
      while (Date.now() < deadline) {
        last = await kubectl(...args);
        if (last.code === 0 && pattern.test(last.stdout)) return last.stdout;
      }
      throw new Error(`kubectl ${args.join(" ")} never matched ${pattern}; last output:\n${last?.stdout ?? ""}${last?.stderr ?? ""}`);
    },
    async stop() {
      try {
        if (child.pid) process.kill(-child.pid, "SIGTERM");
      } catch {
        // Already gone.
      }
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Lines of text, trailing blanks trimmed (kubectl pads table cells to column width). */
export function lines(text: string): string[] {
  return text
    .replace(/\n$/, "")
    .split("\n")
    .map((line) => line.trimEnd());
}

/** Cells of a kubectl table, split on runs of two or more spaces. */
export function table(text: string): string[][] {
  return lines(text).map((line) => line.trim().split(/\s{2,}/));
}

/** An age cell as kubectl prints it: 5s, 2m30s, 3h ... */
export const AGE = String.raw`\d+(?:s|m(?:\d+s)?|h(?:\d+m)?|d(?:\d+h)?|y(?:\d+d)?)`;

/** A regex from a row template: `<AGE>`, `<IP>`, `<NODE>`, `<SUFFIX>` are placeholders, runs of 2+ spaces match any such run, the rest is literal. */
export function row(template: string): RegExp {
  const escaped = template
    .split(/(<AGE>|<IP>|<NODE>|<SUFFIX>|\s{2,})/)
    .map((part) => {
      if (part === "<AGE>") return AGE;
      if (part === "<IP>") return String.raw`\d+\.\d+\.\d+\.\d+`;
      if (part === "<NODE>") return "(?:controlplane|node01|node02)";
      if (part === "<SUFFIX>") return "[a-z0-9]+";
      if (/^\s{2,}$/.test(part)) return String.raw`\s{2,}`;
      return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("");
  return new RegExp(`^${escaped}\\s*$`);
}

/** Expect each line of `text` to match its `row()` template (and as many lines); a mismatch shows both side by side. */
export function expectRows(text: string, templates: string[]): void {
  const got = lines(text);
  const matched = got.length === templates.length && templates.every((t, i) => row(t).test(got[i] ?? ""));
  if (!matched) expect(got.join("\n")).toBe(templates.join("\n"));
}
