// The socket.io edge: every browser event is validated here, then routed to
// the learner's cluster, shell and live checks. A learner's tabs share one
// cluster, one shell and one checker per lesson.
import type { IncomingMessage, Server as HttpServer } from "node:http";
import { Server, type Socket } from "socket.io";
import type { Clock } from "../clock";
import type { ClusterDriver, ClusterLease, ClusterShape } from "../cluster";
import { LiveChecker, type Exercise, type ExerciseOutcome } from "../checker";
import {
  lessonRefSchema,
  terminalAckSchema,
  terminalInputSchema,
  terminalSizeSchema,
  type Ack,
  type ClientToServerEvents,
  type ExerciseResult,
  type ServerToClientEvents,
  type TerminalSize,
} from "../protocol";
import { sandboxKubeconfig, type TerminalAttachment, type TerminalHost, type TerminalSession } from "../terminal";

/** Where learners' progress is kept (the app's database). */
export interface ProgressStore {
  /** When each exercise of the lesson was first passed. */
  completions(learnerId: string, lesson: string): Promise<Map<string, Date>>;
  /** Keep one evaluation; returns when the exercise was first passed, if ever. */
  record(learnerId: string, lesson: string, outcome: ExerciseOutcome): Promise<Date | null>;
}

export interface LessonNeeds {
  /** The nodes the lesson's exercises need (workers join the learner's cluster when it has fewer). */
  cluster?: ClusterShape;
}

export interface LiveServerOptions {
  clusters: ClusterDriver;
  terminals: TerminalHost;
  clock: Clock;
  progress: ProgressStore;
  /** The learner a request belongs to, from its cookie; null when it has none. */
  identify(request: IncomingMessage): Promise<string | null>;
  exercisesOf(lesson: string): Exercise[];
  /** What a lesson needs of the learner's cluster; undefined when there is no such lesson. */
  lessonNeeds(lesson: string): LessonNeeds | undefined;
  log(message: string, error?: unknown): void;
}

type CourseSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

interface LessonChecks {
  checker: LiveChecker;
  viewers: number;
  latest: Map<string, ExerciseResult>;
}

/** What the server holds for one learner while any of their tabs is open. */
class Learner {
  cluster: Promise<ClusterLease> | undefined;
  readonly lessons = new Map<string, LessonChecks>();
  sockets = 0;
  constructor(readonly id: string) {}
}

function reply(ack: unknown, result: Parameters<Ack>[0]): void {
  if (typeof ack === "function") (ack as Ack)(result);
}

