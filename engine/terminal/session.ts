// One learner's terminal: a shell (restartable) shared by every tab attached
// to it, with scrollback replay, per-tab back-pressure and an idle timeout.
import type { Clock, Timer } from "../clock";
import type { TerminalSize } from "../protocol";
import { FlowGate, Scrollback, type FlowLimits } from "./flow";
import { Shell, type LaunchContext, type LaunchOptions, type ShellExit } from "./shell";

/** Where a tab receives output; maps onto `terminal:output` / `terminal:exit`. */
export interface TerminalViewer {
  write(data: string): void;
  exit?(info: TerminalExit): void;
}

export interface TerminalAttachment {
  /** Stop receiving output; the shell keeps running for other tabs (or until idle). */
  detach(): void;
  /** The viewer has rendered this many more characters of output. */
  ack(count: number): void;
}

export interface TerminalExit {
  code: number;
  /** Why, in words a learner understands. */
  message: string;
}

export type TerminalState = "stopped" | "starting" | "running" | "closed";

export interface SessionDeps {
  clock: Clock;
  idleMs: number;
  flow: FlowLimits;
  scrollbackChars: number;
  context: LaunchContext;
  /** Called once, when the session has closed and freed everything. */
  onClosed: () => void;
}

export class TerminalSession {
  private current: Shell | undefined;
  private starting: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private options: LaunchOptions;
  private readonly viewers = new Map<number, TerminalViewer>();
  private nextViewer = 0;
  private readonly scrollback: Scrollback;
  private readonly flow: FlowGate<number>;
  private readonly exitListeners = new Set<(info: TerminalExit) => void>();
  private idleTimer: Timer | undefined;
  /** Shells killed on purpose (restart, close): their exit is not news to the viewers. */
  private readonly expectedExits = new WeakSet<Shell>();

  constructor(
    readonly learnerId: string,
    options: LaunchOptions,
    private readonly deps: SessionDeps,
  ) {
    this.options = options;
    this.scrollback = new Scrollback(deps.scrollbackChars);
    this.flow = new FlowGate<number>(deps.flow, (paused) => {
      if (paused) this.current?.pty.pause();
      else this.current?.pty.resume();
    });
    this.armIdle();
  }

  get state(): TerminalState {
    if (this.closing) return "closed";
    if (this.current) return "running";
    return this.starting ? "starting" : "stopped";
  }

  /** The host uid the shell runs as, while it runs. */
  get uid(): number | undefined {
    return this.current?.uid;
  }

  /** The running shell's cgroup directories (empty where cgroups are unavailable). */
  get cgroupDirs(): readonly string[] {
    return this.current?.cgroupDirs ?? [];
  }

  /** True while output is held back for a slow viewer. */
  get paused(): boolean {
    return this.flow.paused;
  }

  get viewerCount(): number {
    return this.viewers.size;
  }

