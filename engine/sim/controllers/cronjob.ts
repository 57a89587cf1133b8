// The CronJob controller, after upstream's cronjob_controllerv2: on the
// injected clock, creates Job `<cronjob>-<scheduled minutes since epoch>` for
// the most recent missed schedule time (in spec.timeZone, else UTC, the
// controller manager's zone), honouring concurrencyPolicy Allow / Forbid /
// Replace, suspend and startingDeadlineSeconds; tracks status.active,
// lastScheduleTime and lastSuccessfulTime; deletes finished Jobs beyond the
// successful/failed history limits; and requeues itself for the next slot.
import type { Clock } from "../../clock";
import type { ResourceService } from "../apiserver/service";
import { timestamp, type Registry, type ResourceType } from "../registry";
import type { Watch } from "../store/store";
import type { KObject, ObjectReference } from "../types";
import { mostRecentScheduleTime, parseSchedule, type CronSchedule } from "./cron";
import { referenceTo, type EventRecorder } from "./events";
import { jobFinished, type Job, type JobSpec } from "./job";
import { controllerOf, controllerRef, timeOf } from "./ownership";
import { WorkQueue } from "./workqueue";

const COMPONENT = "cronjob-controller";
export const SCHEDULED_TIMESTAMP = "batch.kubernetes.io/cronjob-scheduled-timestamp";
/** Upstream adds 100 ms to the wait for the next slot. */
const NEXT_SLACK = 100;

export interface CronJob extends KObject {
  spec?: {
    schedule?: string;
    timeZone?: string;
    suspend?: boolean;
    concurrencyPolicy?: string;
    startingDeadlineSeconds?: number;
    successfulJobsHistoryLimit?: number;
    failedJobsHistoryLimit?: number;
    jobTemplate?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: JobSpec };
    [field: string]: unknown;
  };
  status?: { active?: ObjectReference[]; lastScheduleTime?: string; lastSuccessfulTime?: string; [field: string]: unknown };
}

export interface CronJobControllerDeps {
  service: ResourceService;
  registry: Registry;
  recorder: EventRecorder;
  clock: Clock;
}

