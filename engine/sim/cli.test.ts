// `npm run sim` as a learner (or the conformance suite) uses it: a child
// process that writes a kubeconfig, serves HTTPS until SIGTERM, then cleans up.
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { access, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows } from "./test-kubectl";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
let dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "sim-cli-test-"));
});

afterAll(async () => {
  for (const child of children) {
    if (!child.pid) continue;
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // The whole group is gone already.
    }
  }
  await rm(dir, { recursive: true, force: true });
});

function startSim(...args: string[]): { child: ChildProcess; ready: Promise<string>; exited: Promise<number | null>; stderr: () => string } {
  // Its own process group, as a shell gives a foreground job (and so afterAll can end what is left).
  const child = spawn("npm", ["run", "--silent", "sim", "--", ...args], { cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  let err = "";
  child.stderr?.on("data", (chunk: Buffer) => (err += chunk.toString()));
  // "close": every process holding its output (npm, tsx, node) is gone.
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("\n")) resolve(out.trim());
    });
    void exited.then((code) => reject(new Error(`npm run sim exited (${code}) before it was ready: ${err}`)));
  });
  return { child, ready, exited, stderr: () => err };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("npm run sim", () => {
  it("serves one cluster to the learner's own kubectl, then cleans up on Ctrl-C", async () => {
    const kubeconfig = path.join(dir, "config");
    const port = await freePort();
    const sim = startSim("--kubeconfig", kubeconfig, "--port", String(port));
    const line = await sim.ready;
    expect(line).toBe(`sim cluster ready at https://127.0.0.1:${port}; kubeconfig written to ${kubeconfig}`);
    const env = { NODE_ENV: "test" as const, HOME: dir, PATH: "/usr/bin:/bin", KUBECONFIG: kubeconfig };
    const { stdout } = await run("/usr/bin/kubectl", ["get", "nodes"], { env });
    expect(rows(stdout).map((r) => r[0])).toEqual(["NAME", "controlplane", "node01", "node02"]);
    const whoami = await run("/usr/bin/kubectl", ["auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"], { env });
    expect(whoami.stdout).toBe("kubernetes-admin");

    // As Ctrl-C in a terminal would: the whole foreground group (npm, sh, tsx, node) gets the signal.
    process.kill(-(sim.child.pid ?? 0), "SIGINT");
    await sim.exited;
    await expect(access(kubeconfig)).rejects.toThrow();
  });

  it("refuses to overwrite a kubeconfig it did not write", async () => {
    const kubeconfig = path.join(dir, "precious");
    await writeFile(kubeconfig, "apiVersion: v1\nkind: Config\n");
    const sim = startSim("--kubeconfig", kubeconfig);
    await expect(sim.ready).rejects.toThrow(/not written by npm run sim/);
    expect(await sim.exited).toBe(2);
    await access(kubeconfig);
  });
});
