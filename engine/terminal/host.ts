// All learners' terminals on this engine host: one session per learner,
// started on first open, shared by that learner's tabs.
import { execFile } from "node:child_process";
import { constants } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import type { Clock } from "../clock";
import { detectControllers, isCode, type Controller } from "./cgroups";
import { DEFAULT_FLOW, type FlowLimits } from "./flow";
import { bashrcFile, DEFAULT_LIMITS, groupFile, hostsFile, passwdFile, type SandboxLimits } from "./sandbox";
import type { LaunchContext, LaunchOptions } from "./shell";
import { TerminalSession } from "./session";
import { DEFAULT_UID_RANGE, UidPool, type UidRange } from "./uids";

export interface TerminalHostOptions {
  /** Engine state directory; the host keeps root-only files under `terminal/`. */
  runtimeDir: string;
  clock: Clock;
  /** A session with no tab attached for this long is closed. */
  idleMs: number;
  limits?: Partial<SandboxLimits>;
  uids?: UidRange;
  flow?: FlowLimits;
  /** Characters of recent output replayed to a tab that attaches (default 256 Ki). */
  scrollbackChars?: number;
  /** cgroup v1 mount point (default /sys/fs/cgroup). */
  cgroupRoot?: string;
  /** Directory created under each controller for this host's shells. */
  cgroupParent?: string;
  /** Problems while cleaning up after a shell (default: console.error). */
  onError?: (error: unknown) => void;
}

export type TerminalOpenOptions = LaunchOptions;

/** The sandbox cannot run on this machine; `message` says why in plain words. */
export class TerminalUnavailableError extends Error {
  override name = "TerminalUnavailableError";
}

const REQUIRED_TOOLS = ["/usr/bin/bwrap", "/usr/bin/setpriv", "/usr/bin/prlimit", "/usr/bin/nsenter", "/usr/bin/unshare", "/usr/bin/socat", "/usr/sbin/ip"];

export class TerminalHost {
  private readonly sessions = new Map<string, TerminalSession>();
  private readonly uids: UidPool;
  private readonly limits: SandboxLimits;
  private preparing: Promise<LaunchContext> | undefined;
  private closed = false;

  constructor(private readonly options: TerminalHostOptions) {
    this.uids = new UidPool(options.uids ?? DEFAULT_UID_RANGE);
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
  }

  /**
   * Check the machine and write the files every sandbox shares; done once, on
   * first use. Rejects with TerminalUnavailableError when the sandbox cannot run.
   */
  async ready(signal?: AbortSignal): Promise<void> {
    await this.context(signal);
  }

  /** The learner's session, with its shell started if it is not running. */
  async open(learnerId: string, options: TerminalOpenOptions, signal?: AbortSignal): Promise<TerminalSession> {
    if (this.closed) throw new Error("terminal host is closed");
    const context = await this.context(signal);
    await assertSocket(options.apiSocketPath);
    let session = this.sessions.get(learnerId);
    if (!session) {
      const created: TerminalSession = new TerminalSession(learnerId, options, {
        clock: this.options.clock,
        idleMs: this.options.idleMs,
        flow: this.options.flow ?? DEFAULT_FLOW,
        scrollbackChars: this.options.scrollbackChars ?? 256 * 1024,
        context,
        onClosed: () => {
          if (this.sessions.get(learnerId) === created) this.sessions.delete(learnerId);
        },
      });
      session = created;
      this.sessions.set(learnerId, session);
    }
    try {
      await session.ensureRunning(options, signal);
    } catch (error) {
      // Nothing to keep: no shell and no tab waiting for one.
      if (session.state === "stopped" && session.viewerCount === 0) await session.close();
      throw error;
    }
    return session;
  }

  get(learnerId: string): TerminalSession | undefined {
    return this.sessions.get(learnerId);
  }

  async close(learnerId: string): Promise<void> {
    await this.sessions.get(learnerId)?.close();
  }

  async closeAll(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.sessions.values()].map((session) => session.close("The server is shutting down.")));
  }

  private context(signal?: AbortSignal): Promise<LaunchContext> {
    this.preparing ??= this.prepare(signal);
    // A failed check may be fixed by the operator; try again next time.
    this.preparing.catch(() => (this.preparing = undefined));
    return this.preparing;
  }

  private async prepare(signal?: AbortSignal): Promise<LaunchContext> {
    if (process.getuid?.() !== 0) {
      throw new TerminalUnavailableError(
        "The learner terminal needs the server to run as root: each shell gets its own uid, cgroup limits and network namespace. Run the server as root (there is no unprivileged mode).",
      );
    }
    const missing: string[] = [];
    for (const tool of REQUIRED_TOOLS) {
      try {
        await fs.access(tool, constants.X_OK);
      } catch {
        missing.push(tool);
      }
    }
    if (missing.length > 0) {
      throw new TerminalUnavailableError(`The learner terminal needs ${missing.join(", ")} (Debian packages bubblewrap, util-linux, socat, iproute2).`);
    }

    const dir = path.join(this.options.runtimeDir, "terminal");
    const shellsDir = path.join(dir, "shells");
    // Root-only: kubeconfigs (bearer tokens) live here until their shell ends.
    await fs.mkdir(shellsDir, { recursive: true, mode: 0o700 });
    await fs.chmod(dir, 0o700);
    const completion = await kubectlCompletion(signal);
    const shared = {
      passwd: path.join(dir, "passwd"),
      group: path.join(dir, "group"),
      hosts: path.join(dir, "hosts"),
      bashrc: path.join(dir, "bashrc"),
    };
    await Promise.all([
      fs.writeFile(shared.passwd, passwdFile()),
      fs.writeFile(shared.group, groupFile()),
      fs.writeFile(shared.hosts, hostsFile()),
      fs.writeFile(shared.bashrc, bashrcFile(completion)),
    ]);
    const cgroupRoot = this.options.cgroupRoot ?? "/sys/fs/cgroup";
    const cgroupParent = this.options.cgroupParent ?? "kubecourse-terminal";
    const controllers: Controller[] = await detectControllers(cgroupRoot, cgroupParent);
    return {
      uids: this.uids,
      cgroupRoot,
      cgroupParent,
      controllers,
      limits: this.limits,
      shared,
      shellsDir,
      onError: this.options.onError ?? ((error) => console.error("terminal cleanup:", error)),
    };
  }
}

/** `kubectl completion bash`, generated once per host; empty when kubectl cannot produce it. */
function kubectlCompletion(signal?: AbortSignal): Promise<string> {
  return new Promise((resolve) => {
    execFile(
      "kubectl",
      ["completion", "bash"],
      { encoding: "utf8", signal, timeout: 10_000, maxBuffer: 4 * 1024 * 1024 },
      (error: Error | null, stdout: string) => resolve(error ? "" : stdout),
    );
  });
}

async function assertSocket(socketPath: string): Promise<void> {
  try {
    if ((await fs.stat(socketPath)).isSocket()) return;
  } catch (error) {
    if (!isCode(error, "ENOENT")) throw error;
  }
  throw new Error(`The cluster socket ${socketPath} does not exist (is the learner's cluster running?)`);
}