const keyOf = (o: KObject): string => `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;

/** The name of the Job for a scheduled time: minutes since the epoch, as upstream's getJobName. */
export function cronJobName(cronJob: string, scheduledMs: number): string {
  return `${cronJob}-${Math.floor(scheduledMs / 60_000)}`;
}

export class CronJobController {
  private readonly queue: WorkQueue;
  private readonly cronType: ResourceType;
  private readonly jobType: ResourceType;
  private watches: Watch[] = [];

  constructor(private readonly deps: CronJobControllerDeps) {
    this.cronType = deps.registry.find("batch", "v1", "cronjobs") as ResourceType;
    this.jobType = deps.registry.find("batch", "v1", "jobs") as ResourceType;
    this.queue = new WorkQueue(deps.clock, (key) => this.reconcile(key));
  }

  start(): void {
    const { store } = this.deps.service;
    this.watches.push(
      store.watch(this.deps.registry.key(this.cronType), undefined, (event) => this.queue.add(keyOf(event.object))),
      store.watch(this.deps.registry.key(this.jobType), undefined, (event) => {
        const ref = controllerOf(event.object);
        if (ref?.kind === "CronJob") this.queue.add(`${event.object.metadata.namespace ?? ""}/${ref.name}`);
      }),
    );
    for (const cj of this.deps.service.list(this.cronType, undefined).items) this.queue.add(keyOf(cj));
  }

  stop(): void {
    for (const w of this.watches) w.stop();
    this.watches = [];
    this.queue.dispose();
  }

  private event(cj: CronJob, type: "Normal" | "Warning", reason: string, message: string): void {
    this.deps.recorder.record(cj, { type, reason, message, component: COMPONENT });
  }

  private reconcile(key: string): void {
    const [namespace, name] = key.split("/") as [string, string];
    const cj: CronJob | undefined = this.deps.service.find(this.cronType, namespace, name);
    if (!cj || cj.metadata.deletionTimestamp) return;
    const jobs = (this.deps.service.list(this.jobType, namespace).items as Job[]).filter((j) => controllerOf(j)?.uid === cj.metadata.uid);
    const status = structuredClone(cj.status ?? {});
    this.syncActive(cj, status, jobs);
    const requeue = this.schedule(cj, status, jobs);
    if (!status.active?.length) delete status.active;
    this.cleanupHistory(cj, this.deps.service.list(this.jobType, namespace).items.filter((j) => controllerOf(j)?.uid === cj.metadata.uid));
    if (JSON.stringify(status) !== JSON.stringify(cj.status ?? {})) {
      try {
        this.deps.service.mutate(this.cronType, namespace, name, (o) => {
          o.status = status;
        }, { subresource: "status" });
      } catch {
        // Deleted meanwhile.
      }
    }
    if (requeue !== undefined) this.queue.addAfter(key, requeue);
  }

  /** Drop finished or vanished Jobs from status.active (SawCompletedJob), add running ones it owns. */
  private syncActive(cj: CronJob, status: NonNullable<CronJob["status"]>, jobs: Job[]): void {
    const active = status.active ?? [];
    const byUid = new Map(jobs.map((j) => [j.metadata.uid, j]));
    const next: ObjectReference[] = [];
    for (const ref of active) {
      const job = byUid.get(ref.uid);
      if (!job) continue;
      const finished = jobFinished(job);
      if (finished) {
        this.event(cj, "Normal", "SawCompletedJob", `Saw completed job: ${job.metadata.name ?? ""}, status: ${finished}`);
        if (finished === "Complete" && job.status?.completionTime) {
          const last = status.lastSuccessfulTime;
          if (!last || timeOf(last) < timeOf(job.status.completionTime)) status.lastSuccessfulTime = job.status.completionTime;
        }
        continue;
      }
      next.push(ref);
    }
    for (const job of jobs) {
      if (jobFinished(job) || job.metadata.deletionTimestamp || next.some((r) => r.uid === job.metadata.uid)) continue;
      next.push(jobReference(job));
    }
    status.active = next;
  }

  /** Start the Job due now, if any; returns ms until the next slot. */
  private schedule(cj: CronJob, status: NonNullable<CronJob["status"]>, jobs: Job[]): number | undefined {
    const spec = cj.spec ?? {};
    const now = this.deps.clock.now();
    if (spec.suspend) return undefined;
    let schedule: CronSchedule;
    try {
      schedule = parseSchedule(spec.schedule ?? "", spec.timeZone);
    } catch (error) {
      if (error instanceof RangeError) this.event(cj, "Warning", "UnknownTimeZone", `invalid timeZone: "${spec.timeZone ?? ""}": ${error.message}`);
      else this.event(cj, "Warning", "UnparseableSchedule", `unparseable schedule: "${spec.schedule ?? ""}" : ${(error as Error).message}`);
      return undefined;
    }
    const nextIn = (): number | undefined => {
      const next = schedule.next(now);
      return next === undefined ? undefined : next - now + NEXT_SLACK;
    };
    let earliest = timeOf(status.lastScheduleTime) || timeOf(cj.metadata.creationTimestamp);
    if (spec.startingDeadlineSeconds !== undefined) earliest = Math.max(earliest, now - spec.startingDeadlineSeconds * 1000);
    const { time, missed } = mostRecentScheduleTime(schedule, earliest, now);
    if (time === undefined) return nextIn();
    if (missed > 100) {
      this.event(cj, "Warning", "TooManyMissedTimes", "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew");
    }
    if (spec.startingDeadlineSeconds !== undefined && time + spec.startingDeadlineSeconds * 1000 < now) {
      this.event(cj, "Warning", "MissSchedule", `Missed scheduled time to start a job: ${timestamp(time)}`);
      return nextIn();
    }
    const name = cronJobName(cj.metadata.name ?? "", time);
    if (jobs.some((j) => j.metadata.name === name)) return nextIn();
    const active = status.active ?? [];
    if (spec.concurrencyPolicy === "Forbid" && active.length) {
      this.event(cj, "Normal", "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid");
      return nextIn();
    }
    if (spec.concurrencyPolicy === "Replace") {
      for (const ref of active) {
        this.deleteJob(cj, ref.name ?? "");
      }
      status.active = [];
    }
    const template = spec.jobTemplate ?? {};
    const body: KObject = {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: {
        name,
        ...(template.metadata?.labels ? { labels: { ...template.metadata.labels } } : {}),
        annotations: { ...template.metadata?.annotations, [SCHEDULED_TIMESTAMP]: timestamp(time) },
        ownerReferences: [controllerRef(cj)],
      },
      spec: structuredClone(template.spec ?? {}),
    };
    try {
      const created = this.deps.service.create(this.jobType, cj.metadata.namespace, body) as Job;
      this.event(cj, "Normal", "SuccessfulCreate", `Created job ${name}`);
      status.active = [...(status.active ?? []), jobReference(created)];
      status.lastScheduleTime = timestamp(time);
    } catch (error) {
      this.event(cj, "Warning", "FailedCreate", `Error creating job: ${(error as Error).message}`);
    }
    return nextIn();
  }

  private cleanupHistory(cj: CronJob, jobs: Job[]): void {
    const finished = jobs.filter((j) => jobFinished(j) && !j.metadata.deletionTimestamp);
    const prune = (kind: "Complete" | "Failed", limit: number | undefined): void => {
      if (limit === undefined) return;
      const ofKind = finished.filter((j) => jobFinished(j) === kind).sort((a, b) => startOf(a) - startOf(b));
      for (const job of ofKind.slice(0, Math.max(0, ofKind.length - limit))) this.deleteJob(cj, job.metadata.name ?? "");
    };
    prune("Complete", cj.spec?.successfulJobsHistoryLimit);
    prune("Failed", cj.spec?.failedJobsHistoryLimit);
  }

  private deleteJob(cj: CronJob, name: string): void {
    try {
      this.deps.service.delete(this.jobType, cj.metadata.namespace, name, { propagationPolicy: "Background" });
      this.event(cj, "Normal", "SuccessfulDelete", `Deleted job ${name}`);
    } catch {
      // Gone already.
    }
  }
}

function startOf(job: Job): number {
  return timeOf(job.status?.startTime) || timeOf(job.metadata.creationTimestamp);
}

function jobReference(job: Job): ObjectReference {
  const ref = referenceTo(job);
  return { kind: ref.kind, namespace: ref.namespace, name: ref.name, uid: ref.uid, apiVersion: ref.apiVersion, resourceVersion: ref.resourceVersion };
}
