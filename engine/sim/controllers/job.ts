// The Job controller, after upstream's pkg/controller/job (1.32): runs pods
// until `completions` of them succeed, at most `parallelism` at a time;
// counts failures (and, for restartPolicy OnFailure, container restarts)
// against backoffLimit with an exponential back-off on the injected clock;
// activeDeadlineSeconds; suspend/resume; Indexed completion mode; and
// ttlSecondsAfterFinished. Pods carry the `batch.kubernetes.io/job-tracking`
// finalizer until they are counted, so a deleted pod is never lost or counted
// twice. Terminal conditions go as upstream: SuccessCriteriaMet / FailureTarget
// first, Complete / Failed once no pod is left running.
import type { Clock } from "../../clock";
import type { ResourceService } from "../apiserver/service";
import { timestamp, type Registry, type ResourceType } from "../registry";
import type { LabelSelector, PodTemplate } from "../registry/workload";
import type { Watch } from "../store/store";
import type { Condition, KObject, Pod } from "../types";
import type { EventRecorder } from "./events";
import { controllerOf, controllerRef, isPodReady, selectorMatches, timeOf } from "./ownership";
import { WorkQueue } from "./workqueue";

export const JOB_TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking";
const COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index";
const COMPONENT = "job-controller";
/** Upstream's DefaultJobPodFailureBackOff and MaxJobPodFailureBackOff. */
export const JOB_BACKOFF_BASE = 10_000;
export const JOB_BACKOFF_MAX = 360_000;

export interface JobSpec {
  completions?: number | null;
  parallelism?: number;
  backoffLimit?: number;
  activeDeadlineSeconds?: number;
  ttlSecondsAfterFinished?: number;
  completionMode?: string;
  suspend?: boolean;
  selector?: LabelSelector;
  template?: PodTemplate;
  [field: string]: unknown;
}

