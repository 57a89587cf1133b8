// One run of a learner's shell: uid, cgroups, forwarder, temp dir and pty,
// acquired together and released together when the pty exits.
import fs from "node:fs/promises";
import path from "node:path";
import { spawn as spawnPty, type IPty } from "node-pty";
import type { TerminalSize } from "../protocol";
import { CgroupBusyError, Cgroups, type Controller } from "./cgroups";
import { Disposables } from "./disposables";
import { startForwarder } from "./forwarder";
import { sandboxCommand, type SandboxFiles, type SandboxLimits } from "./sandbox";
import type { UidPool } from "./uids";

/** What the host shares with every shell it launches. */
export interface LaunchContext {
  uids: UidPool;
  cgroupRoot: string;
  cgroupParent: string;
  controllers: readonly Controller[];
  limits: SandboxLimits;
  /** The per-host files every sandbox gets (everything but the kubeconfig). */
  shared: Omit<SandboxFiles, "kubeconfig">;
  /** Where per-shell temp dirs go (root only). */
  shellsDir: string;
  onError: (error: unknown) => void;
}

export interface LaunchOptions {
  kubeconfig: string;
  apiSocketPath: string;
  size: TerminalSize;
}

export interface ShellExit {
  exitCode: number;
  signal: number | undefined;
  /** OOM kills seen in the shell's memory cgroup: the reason if non-zero. */
  oomKills: number;
}

export class Shell {
  /** Resolves once the shell has exited and everything it held is released. */
  readonly exited: Promise<ShellExit>;

  private constructor(
    readonly uid: number,
    readonly pty: IPty,
    /** cgroup directories of this shell (removed on exit). */
    readonly cgroupDirs: readonly string[],
    exited: Promise<ShellExit>,
  ) {
    this.exited = exited;
  }

  kill(): void {
    // A paused pty delays its exit event until the output drains.
    this.pty.resume();
    try {
      this.pty.kill("SIGKILL");
    } catch {
      // Already exited.
    }
  }

  static async launch(ctx: LaunchContext, options: LaunchOptions, signal?: AbortSignal): Promise<Shell> {
    signal?.throwIfAborted();
    const owned = new Disposables();
    try {
      const [{ uid, cgroups }, forwarder, dir] = await Promise.all([
        claimUid(ctx, owned),
        startForwarder(options.apiSocketPath, signal).then((f) => (owned.add(() => f.close()), f)),
        fs.mkdtemp(path.join(ctx.shellsDir, "shell-")).then((d) => (owned.add(() => fs.rm(d, { recursive: true, force: true })), d)),
      ]);
      const kubeconfig = path.join(dir, "kubeconfig");
      await fs.writeFile(kubeconfig, options.kubeconfig, { mode: 0o600 });
      signal?.throwIfAborted();

      const command = sandboxCommand({
        uid,
        procsFiles: cgroups?.procsFiles ?? [],
        netns: forwarder.netns,
        files: { ...ctx.shared, kubeconfig },
        limits: ctx.limits,
      });
      const pty = spawnPty(command.file, command.args, {
        name: "xterm-256color",
        cols: options.size.cols,
        rows: options.size.rows,
        cwd: "/",
        env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" },
      });
      const exited = new Promise<ShellExit>((resolve) => {
        const listener = pty.onExit(({ exitCode, signal: sig }) => {
          listener.dispose();
          // Read the OOM counter before the cgroup is removed.
          void (cgroups?.oomKills() ?? Promise.resolve(0))
            .then(async (oomKills) => {
              await owned.dispose().catch(ctx.onError);
              resolve({ exitCode, signal: sig || undefined, oomKills });
            });
        });
      });
      return new Shell(uid, pty, cgroups?.directories ?? [], exited);
    } catch (error) {
      await owned.dispose().catch(ctx.onError);
      throw error;
    }
  }
}

/** A free uid and, where available, fresh cgroups named after it. The uid is freed only after its cgroups are gone. */
async function claimUid(ctx: LaunchContext, owned: Disposables): Promise<{ uid: number; cgroups: Cgroups | undefined }> {
  const foreign = new Set<number>();
  for (;;) {
    const uid = ctx.uids.take((candidate) => foreign.has(candidate));
    if (ctx.controllers.length === 0) {
      owned.add(() => ctx.uids.release(uid));
      return { uid, cgroups: undefined };
    }
    try {
      const cgroups = await Cgroups.create(ctx.cgroupRoot, ctx.cgroupParent, `u${uid}`, ctx.controllers, {
        memoryBytes: ctx.limits.memoryBytes,
        pids: ctx.limits.pids,
        cpus: ctx.limits.cpus,
      });
      owned.add(async () => {
        await cgroups.destroy();
        ctx.uids.release(uid);
      });
      return { uid, cgroups };
    } catch (error) {
      // Another server on this machine runs a shell as this uid: keep it
      // reserved for this attempt and try the next.
      if (error instanceof CgroupBusyError) {
        foreign.add(uid);
        ctx.uids.release(uid);
        continue;
      }
      ctx.uids.release(uid);
      throw error;
    }
  }
}