  /**
   * Start the shell unless it runs or is starting. `options` replace the
   * previous ones (a new kubeconfig takes effect at the next start).
   */
  ensureRunning(options: LaunchOptions, signal?: AbortSignal): Promise<void> {
    if (this.closing) return Promise.reject(new Error("terminal session is closed"));
    this.options = options;
    if (this.current) return Promise.resolve();
    this.starting ??= this.start(signal).finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /** Send the recent scrollback, then live output, to `viewer`. */
  attach(viewer: TerminalViewer): TerminalAttachment {
    if (this.closing) throw new Error("terminal session is closed");
    const id = this.nextViewer++;
    this.viewers.set(id, viewer);
    this.flow.track(id);
    this.idleTimer?.cancel();
    this.idleTimer = undefined;
    const replay = this.scrollback.snapshot();
    if (replay) this.send(id, viewer, replay);
    let attached = true;
    return {
      detach: () => {
        if (!attached) return;
        attached = false;
        this.removeViewer(id);
      },
      ack: (count) => {
        if (attached) this.flow.ack(id, count);
      },
    };
  }

  write(input: string): void {
    this.current?.pty.write(input);
  }

  /** The latest size wins, whichever tab sent it; kept for the next start. */
  resize(size: TerminalSize): void {
    this.options = { ...this.options, size };
    this.current?.pty.resize(size.cols, size.rows);
  }

  /** Kill the shell if it runs and start a fresh one; attached tabs stay attached. */
  async restart(signal?: AbortSignal): Promise<void> {
    if (this.starting) await this.starting.catch(() => undefined);
    const shell = this.current;
    if (shell) {
      this.expectedExits.add(shell);
      shell.kill();
      await shell.exited;
    }
    await this.ensureRunning(this.options, signal);
  }

  /** Called with every unexpected end of the shell (exit, crash, limit). */
  onExit(listener: (info: TerminalExit) => void): () => void {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  /** Kill the shell and free everything; viewers of a running shell get an exit notice. Idempotent. */
  close(message = "The terminal was closed."): Promise<void> {
    this.closing ??= (async () => {
      this.idleTimer?.cancel();
      await this.starting?.catch(() => undefined);
      const shell = this.current;
      if (shell) {
        this.expectedExits.add(shell);
        shell.kill();
        await shell.exited;
        // Viewers of a shell that already ended have had their exit notice.
        for (const viewer of this.viewers.values()) viewer.exit?.({ code: -1, message });
      }
      this.viewers.clear();
      this.deps.onClosed();
    })();
    return this.closing;
  }

  private async start(signal?: AbortSignal): Promise<void> {
    const shell = await Shell.launch(this.deps.context, this.options, signal);
    if (this.closing) {
      // Closed while starting: this shell must not outlive the session.
      this.expectedExits.add(shell);
      shell.kill();
      await shell.exited;
      return;
    }
    this.current = shell;
    shell.pty.onData((data) => this.output(shell, data));
    if (this.flow.paused) shell.pty.pause();
    void shell.exited.then((exit) => this.exited(shell, exit));
  }

  private output(shell: Shell, data: string): void {
    if (shell !== this.current) return;
    this.scrollback.push(data);
    for (const [id, viewer] of this.viewers) this.send(id, viewer, data);
  }

  private send(id: number, viewer: TerminalViewer, data: string): void {
    try {
      viewer.write(data);
    } catch {
      // A broken viewer must not stall the shell for the others.
      this.removeViewer(id);
      return;
    }
    this.flow.sent(id, data.length);
  }

  private exited(shell: Shell, exit: ShellExit): void {
    if (this.current === shell) this.current = undefined;
    if (this.expectedExits.has(shell)) return;
    const info = describeExit(exit, this.deps.context.limits.memoryBytes);
    for (const viewer of this.viewers.values()) viewer.exit?.(info);
    for (const listener of this.exitListeners) listener(info);
  }

  private removeViewer(id: number): void {
    if (!this.viewers.delete(id)) return;
    this.flow.untrack(id);
    if (this.viewers.size === 0) this.armIdle();
  }

  private armIdle(): void {
    if (this.closing) return;
    this.idleTimer?.cancel();
    this.idleTimer = this.deps.clock.schedule(this.deps.idleMs, () => {
      this.idleTimer = undefined;
      void this.close("The terminal was closed because no tab used it for a while.");
    });
  }
}

function describeExit(exit: ShellExit, memoryBytes: number): TerminalExit {
  const code = exit.signal ? 128 + exit.signal : exit.exitCode;
  if (exit.oomKills > 0) {
    const mib = Math.round(memoryBytes / (1024 * 1024));
    return { code, message: `The shell was stopped because it used more than its ${mib} MiB of memory. Restart it to continue.` };
  }
  if (exit.signal) return { code, message: `The shell was stopped (signal ${exit.signal}). Restart it to continue.` };
  if (exit.exitCode === 0) return { code, message: "The shell exited. Restart it to get a new one." };
  return { code, message: `The shell exited with code ${exit.exitCode}. Restart it to get a new one.` };
}
