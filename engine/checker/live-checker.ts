// Re-evaluates a lesson's exercises whenever the cluster changes: one watch per
// collection the exercises name, changes coalesced, results emitted only when
// they differ from the last ones sent.
import { AppsV1Api, CoreV1Api, KubeConfig, Watch } from "@kubernetes/client-node";
import type { Clock, Timer } from "../clock";
import type { ClusterAccess } from "../cluster";
import type { AssertionResult } from "../protocol";
import type { ClusterReader, Exercise } from "./exercise";

export interface ExerciseOutcome {
  exercise: string;
  passed: boolean;
  assertions: AssertionResult[];
  checkedAt: Date;
}

export interface LiveCheckerOptions {
  access: Pick<ClusterAccess, "server" | "token" | "ca">;
  exercises: Exercise[];
  clock: Clock;
  onOutcome: (outcome: ExerciseOutcome) => void;
  /** Changes within this window are checked once. */
  settleMs?: number;
  /** Wait before re-opening a watch that ended or failed. */
  rewatchMs?: number;
}

export function clusterReader(access: Pick<ClusterAccess, "server" | "token" | "ca">): ClusterReader {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    // The engine reaches clusters over loopback http; client-node insists on this flag for it.
    // Over https the cluster's CA is trusted; over loopback http client-node insists on skipTLSVerify.
    clusters: [{ name: "learner", server: access.server, skipTLSVerify: access.server.startsWith("http:"), ...(access.ca ? { caData: Buffer.from(access.ca).toString("base64") } : {}) }],
    users: [{ name: "learner", token: access.token }],
    contexts: [{ name: "learner", cluster: "learner", user: "learner" }],
    currentContext: "learner",
  });
  return { kubeConfig, core: kubeConfig.makeApiClient(CoreV1Api), apps: kubeConfig.makeApiClient(AppsV1Api) };
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

export class LiveChecker {
  private readonly reader: ClusterReader;
  private readonly abort = new AbortController();
  private readonly watches = new Map<string, AbortController>();
  private readonly lastSent = new Map<string, string>();
  private settleTimer: Timer | undefined;
  private running: Promise<void> | undefined;
  private dirty = false;

  constructor(private readonly options: LiveCheckerOptions) {
    this.reader = clusterReader(options.access);
  }

  /** Evaluate now and keep evaluating on every change until stopped. */
  start(): void {
    for (const path of new Set(this.options.exercises.flatMap((e) => e.watches))) this.watch(path);
    this.requestCheck(0);
  }

  /** Forget what was sent, so the next evaluation is emitted again (a new viewer joined). */
  resend(): void {
    this.lastSent.clear();
    this.requestCheck(0);
  }

  stop(): void {
    this.abort.abort();
    this.settleTimer?.cancel();
    for (const controller of this.watches.values()) controller.abort();
    this.watches.clear();
  }

  private watch(path: string): void {
    if (this.abort.signal.aborted) return;
    const rewatch = () => {
      this.watches.delete(path);
      if (this.abort.signal.aborted) return;
      // A lost watch may have hidden a change: check again once it is back.
      this.options.clock.schedule(this.options.rewatchMs ?? 1000, () => {
        this.watch(path);
        this.requestCheck(0);
      });
    };
    new Watch(this.reader.kubeConfig)
      .watch(path, {}, () => this.requestCheck(), rewatch)
      .then((controller) => {
        if (this.abort.signal.aborted) controller.abort();
        else this.watches.set(path, controller);
      })
      .catch(rewatch);
  }

  private requestCheck(delay = this.options.settleMs ?? 150): void {
    if (this.abort.signal.aborted) return;
    if (this.running) {
      this.dirty = true;
      return;
    }
    this.settleTimer?.cancel();
    this.settleTimer = this.options.clock.schedule(delay, () => {
      this.settleTimer = undefined;
      this.running = this.evaluate().finally(() => {
        this.running = undefined;
        if (this.dirty) {
          this.dirty = false;
          this.requestCheck();
        }
      });
    });
  }

  private async evaluate(): Promise<void> {
    for (const exercise of this.options.exercises) {
      if (this.abort.signal.aborted) return;
      let assertions: AssertionResult[];
      try {
        assertions = await exercise.check(this.reader, this.abort.signal);
      } catch (error) {
        assertions = [{ description: "Read your cluster", passed: false, expected: "the cluster answers", actual: describeError(error) }];
      }
      const passed = assertions.length > 0 && assertions.every((a) => a.passed);
      const key = JSON.stringify(assertions);
      if (this.lastSent.get(exercise.id) === key) continue;
      this.lastSent.set(exercise.id, key);
      this.options.onOutcome({ exercise: exercise.id, passed, assertions, checkedAt: new Date(this.options.clock.now()) });
    }
  }
}