function problem(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class LiveServer {
  readonly io: Server<ClientToServerEvents, ServerToClientEvents>;
  private readonly learners = new Map<string, Learner>();

  constructor(
    http: HttpServer,
    private readonly options: LiveServerOptions,
  ) {
    this.io = new Server(http, {
      path: "/socket.io",
      serveClient: false,
      // Terminal input is small; a paste bigger than this is refused by the edge.
      maxHttpBufferSize: 1024 * 1024,
      // Other upgrades (Next.js dev reload) belong to the Next handler.
      destroyUpgrade: false,
    });
    this.io.on("connection", (socket) => void this.connected(socket));
  }

  /** How many lessons are being checked live, over all learners. */
  get liveCheckers(): number {
    let count = 0;
    for (const learner of this.learners.values()) count += learner.lessons.size;
    return count;
  }

  async close(): Promise<void> {
    for (const learner of this.learners.values()) for (const checks of learner.lessons.values()) checks.checker.stop();
    this.learners.clear();
    await this.io.close();
  }

  private async connected(socket: CourseSocket): Promise<void> {
    let learnerId: string | null;
    try {
      learnerId = await this.options.identify(socket.request);
    } catch (error) {
      this.options.log("identify failed", error);
      learnerId = null;
    }
    if (!learnerId) {
      socket.emit("notice", { level: "error", message: "Your session has expired. Reload the page to continue." });
      socket.disconnect(true);
      return;
    }
    const learner = this.learnerFor(learnerId);
    learner.sockets++;
    let terminal: { session: TerminalSession; attachment: TerminalAttachment } | undefined;
    let watching: string | undefined;

    const cluster = this.clusterOf(learner, socket);

    socket.on("terminal:attach", async (size: unknown, ack: unknown) => {
      const parsed = terminalSizeSchema.safeParse(size);
      if (!parsed.success) return reply(ack, { ok: false, error: "The terminal size is not valid." });
      try {
        terminal?.attachment.detach();
        const session = await this.openTerminal(learner, await cluster, parsed.data);
        if (!socket.connected) return;
        const attachment = session.attach({
          write: (data) => socket.emit("terminal:output", data),
          exit: (info) => socket.emit("terminal:exit", info),
        });
        terminal = { session, attachment };
        reply(ack, { ok: true });
      } catch (error) {
        this.options.log(`terminal for ${learner.id} failed`, error);
        reply(ack, { ok: false, error: `Your terminal could not start: ${problem(error)}` });
      }
    });
    socket.on("terminal:input", (data: unknown) => {
      const parsed = terminalInputSchema.safeParse(data);
      if (parsed.success) terminal?.session.write(parsed.data);
    });
    socket.on("terminal:resize", (size: unknown) => {
      const parsed = terminalSizeSchema.safeParse(size);
      if (parsed.success) terminal?.session.resize(parsed.data);
    });
    socket.on("terminal:ack", (bytes: unknown) => {
      const parsed = terminalAckSchema.safeParse(bytes);
      if (parsed.success) terminal?.attachment.ack(parsed.data);
    });
    socket.on("terminal:restart", async (ack: unknown) => {
      if (!terminal) return reply(ack, { ok: false, error: "No terminal is attached." });
      try {
        await terminal.session.restart();
        reply(ack, { ok: true });
      } catch (error) {
        reply(ack, { ok: false, error: `The shell could not restart: ${problem(error)}` });
      }
    });
    socket.on("lesson:watch", async (ref: unknown, ack: unknown) => {
      const parsed = lessonRefSchema.safeParse(ref);
      const needs = parsed.success ? this.options.lessonNeeds(parsed.data.lesson) : undefined;
      if (!parsed.success || !needs) return reply(ack, { ok: false, error: "There is no such lesson." });
      const lesson = parsed.data.lesson;
      if (watching === lesson) return reply(ack, { ok: true });
      try {
        const lease = await cluster;
        if (needs.cluster) await this.options.clusters.ensureShape(learner.id, needs.cluster);
        // The tab may have gone, or asked for another lesson, while the cluster started.
        if (!socket.connected) return;
        if (watching) this.unwatch(learner, socket, watching);
        this.watch(learner, socket, lesson, lease);
        watching = lesson;
        reply(ack, { ok: true });
      } catch (error) {
        reply(ack, { ok: false, error: `Checks could not start: ${problem(error)}` });
      }
    });
    socket.on("disconnect", () => {
      terminal?.attachment.detach();
      if (watching) this.unwatch(learner, socket, watching);
      learner.sockets--;
      if (learner.sockets === 0 && learner.lessons.size === 0) this.learners.delete(learner.id);
    });
  }

  private learnerFor(id: string): Learner {
    let learner = this.learners.get(id);
    if (!learner) {
      learner = new Learner(id);
      this.learners.set(id, learner);
    }
    return learner;
  }

  /** The learner's cluster, created on first need; this tab is told how it goes. */
  private clusterOf(learner: Learner, socket: CourseSocket): Promise<ClusterLease> {
    if (!learner.cluster) {
      socket.emit("cluster:status", { phase: "starting", message: "Starting your cluster…" });
      learner.cluster = this.options.clusters.acquire(learner.id);
      learner.cluster.catch(() => {
        // Let the next tab try again instead of inheriting the failure.
        learner.cluster = undefined;
      });
    }
    const cluster = learner.cluster;
    cluster.then(
      () => socket.emit("cluster:status", { phase: "ready", message: "Your cluster is ready." }),
      (error: unknown) => {
        this.options.log(`cluster for ${learner.id} failed`, error);
        socket.emit("cluster:status", { phase: "failed", message: `Your cluster could not start: ${problem(error)}` });
      },
    );
    return cluster;
  }

  private async openTerminal(learner: Learner, lease: ClusterLease, size: TerminalSize): Promise<TerminalSession> {
    const kubeconfig = sandboxKubeconfig(lease.access);
    return this.options.terminals.open(learner.id, { kubeconfig, apiSocketPath: lease.access.socketPath, size });
  }

  /** Follow a lesson's checks in this tab; the learner's first tab on it starts the checker. */
  private watch(learner: Learner, socket: CourseSocket, lesson: string, lease: ClusterLease): void {
    const room = `learner:${learner.id}:lesson:${lesson}`;
    void socket.join(room);
    const existing = learner.lessons.get(lesson);
    if (existing) {
      existing.viewers++;
      for (const result of existing.latest.values()) socket.emit("check:result", result);
      return;
    }
    const completions = this.options.progress.completions(learner.id, lesson);
    // A failed read is reported when a result is published, not as an unhandled rejection.
    completions.catch(() => undefined);
    const checks: LessonChecks = {
      viewers: 1,
      latest: new Map(),
      checker: new LiveChecker({
        access: lease.access,
        exercises: this.options.exercisesOf(lesson),
        clock: this.options.clock,
        onOutcome: (outcome) => void this.publish(learner, lesson, room, completions, outcome),
      }),
    };
    learner.lessons.set(lesson, checks);
    checks.checker.start();
  }

  private unwatch(learner: Learner, socket: CourseSocket, lesson: string): void {
    void socket.leave(`learner:${learner.id}:lesson:${lesson}`);
    const checks = learner.lessons.get(lesson);
    if (!checks) return;
    checks.viewers--;
    if (checks.viewers > 0) return;
    checks.checker.stop();
    learner.lessons.delete(lesson);
    if (learner.sockets === 0 && learner.lessons.size === 0) this.learners.delete(learner.id);
  }

  private async publish(
    learner: Learner,
    lesson: string,
    room: string,
    stored: Promise<Map<string, Date>>,
    outcome: ExerciseOutcome,
  ): Promise<void> {
    let completedAt: Date | null = null;
    try {
      const completions = await stored;
      completedAt = completions.get(outcome.exercise) ?? null;
      completedAt = await this.options.progress.record(learner.id, lesson, outcome);
      if (completedAt) completions.set(outcome.exercise, completedAt);
    } catch (error) {
      // The learner still sees the live result; only the record is lost.
      this.options.log(`could not store a check result for ${learner.id}`, error);
    }
    const result: ExerciseResult = {
      lesson,
      exercise: outcome.exercise,
      passed: outcome.passed,
      assertions: outcome.assertions,
      checkedAt: outcome.checkedAt.toISOString(),
      completedAt: completedAt?.toISOString() ?? null,
    };
    learner.lessons.get(lesson)?.latest.set(outcome.exercise, result);
    this.io.to(room).emit("check:result", result);
  }
}