export interface JobStatus {
  conditions?: Condition[];
  startTime?: string;
  completionTime?: string;
  active?: number;
  succeeded?: number;
  failed?: number;
  ready?: number;
  terminating?: number;
  completedIndexes?: string;
  uncountedTerminatedPods?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface Job extends KObject {
  spec?: JobSpec;
  status?: JobStatus;
}

export interface JobControllerDeps {
  service: ResourceService;
  registry: Registry;
  recorder: EventRecorder;
  clock: Clock;
}

const keyOf = (o: KObject): string => `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;
const isTerminal = (pod: Pod): boolean => pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";

export function jobCondition(job: Job, type: string): Condition | undefined {
  return job.status?.conditions?.find((c) => c.type === type && c.status === "True");
}

export function jobFinished(job: Job): "Complete" | "Failed" | undefined {
  if (jobCondition(job, "Complete")) return "Complete";
  if (jobCondition(job, "Failed")) return "Failed";
  return undefined;
}

/** "0-2,4" from a set of indexes, as upstream's completedIndexes. */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && (sorted[j + 1] as number) === (sorted[j] as number) + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

export function parseIndexes(text: string | undefined): Set<number> {
  const out = new Set<number>();
  for (const part of (text ?? "").split(",")) {
    if (!part) continue;
    const [a, b] = part.split("-").map(Number) as [number, number | undefined];
    for (let i = a; i <= (b ?? a); i++) out.add(i);
  }
  return out;
}

export class JobController {
  private readonly queue: WorkQueue;
  private readonly jobType: ResourceType;
  private readonly podType: ResourceType;
  private watches: Watch[] = [];
  /** Job uid -> when its last counted pod failure happened (ms), for the back-off. */
  private readonly lastFailure = new Map<string, number>();

  constructor(private readonly deps: JobControllerDeps) {
    this.jobType = deps.registry.find("batch", "v1", "jobs") as ResourceType;
    this.podType = deps.registry.find("", "v1", "pods") as ResourceType;
    this.queue = new WorkQueue(deps.clock, (key) => this.reconcile(key));
  }

  start(): void {
    const { store } = this.deps.service;
    this.watches.push(
      store.watch(this.deps.registry.key(this.jobType), undefined, (event) => this.queue.add(keyOf(event.object))),
      store.watch(this.deps.registry.key(this.podType), undefined, (event) => {
        for (const p of [event.object, event.previous]) {
          const ref = p ? controllerOf(p) : undefined;
          if (ref?.kind === "Job") this.queue.add(`${p?.metadata.namespace ?? ""}/${ref.name}`);
        }
      }),
    );
    for (const job of this.deps.service.list(this.jobType, undefined).items) this.queue.add(keyOf(job));
  }

  stop(): void {
    for (const w of this.watches) w.stop();
    this.watches = [];
    this.queue.dispose();
  }

  private podsOf(namespace: string, name: string, uid: string | undefined): Pod[] {
    return (this.deps.service.list(this.podType, namespace).items as Pod[]).filter((p) => {
      const ref = controllerOf(p);
      return ref?.kind === "Job" && ref.name === name && (uid === undefined || ref.uid === uid);
    });
  }

  private reconcile(key: string): void {
    const [namespace, name] = key.split("/") as [string, string];
    const job: Job | undefined = this.deps.service.find(this.jobType, namespace, name);
    // Pods of a job that is gone (or replaced) only lose their finalizer.
    for (const pod of this.podsOf(namespace, name, undefined)) {
      if (controllerOf(pod)?.uid !== job?.metadata.uid) this.dropFinalizer(pod);
    }
    if (!job) return;
    if (job.metadata.deletionTimestamp) {
      for (const pod of this.podsOf(namespace, name, job.metadata.uid)) this.dropFinalizer(pod);
      return;
    }
    this.sync(job);
  }

  private dropFinalizer(pod: Pod): void {
    if (!pod.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER)) return;
    try {
      this.deps.service.mutate(this.podType, pod.metadata.namespace, pod.metadata.name ?? "", (p) => {
        const rest = (p.metadata.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER);
        if (rest.length) p.metadata.finalizers = rest;
        else delete p.metadata.finalizers;
      });
    } catch {
      // Gone already.
    }
  }

  private sync(job: Job): void {
    const { clock, recorder } = this.deps;
    const now = clock.now();
    const spec = job.spec ?? {};
    const status: JobStatus = structuredClone(job.status ?? {});
    const uid = job.metadata.uid ?? "";
    const indexed = spec.completionMode === "Indexed";
    const pods = this.podsOf(job.metadata.namespace ?? "", job.metadata.name ?? "", uid).filter((p) => selectorMatches(spec.selector, p.metadata.labels) || !spec.selector);

    // Count finished pods that still carry the tracking finalizer, then release them.
    let succeeded = status.succeeded ?? 0;
    let failed = status.failed ?? 0;
    const completed = parseIndexes(status.completedIndexes);
    const counted: Pod[] = [];
    for (const pod of pods) {
      if (!pod.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER)) continue;
      const gone = !!pod.metadata.deletionTimestamp && !isTerminal(pod);
      if (!isTerminal(pod) && !gone) continue;
      if (pod.status?.phase === "Succeeded") {
        const index = Number(pod.metadata.annotations?.[COMPLETION_INDEX]);
        if (!indexed) succeeded++;
        else if (!completed.has(index)) {
          completed.add(index);
          succeeded++;
        }
      } else {
        failed++;
        this.lastFailure.set(uid, now);
      }
      counted.push(pod);
    }
    if (indexed) status.completedIndexes = formatIndexes(completed);
    const active = pods.filter((p) => !isTerminal(p) && !p.metadata.deletionTimestamp);
    const terminating = pods.filter((p) => !isTerminal(p) && !!p.metadata.deletionTimestamp);
    status.succeeded = succeeded;
    status.failed = failed;

    let wake: number | undefined;
    const finished = jobFinished(job);
    const suspended = spec.suspend === true;
    if (!finished && !suspended && !status.startTime) status.startTime = timestamp(now);

    let target = this.failureTarget(job, status, active, now);
    let success = !target && this.successReached(job, succeeded, completed, active);
    if (jobCondition(job, "FailureTarget")) target = target ?? { reason: jobCondition(job, "FailureTarget")?.reason ?? "", message: jobCondition(job, "FailureTarget")?.message ?? "" };
    if (jobCondition(job, "SuccessCriteriaMet")) success = true;

    if (!finished && target) {
      if (!jobCondition(job, "FailureTarget")) {
        setCondition(status, "FailureTarget", "True", target.reason, target.message, now);
        recorder.record(job, { type: "Warning", reason: target.reason, message: target.message, component: COMPONENT });
      }
      for (const pod of active) this.deletePod(job, pod);
      if (!active.length && !terminating.length) {
        setCondition(status, "Failed", "True", target.reason, target.message, now);
      }
    } else if (!finished && success) {
      if (!jobCondition(job, "SuccessCriteriaMet")) setCondition(status, "SuccessCriteriaMet", "True", "CompletionsReached", "Reached expected number of succeeded pods", now);
      for (const pod of active) this.deletePod(job, pod);
      if (!active.length && !terminating.length) {
        setCondition(status, "Complete", "True", "CompletionsReached", "Reached expected number of succeeded pods", now);
        status.completionTime = timestamp(now);
        recorder.record(job, { type: "Normal", reason: "Completed", message: "Job completed", component: COMPONENT });
      }
    } else if (!finished && suspended) {
      for (const pod of active) this.deletePod(job, pod);
      if (!jobCondition(job, "Suspended")) {
        setCondition(status, "Suspended", "True", "JobSuspended", "Job suspended", now);
        recorder.record(job, { type: "Normal", reason: "Suspended", message: "Job suspended", component: COMPONENT });
      }
      delete status.startTime;
    } else if (!finished) {
      if (job.status?.conditions?.some((c) => c.type === "Suspended" && c.status === "True")) {
        setCondition(status, "Suspended", "False", "JobResumed", "Job resumed", now);
        recorder.record(job, { type: "Normal", reason: "Resumed", message: "Job resumed", component: COMPONENT });
      }
      wake = this.managePods(job, status, active, completed, now);
    }

    status.active = active.filter((p) => !p.metadata.deletionTimestamp).length;
    status.ready = active.filter(isPodReady).length;
    status.terminating = terminating.length;
    status.uncountedTerminatedPods ??= {};
    if (jobFinished({ ...job, status })) status.active = 0;
    for (const k of ["active", "succeeded", "failed"] as const) if (status[k] === 0) delete status[k];
    this.writeStatus(job, status);
    for (const pod of counted) this.dropFinalizer(pod);
    this.scheduleFollowUps(job, status, now, wake);
  }

  /** Why the job must fail now, if it must (backoff limit, deadline). */
  private failureTarget(job: Job, status: JobStatus, active: Pod[], now: number): { reason: string; message: string } | undefined {
    const spec = job.spec ?? {};
    const restarts = job.spec?.template?.spec?.restartPolicy === "OnFailure" ? active.reduce((sum, p) => sum + (p.status?.containerStatuses ?? []).reduce((s, c) => s + (c.restartCount ?? 0), 0), 0) : 0;
    if ((status.failed ?? 0) + restarts > (spec.backoffLimit ?? 6)) return { reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" };
    const deadline = spec.activeDeadlineSeconds;
    if (deadline !== undefined && status.startTime && timeOf(status.startTime) + deadline * 1000 <= now && spec.suspend !== true) {
      return { reason: "DeadlineExceeded", message: "Job was active longer than specified deadline" };
    }
    return undefined;
  }

  private successReached(job: Job, succeeded: number, completed: Set<number>, active: Pod[]): boolean {
    const completions = job.spec?.completions;
    if (completions === undefined || completions === null) return succeeded > 0 && active.length === 0;
    if (job.spec?.completionMode === "Indexed") return completed.size >= completions;
    return succeeded >= completions;
  }

  /** Create or delete pods towards the wanted number; returns ms to wait when backing off. */
  private managePods(job: Job, status: JobStatus, active: Pod[], completed: Set<number>, now: number): number | undefined {
    const spec = job.spec ?? {};
    const parallelism = spec.parallelism ?? 1;
    const completions = spec.completions;
    let wanted: number;
    if (completions === undefined || completions === null) wanted = (status.succeeded ?? 0) > 0 ? 0 : parallelism;
    else wanted = Math.min(parallelism, completions - (spec.completionMode === "Indexed" ? completed.size : (status.succeeded ?? 0)));
    wanted = Math.max(wanted, 0);
    if (active.length > wanted) {
      // Newest first go, as upstream's activePodsForRemoval.
      const extra = [...active].sort((a, b) => timeOf(b.metadata.creationTimestamp) - timeOf(a.metadata.creationTimestamp)).slice(0, active.length - wanted);
      for (const pod of extra) this.deletePod(job, pod);
      return undefined;
    }
    if (active.length === wanted) return undefined;
    const wait = this.backoffRemaining(job, status, now);
    if (wait > 0) return wait;
    if (spec.completionMode === "Indexed") {
      const running = new Set(active.map((p) => Number(p.metadata.annotations?.[COMPLETION_INDEX])));
      let toCreate = wanted - active.length;
      for (let i = 0; i < (completions ?? 0) && toCreate > 0; i++) {
        if (completed.has(i) || running.has(i)) continue;
        this.createPod(job, i);
        toCreate--;
      }
      return undefined;
    }
    for (let i = active.length; i < wanted; i++) this.createPod(job);
    return undefined;
  }

  /** Upstream's exponential back-off after failures: 10 s, 20 s, 40 s ... up to 6 min, from the last failure. */
  private backoffRemaining(job: Job, status: JobStatus, now: number): number {
    const failed = status.failed ?? 0;
    if (!failed) return 0;
    const last = this.lastFailure.get(job.metadata.uid ?? "");
    if (last === undefined) return 0;
    const delay = Math.min(JOB_BACKOFF_BASE * 2 ** (failed - 1), JOB_BACKOFF_MAX);
    return Math.max(0, last + delay - now);
  }

  private createPod(job: Job, index?: number): void {
    const { service, recorder } = this.deps;
    const template = job.spec?.template ?? {};
    const meta = template.metadata ?? {};
    const name = job.metadata.name ?? "";
    const labels: Record<string, string> = { ...meta.labels };
    const annotations: Record<string, string> = { ...meta.annotations };
    const spec = structuredClone(template.spec ?? { containers: [] }) as Record<string, unknown>;
    if (index !== undefined) {
      labels[COMPLETION_INDEX] = String(index);
      annotations[COMPLETION_INDEX] = String(index);
      spec.hostname ??= `${name}-${index}`;
      for (const c of (spec.containers as { env?: unknown[] }[] | undefined) ?? []) {
        c.env = [...(c.env ?? []), { name: "JOB_COMPLETION_INDEX", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: `metadata.labels['${COMPLETION_INDEX}']` } } }];
      }
    }
    const pod: KObject = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        generateName: index === undefined ? `${name}-` : `${name}-${index}-`,
        labels,
        ...(Object.keys(annotations).length ? { annotations } : {}),
        finalizers: [JOB_TRACKING_FINALIZER],
        ownerReferences: [controllerRef(job)],
      },
      spec,
    };
    try {
      const created = service.create(this.podType, job.metadata.namespace, pod);
      recorder.record(job, { type: "Normal", reason: "SuccessfulCreate", message: `Created pod: ${created.metadata.name ?? ""}`, component: COMPONENT });
    } catch (error) {
      recorder.record(job, { type: "Warning", reason: "FailedCreate", message: `Error creating: ${(error as Error).message}`, component: COMPONENT });
    }
  }

  private deletePod(job: Job, pod: Pod): void {
    try {
      this.deps.service.delete(this.podType, pod.metadata.namespace, pod.metadata.name ?? "");
      this.deps.recorder.record(job, { type: "Normal", reason: "SuccessfulDelete", message: `Deleted pod: ${pod.metadata.name ?? ""}`, component: COMPONENT });
    } catch {
      // Gone already.
    }
  }

  private writeStatus(job: Job, status: JobStatus): void {
    if (JSON.stringify(status) === JSON.stringify(job.status ?? {})) return;
    try {
      this.deps.service.mutate(this.jobType, job.metadata.namespace, job.metadata.name ?? "", (o) => {
        o.status = status;
      }, { subresource: "status" });
    } catch {
      // Deleted meanwhile.
    }
  }

  /** Deadline and TTL timers on the clock. */
  private scheduleFollowUps(job: Job, status: JobStatus, now: number, wake: number | undefined): void {
    const spec = job.spec ?? {};
    const done = status.conditions?.find((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True");
    if (done) {
      const ttl = spec.ttlSecondsAfterFinished;
      if (ttl === undefined) return;
      const at = timeOf(done.lastTransitionTime) + ttl * 1000;
      if (at <= now) {
        try {
          this.deps.service.delete(this.jobType, job.metadata.namespace, job.metadata.name ?? "", { propagationPolicy: "Background" });
        } catch {
          // Gone already.
        }
      } else this.queue.addAfter(keyOf(job), at - now);
      return;
    }
    let after = wake;
    if (spec.activeDeadlineSeconds !== undefined && status.startTime && spec.suspend !== true) {
      const at = timeOf(status.startTime) + spec.activeDeadlineSeconds * 1000;
      if (at > now) after = Math.min(after ?? Infinity, at - now);
    }
    if (after !== undefined) this.queue.addAfter(keyOf(job), after);
  }
}

function setCondition(status: JobStatus, type: string, value: "True" | "False", reason: string, message: string, now: number): void {
  const conditions = status.conditions ?? [];
  const existing = conditions.find((c) => c.type === type);
  const at = timestamp(now);
  if (existing) {
    if (existing.status !== value) existing.lastTransitionTime = at;
    existing.status = value;
    existing.reason = reason;
    existing.message = message;
    existing.lastProbeTime = at;
  } else conditions.push({ type, status: value, lastProbeTime: at, lastTransitionTime: at, reason, message });
  status.conditions = conditions;
}
