// Test helpers: a real SimDriver cluster reached by the real /usr/bin/kubectl
// the way a learner's sandbox reaches it, through a TCP forwarder to the
// cluster's unix socket. The cluster speaks HTTPS; the kubeconfig carries its
// CA (kubectl sends no bearer token over plain http).
// Used by the tests next to the code; never by production code.
import { execFile, type ExecFileException } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect, createServer, type AddressInfo, type Server } from "node:net";
import { tmpdir } from "node:os";
import { request as httpsRequest } from "node:https";
import { Readable } from "node:stream";
import path from "node:path";
import { ManualClock } from "../clock";
import { renderKubeconfig, type ClusterLease } from "../cluster";
import { SimDriver } from "./driver";


export interface KubectlResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** fetch() for the sim's HTTPS endpoints, trusting `ca` (Node's fetch takes no CA option). Honours `signal`. */
export function fetchTls(url: string, init: RequestInit = {}, ca?: string): Promise<Response> {
  return new Promise((resolve, reject) => {
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const req = httpsRequest(url, { method: init.method ?? "GET", headers, ca }, (res) => {
      const responseHeaders = new Headers();
      for (const [key, value] of Object.entries(res.headers)) if (value !== undefined) responseHeaders.set(key, Array.isArray(value) ? value.join(", ") : value);
      resolve(new Response(Readable.toWeb(res) as ReadableStream<Uint8Array>, { status: res.statusCode ?? 500, headers: responseHeaders }));
    });
    req.on("error", reject);
    init.signal?.addEventListener("abort", () => req.destroy(new Error("aborted")), { once: true });
    req.end(typeof init.body === "string" ? init.body : undefined);
  });
}

/** What socat does inside a sandbox: 127.0.0.1:port -> the cluster's unix socket (TLS passes through: https://). */
export async function forward(socketPath: string): Promise<{ server: Server; url: string }> {
  const server = createServer((client) => {
    const upstream = connect(socketPath);
    client.pipe(upstream).pipe(client);
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `https://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Rows of kubectl's table output, split on runs of two or more spaces. */
export function rows(text: string): string[][] {
  return text
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s{2,}/));
}

/**
 * Poll (every 10 ms of real time) until `check` holds: for effects of a
 * concurrent kubectl. The 15 s deadline only bounds a failure; a loaded CI
 * machine can take seconds to start a kubectl process.
 */
export async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Advance a ManualClock `ms` in small steps, letting the reconcile loops run between them. */
export async function advanceClock(clock: ManualClock, ms: number, step = 200): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(step);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Run a kubectl command that waits (rollout status, drain) while the clock keeps moving. */
export async function whileAdvancing(clock: ManualClock, run: Promise<KubectlResult>, ms = 30_000): Promise<KubectlResult> {
  let done = false;
  const result = run.finally(() => (done = true));
  for (let t = 0; t < ms && !done; t += 200) {
    clock.advance(200);
    // A macrotask turn, so kubectl's requests get answered between steps.
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return result;
}

export interface KubectlCluster {
  dir: string;
  clock: ManualClock;
  driver: SimDriver;
  lease: ClusterLease;
  kubeconfig: string;
  /** Run /usr/bin/kubectl against the cluster; never throws. */
  kubectl(...args: string[]): Promise<KubectlResult>;
  /** Run kubectl with `input` on stdin (for `-f -`). */
  kubectlWithInput(input: string, ...args: string[]): Promise<KubectlResult>;
  /** fetch() against the shared HTTPS port (trusting the CA) with the cluster's bearer token (`token: null` for none). */
  api(pathname: string, init?: RequestInit & { token?: string | null }): Promise<Response>;
  close(): Promise<void>;
}

/** A fresh driver with one learner's cluster (booted from an etcd `snapshot` file when given), a forwarder and a kubeconfig in a temporary directory. */
export async function startKubectlCluster(learner = "learner-1", start = "2026-03-01T12:00:00Z", snapshot?: string | Uint8Array): Promise<KubectlCluster> {
  const dir = await mkdtemp(path.join(tmpdir(), "sim-test-"));
  const clock = new ManualClock(Date.parse(start));
  const driver = new SimDriver({ clock, runtimeDir: path.join(dir, "runtime") });
  const lease = snapshot === undefined ? await driver.acquire(learner) : await driver.restore(learner, snapshot);
  const fwd = await forward(lease.access.socketPath);
  const kubeconfig = path.join(dir, "kubeconfig");
  await writeFile(kubeconfig, renderKubeconfig({ server: fwd.url, token: lease.access.token, ca: lease.access.ca }));
  const env = { NODE_ENV: "test" as const, HOME: dir, PATH: "/usr/bin:/bin" };

  const kubectlWithInput = (input: string | undefined, ...args: string[]): Promise<KubectlResult> =>
    new Promise((resolve) => {
      const child = execFile("/usr/bin/kubectl", ["--kubeconfig", kubeconfig, ...args], { env, encoding: "utf8" }, (error: ExecFileException | null, stdout: string, stderr: string) => {
        resolve({ stdout, stderr, code: error ? (typeof error.code === "number" ? error.code : 1) : 0 });
      });
      if (input !== undefined) child.stdin?.end(input);
      else child.stdin?.end();
    });

  return {
    dir,
    clock,
    driver,
    lease,
    kubeconfig,
    kubectl: (...args) => kubectlWithInput(undefined, ...args),
    kubectlWithInput: (input, ...args) => kubectlWithInput(input, ...args),
    api(pathname, init = {}) {
      const headers = new Headers(init.headers);
      const token = init.token === undefined ? lease.access.token : init.token;
      if (token) headers.set("Authorization", `Bearer ${token}`);
      return fetchTls(`${lease.access.server}${pathname}`, { ...init, headers }, lease.access.ca);
    },
    async close() {
      fwd.server.close();
      await driver.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

