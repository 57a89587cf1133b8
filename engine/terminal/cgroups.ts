// cgroup v1 limits for one sandbox: memory (+swap), pids and CPU quota. A
// controller that is missing or read-only here is skipped, not fatal, so the
// shell still runs (with ulimits only) on a host without writable cgroups.
import { constants } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";

export type Controller = "memory" | "pids" | "cpu";

export interface CgroupLimits {
  memoryBytes: number;
  pids: number;
  /** CPU cores the shell may use, e.g. 0.5. */
  cpus: number;
}

const CPU_PERIOD_US = 100_000;

/** Thrown when another live process tree already owns the cgroup name. */
export class CgroupBusyError extends Error {}

/** Controllers under `root` in which we may create `parent/`, created on the way. */
export async function detectControllers(root: string, parent: string): Promise<Controller[]> {
  const found: Controller[] = [];
  for (const controller of ["memory", "pids", "cpu"] as const) {
    const dir = path.join(root, controller);
    try {
      await fs.access(path.join(dir, "cgroup.procs"), constants.W_OK);
      await fs.mkdir(path.join(dir, parent), { recursive: true });
      found.push(controller);
    } catch {
      // Not mounted, read-only or not ours: this limit is simply not applied.
    }
  }
  return found;
}

export class Cgroups {
  private destroying: Promise<void> | undefined;

  private constructor(private readonly dirs: ReadonlyMap<Controller, string>) {}

  /** Create `parent/name` in each controller and write the limits. */
  static async create(root: string, parent: string, name: string, controllers: readonly Controller[], limits: CgroupLimits): Promise<Cgroups> {
    const dirs = new Map<Controller, string>();
    const group = new Cgroups(dirs);
    try {
      for (const controller of controllers) {
        const dir = path.join(root, controller, parent, name);
        await makeFresh(dir);
        dirs.set(controller, dir);
        await writeLimits(controller, dir, limits);
      }
    } catch (error) {
      await group.destroy();
      throw error;
    }
    return group;
  }

  /** The `cgroup.procs` files the sandbox wrapper must join before it drops privileges. */
  get procsFiles(): string[] {
    return [...this.dirs.values()].map((dir) => path.join(dir, "cgroup.procs"));
  }

  get directories(): string[] {
    return [...this.dirs.values()];
  }

  /** How many times the kernel's OOM killer struck inside this group. */
  async oomKills(): Promise<number> {
    const dir = this.dirs.get("memory");
    if (!dir) return 0;
    try {
      const text = await fs.readFile(path.join(dir, "memory.oom_control"), "utf8");
      return Number(/^oom_kill (\d+)$/m.exec(text)?.[1] ?? 0);
    } catch {
      return 0;
    }
  }

  /** Kill anything left inside and remove the directories; safe to call repeatedly. */
  destroy(): Promise<void> {
    this.destroying ??= Promise.all([...this.dirs.values()].map((dir) => removeGroup(dir))).then(() => undefined);
    return this.destroying;
  }
}

async function makeFresh(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir);
  } catch (error) {
    if (!isCode(error, "EEXIST")) throw error;
    // Left over from a crashed server: reuse it only if nothing lives in it.
    if ((await readPids(dir)).length > 0) throw new CgroupBusyError(`cgroup ${dir} is in use`);
    await fs.rmdir(dir);
    await fs.mkdir(dir);
  }
}

async function writeLimits(controller: Controller, dir: string, limits: CgroupLimits): Promise<void> {
  switch (controller) {
    case "memory":
      await fs.writeFile(path.join(dir, "memory.limit_in_bytes"), String(limits.memoryBytes));
      // Without a memsw limit the shell could push the excess into swap.
      // The file is absent when the kernel has no swap accounting.
      try {
        await fs.writeFile(path.join(dir, "memory.memsw.limit_in_bytes"), String(limits.memoryBytes));
      } catch (error) {
        if (!isCode(error, "ENOENT")) throw error;
      }
      return;
    case "pids":
      await fs.writeFile(path.join(dir, "pids.max"), String(limits.pids));
      return;
    case "cpu":
      await fs.writeFile(path.join(dir, "cpu.cfs_period_us"), String(CPU_PERIOD_US));
      await fs.writeFile(path.join(dir, "cpu.cfs_quota_us"), String(Math.max(1000, Math.round(limits.cpus * CPU_PERIOD_US))));
      return;
  }
}

async function removeGroup(dir: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    try {
      for (const pid of await readPids(dir)) killQuietly(pid);
      await fs.rmdir(dir);
      return;
    } catch (error) {
      if (isCode(error, "ENOENT")) return;
      // EBUSY: killed tasks take a moment to leave the group.
      if (!isCode(error, "EBUSY") || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

async function readPids(dir: string): Promise<number[]> {
  const text = await fs.readFile(path.join(dir, "cgroup.procs"), "utf8");
  return text.split("\n").filter(Boolean).map(Number);
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

export function isCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
