// batch/v1 Job and CronJob: defaults, validation and the tables kubectl
// prints; controllers/job.ts and cronjob.ts reconcile them.
import { newUid } from "../apiserver/uid";
import type { Condition, KObject } from "../types";
import { ALL_VERBS, AGE_COLUMN, column, defineResource, type FieldError } from "./resource";
import { ageSince, humanDuration } from "./format";
import { validateSubdomain } from "./validation";
import { CONTAINERS_COLUMN, defaultPodTemplate, formatSelector, IMAGES_COLUMN, SELECTOR_COLUMN, templateContainers, validatePodTemplate, type LabelSelector, type PodTemplate } from "./workload";
import { cronJobSchema, jobSchema } from "../schema/workloads";

interface JobSpec {
  completions?: number;
  parallelism?: number;
  backoffLimit?: number;
  selector?: LabelSelector;
  manualSelector?: boolean;
  template?: PodTemplate;
  [field: string]: unknown;
}

interface Job extends KObject {
  spec?: JobSpec;
  status?: { conditions?: Condition[]; startTime?: string; completionTime?: string; succeeded?: number; active?: number; [field: string]: unknown };
}

const JOB_RESTART_POLICIES = ["OnFailure", "Never"];

function jobStatus(job: Job): string {
  const is = (type: string): boolean => !!job.status?.conditions?.some((c) => c.type === type && c.status === "True");
  if (is("Complete")) return "Complete";
  if (is("Failed")) return "Failed";
  if (job.metadata.deletionTimestamp) return "Terminating";
  if (is("Suspended")) return "Suspended";
  if (is("FailureTarget")) return "FailureTarget";
  return "Running";
}

