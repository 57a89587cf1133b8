// The sandbox's only way out: a network namespace created from the host side,
// holding nothing but `lo`, with socat on 127.0.0.1:6443 relaying to the
// learner's cluster socket. socat runs outside the sandbox's pid namespace and
// user namespace, so the learner can neither see it nor kill it, and the socket
// itself never needs to be visible (or chowned) inside the sandbox.
import { spawn } from "node:child_process";
import { readlinkSync } from "node:fs";
import { renderKubeconfig, type ClusterAccess } from "../cluster";

export const SANDBOX_API_PORT = 6443;
/** The server URL a kubeconfig inside the sandbox must use (the cluster speaks TLS through the relay). */
export const SANDBOX_API_SERVER = `https://127.0.0.1:${SANDBOX_API_PORT}`;

export interface Forwarder {
  /** Path of the namespace the sandbox must join (`nsenter --net=`). */
  readonly netns: string;
  close(): Promise<void>;
}

const READY_TIMEOUT_MS = 5_000;

export async function startForwarder(socketPath: string, signal?: AbortSignal): Promise<Forwarder> {
  // socat parses its address argument: forbid characters with meaning there.
  if (!/^\/[\w./@+-]+$/.test(socketPath)) {
    throw new Error(`cluster socket path ${JSON.stringify(socketPath)} has characters the forwarder cannot pass to socat`);
  }
  signal?.throwIfAborted();
  const child = spawn(
    "unshare",
    [
      "--net",
      "--",
      "/bin/sh",
      "-c",
      'ip link set lo up && exec socat -d -d TCP-LISTEN:"$1",bind=127.0.0.1,reuseaddr,fork UNIX-CONNECT:"$2"',
      "sh",
      String(SANDBOX_API_PORT),
      socketPath,
    ],
    // Own process group, so closing also ends socat's per-connection children.
    { stdio: ["ignore", "ignore", "pipe"], detached: true },
  );
  const pid = child.pid;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null && pid !== undefined) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // Already gone.
      }
      await exited;
    }
  };

  try {
    await new Promise<void>((resolve, reject) => {
      let log = "";
      const timer = setTimeout(() => fail(new Error("the cluster forwarder did not start listening in time")), READY_TIMEOUT_MS);
      const onAbort = (): void => fail(signal?.reason ?? new Error("aborted"));
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        child.stderr.off("data", onData);
        child.off("exit", onExit);
        child.off("error", fail);
        // socat logs each connection; drain it so the pipe never fills.
        child.stderr.resume();
      };
      function fail(error: unknown): void {
        done();
        reject(error instanceof Error ? error : new Error(String(error)));
      }
      const onData = (chunk: Buffer): void => {
        log += chunk.toString();
        if (!/listening on/.test(log)) return;
        done();
        resolve();
      };
      const onExit = (): void => fail(new Error(`the cluster forwarder exited before listening: ${log.trim()}`));
      child.stderr.on("data", onData);
      child.once("exit", onExit);
      child.once("error", fail);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
    const netns = `/proc/${pid}/ns/net`;
    // Joining the host's namespace would hand the learner the host's loopback.
    if (readlinkSync(netns) === readlinkSync("/proc/self/ns/net")) {
      throw new Error("the forwarder is not in its own network namespace");
    }
    return { netns, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * The kubeconfig a learner's sandbox needs for `access`: the in-sandbox
 * forwarder plus the lease's token and CA. socat only relays bytes, so TLS runs
 * end to end between kubectl and the cluster socket. Without a CA (a plain
 * http cluster) the URL is http://, and kubectl will then send no token.
 */
export function sandboxKubeconfig(access: Pick<ClusterAccess, "token" | "ca">, namespace?: string): string {
  const server = access.ca ? SANDBOX_API_SERVER : `http://127.0.0.1:${SANDBOX_API_PORT}`;
  return renderKubeconfig({ server, token: access.token, ca: access.ca, namespace });
}