function jobCompletions(job: Job): string {
  const succeeded = job.status?.succeeded ?? 0;
  const completions = job.spec?.completions;
  if (completions !== undefined && completions !== null) return `${succeeded}/${completions}`;
  const parallelism = job.spec?.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDuration(job: Job, now: number): string {
  const start = job.status?.startTime;
  if (!start) return "";
  const end = job.status?.completionTime ? Date.parse(job.status.completionTime) : now;
  return humanDuration(end - Date.parse(start));
}

function defaultJobSpec(spec: JobSpec): void {
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= 6;
  spec.completionMode ??= "NonIndexed";
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= "TerminatingOrFailed";
  if (spec.template) defaultPodTemplate(spec.template);
}

function validateJobSpec(spec: JobSpec | undefined, path: string): FieldError[] {
  const errors: FieldError[] = validatePodTemplate(spec?.template, `${path}.template`, JOB_RESTART_POLICIES);
  for (const field of ["completions", "parallelism", "backoffLimit"] as const) {
    const value = spec?.[field];
    if (value !== undefined && (typeof value !== "number" || value < 0)) {
      errors.push({ field: `${path}.${field}`, type: "FieldValueInvalid", value, detail: "must be greater than or equal to 0" });
    }
  }
  return errors;
}

export const jobs = defineResource<Job>(jobSchema, {
  plural: "jobs",
  singular: "job",
  namespaced: true,
  shortNames: [],
  categories: ["all"],
  verbs: ALL_VERBS,
  subresources: [{ name: "status", kind: "Job", verbs: ["get", "patch", "update"] }],
  statusSubresource: true,
  columns: [
    column("Status", "string", "Where the job stands: Running, Complete, Failed, Suspended or Terminating."),
    column("Completions", "string", "Pods that finished successfully, out of the number wanted."),
    column("Duration", "string", "How long the job ran, or has been running so far."),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    SELECTOR_COLUMN,
  ],
  cells: (job, now) => [jobStatus(job), jobCompletions(job), jobDuration(job, now), ageSince(job.metadata.creationTimestamp, now), ...templateContainers(job.spec?.template), formatSelector(job.spec?.selector)],
  defaults(job) {
    const spec = (job.spec ??= {});
    defaultJobSpec(spec);
    if (!spec.manualSelector) {
      // The job controller's own selector: the object's uid, stamped on its pods.
      const uid = job.metadata.uid ?? newUid();
      const name = job.metadata.name ?? "";
      spec.selector = { matchLabels: { "batch.kubernetes.io/controller-uid": uid } };
      const template = (spec.template ??= {});
      const meta = (template.metadata ??= {});
      meta.labels = { "batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": name, "controller-uid": uid, "job-name": name, ...meta.labels };
    }
    job.metadata.generation = 1;
    job.status = {};
  },
  validate: (job) => [...validateSubdomain("metadata.name", job.metadata.name ?? ""), ...validateJobSpec(job.spec, "spec")],
});

interface CronJob extends KObject {
  spec?: {
    schedule?: string;
    timeZone?: string;
    suspend?: boolean;
    jobTemplate?: { metadata?: Record<string, unknown>; spec?: JobSpec };
    [field: string]: unknown;
  };
  status?: { active?: unknown[]; lastScheduleTime?: string; [field: string]: unknown };
}

const CRON_MACROS = new Set(["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"]);
const CRON_FIELD = /^(\*|\?|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/\d+)?(,(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/\d+)?)*$/;

function validSchedule(schedule: string): boolean {
  const trimmed = schedule.trim();
  if (CRON_MACROS.has(trimmed) || /^@every \S+$/.test(trimmed)) return true;
  const parts = trimmed.replace(/^(CRON_)?TZ=\S+\s+/, "").split(/\s+/);
  return parts.length === 5 && parts.every((p) => CRON_FIELD.test(p));
}

export const cronjobs = defineResource<CronJob>(cronJobSchema, {
  plural: "cronjobs",
  singular: "cronjob",
  namespaced: true,
  shortNames: ["cj"],
  categories: ["all"],
  verbs: ALL_VERBS,
  subresources: [{ name: "status", kind: "CronJob", verbs: ["get", "patch", "update"] }],
  statusSubresource: true,
  columns: [
    column("Schedule", "string", "When jobs are started, in cron syntax."),
    column("Timezone", "string", "The time zone the schedule is read in; the controller's own when unset."),
    column("Suspend", "boolean", "Whether new runs are on hold."),
    column("Active", "integer", "Jobs of this CronJob running now."),
    column("Last Schedule", "date", "How long ago a job was last started."),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    SELECTOR_COLUMN,
  ],
  cells(cj, now) {
    const spec = cj.spec ?? {};
    const jobSpec = spec.jobTemplate?.spec;
    return [
      spec.schedule ?? "",
      spec.timeZone ?? "<none>",
      spec.suspend === undefined ? "<unset>" : spec.suspend ? "True" : "False",
      cj.status?.active?.length ?? 0,
      cj.status?.lastScheduleTime ? ageSince(cj.status.lastScheduleTime, now) : "<none>",
      ageSince(cj.metadata.creationTimestamp, now),
      ...templateContainers(jobSpec?.template),
      formatSelector(jobSpec?.selector),
    ];
  },
  defaults(cj) {
    const spec = (cj.spec ??= {});
    spec.concurrencyPolicy ??= "Allow";
    spec.suspend ??= false;
    spec.successfulJobsHistoryLimit ??= 3;
    spec.failedJobsHistoryLimit ??= 1;
    const template = (spec.jobTemplate ??= {});
    // An embedded ObjectMeta always carries its (zero) creationTimestamp, named template or not.
    (template.metadata ??= {}).creationTimestamp ??= null;
    defaultJobSpec((template.spec ??= {}));
    cj.metadata.generation = 1;
    cj.status = {};
  },
  validate(cj) {
    const errors = validateSubdomain("metadata.name", cj.metadata.name ?? "");
    const schedule = cj.spec?.schedule;
    if (!schedule) errors.push({ field: "spec.schedule", type: "FieldValueRequired" });
    else if (!validSchedule(schedule)) errors.push({ field: "spec.schedule", type: "FieldValueInvalid", value: schedule, detail: `unparseable schedule: ${schedule}` });
    if ((cj.metadata.name ?? "").length > 52) errors.push({ field: "metadata.name", type: "FieldValueInvalid", value: cj.metadata.name, detail: "must be no more than 52 characters" });
    errors.push(...validateJobSpec(cj.spec?.jobTemplate?.spec, "spec.jobTemplate.spec"));
    return errors;
  },
});
