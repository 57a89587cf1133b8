// apps/v1 (Deployment, ReplicaSet, DaemonSet, StatefulSet,
// ControllerRevision), core/v1 ReplicationController, batch/v1 (Job,
// CronJob) and autoscaling/v1 Scale: the controllers that run pods for you.
import { bool, coreRef, enumOf, field, int32, int64, intOrString, list, mapOf, metaRef, pkg, raw, str, time } from "./dsl";

const apps = pkg("io.k8s.api.apps.v1");
const core = pkg("io.k8s.api.core.v1");
const batch = pkg("io.k8s.api.batch.v1");
const autoscaling = pkg("io.k8s.api.autoscaling.v1");

const CONDITION_STATUS = enumOf("False", "True", "Unknown");
const byType = { mergeKey: "type", strategy: "merge", listType: "map", mapKeys: ["type"] } as const;
const appsV1 = { group: "apps", version: "v1" };
const batchV1 = { group: "batch", version: "v1" };

const SELECTOR = "Which pods belong to this controller, by label. Must match the template's labels and cannot be changed after creation.";
const TEMPLATE = "The pod to create copies of.";
const MIN_READY = "Seconds a new pod must be ready, without a container crashing, before it counts as available. Defaults to 0.";
const HISTORY = "How many old revisions to keep for rollbacks.";

export const deploymentSchema = apps.kind("Deployment", appsV1, "Keeps a number of identical pods running and rolls out changes to them gradually, through ReplicaSets.", {
  metadata: field(1, metaRef("ObjectMeta"), "Name, namespace, labels and other metadata of the deployment."),
  spec: field(2, apps.ref("DeploymentSpec"), "The pods wanted and how to replace them on change."),
  status: field(3, apps.ref("DeploymentStatus"), "How far the rollout got. Read-only."),
});

apps.object("DeploymentSpec", "The desired state of a deployment.", {
  replicas: field(1, int32, "How many pods to run. Defaults to 1.", { ptr: true, default: 1 }),
  selector: field(2, metaRef("LabelSelector"), SELECTOR, { required: true }),
  template: field(3, coreRef("PodTemplateSpec"), `${TEMPLATE} Changing it starts a new rollout (a new ReplicaSet).`, { required: true }),
  strategy: field(4, apps.ref("DeploymentStrategy"), "How old pods are replaced by new ones."),
  minReadySeconds: field(5, int32, MIN_READY),
  revisionHistoryLimit: field(6, int32, `${HISTORY} Defaults to 10.`, { ptr: true, default: 10 }),
  paused: field(7, bool, "While true, template changes do not start a rollout (kubectl rollout pause)."),
  progressDeadlineSeconds: field(9, int32, "Seconds a rollout may go without progress before the Progressing condition turns False. Defaults to 600.", { ptr: true, default: 600 }),
});

apps.object("DeploymentStrategy", "How a deployment replaces pods.", {
  type: field(1, enumOf("Recreate", "RollingUpdate"), "RollingUpdate (the default) replaces pods a few at a time; Recreate deletes all old pods first.", { default: "RollingUpdate" }),
  rollingUpdate: field(2, apps.ref("RollingUpdateDeployment"), "Pace of a rolling update; only for type RollingUpdate."),
});

apps.object("RollingUpdateDeployment", "Pace of a rolling update.", {
  maxUnavailable: field(1, intOrString, "How many pods (a number or a percentage of replicas) may be unavailable during the update. Defaults to 25%.", { ptr: true }),
  maxSurge: field(2, intOrString, "How many pods (a number or a percentage) may exist above replicas during the update. Defaults to 25%.", { ptr: true }),
});

apps.object("DeploymentStatus", "The observed state of a deployment.", {
  observedGeneration: field(1, int64, "The metadata.generation the controller has acted on; kubectl rollout status waits for it."),
  replicas: field(2, int32, "Pods of this deployment, old and new."),
  updatedReplicas: field(3, int32, "Pods from the current template (UP-TO-DATE)."),
  readyReplicas: field(7, int32, "Pods that are ready."),
  availableReplicas: field(4, int32, "Pods ready for at least minReadySeconds (AVAILABLE)."),
  unavailableReplicas: field(5, int32, "Pods still missing to reach replicas available."),
  conditions: field(6, list(apps.ref("DeploymentCondition"), byType), "Available and Progressing (and ReplicaFailure)."),
  collisionCount: field(8, int32, "Counts pod-template-hash collisions, to make new ReplicaSet names unique.", { ptr: true }),
});

apps.object("DeploymentCondition", "One condition of a deployment.", {
  type: field(1, enumOf("Available", "Progressing", "ReplicaFailure"), "Which condition.", { required: true }),
  status: field(2, CONDITION_STATUS, "Whether it holds.", { required: true }),
  lastUpdateTime: field(6, time, "When it was last updated."),
  lastTransitionTime: field(7, time, "When status last changed."),
  reason: field(4, str, "One-word cause, e.g. NewReplicaSetAvailable."),
  message: field(5, str, "Details for people."),
});

export const replicaSetSchema = apps.kind("ReplicaSet", appsV1, "Keeps a number of pods matching a selector running. Usually made and managed by a Deployment.", {
  metadata: field(1, metaRef("ObjectMeta"), "Name, namespace, labels and owner of the replica set."),
  spec: field(2, apps.ref("ReplicaSetSpec"), "How many pods, and which."),
  status: field(3, apps.ref("ReplicaSetStatus"), "How many pods exist and are ready. Read-only."),
});

apps.object("ReplicaSetSpec", "The desired state of a replica set.", {
  replicas: field(1, int32, "How many pods to run. Defaults to 1.", { ptr: true, default: 1 }),
  minReadySeconds: field(4, int32, MIN_READY),
  selector: field(2, metaRef("LabelSelector"), SELECTOR, { required: true }),
  template: field(3, coreRef("PodTemplateSpec"), TEMPLATE),
});

apps.object("ReplicaSetStatus", "The observed state of a replica set.", {
  replicas: field(1, int32, "Pods that exist.", { required: true }),
  fullyLabeledReplicas: field(2, int32, "Pods whose labels match the template's."),
  readyReplicas: field(4, int32, "Pods that are ready."),
  availableReplicas: field(5, int32, "Pods ready for at least minReadySeconds."),
  observedGeneration: field(3, int64, "The generation the controller has acted on."),
  conditions: field(6, list(apps.ref("ReplicaSetCondition"), byType), "ReplicaFailure, when pods cannot be created."),
});

apps.object("ReplicaSetCondition", "One condition of a replica set.", {
  type: field(1, str, "Which condition.", { required: true }),
  status: field(2, CONDITION_STATUS, "Whether it holds.", { required: true }),
  lastTransitionTime: field(3, time, "When status last changed."),
  reason: field(4, str, "One-word cause."),
  message: field(5, str, "Details for people."),
});

export const replicationControllerSchema = core.kind("ReplicationController", { group: "", version: "v1" }, "The original way to keep a number of pods running: like a ReplicaSet, but its selector is a plain label map. Use a Deployment instead.", {
  metadata: field(1, metaRef("ObjectMeta"), "Name, namespace and labels; labels default to the template's."),
  spec: field(2, core.ref("ReplicationControllerSpec"), "How many pods, which ones, and what they run."),
  status: field(3, core.ref("ReplicationControllerStatus"), "How many pods exist and are ready. Read-only."),
});

core.object("ReplicationControllerSpec", "The desired state of a replication controller.", {
  replicas: field(1, int32, "How many pods to run. Defaults to 1.", { ptr: true, default: 1 }),
  minReadySeconds: field(4, int32, MIN_READY),
  selector: field(2, mapOf(str), "Labels a pod needs to belong to this controller; defaults to the template's labels."),
  template: field(3, core.ref("PodTemplateSpec"), TEMPLATE),
});

core.object("ReplicationControllerStatus", "The observed state of a replication controller.", {
  replicas: field(1, int32, "Pods that exist now.", { required: true }),
  fullyLabeledReplicas: field(2, int32, "Pods whose labels match the template's."),
  readyReplicas: field(4, int32, "Pods that are ready."),
  availableReplicas: field(5, int32, "Pods ready for at least minReadySeconds."),
  observedGeneration: field(3, int64, "The generation this status is about."),
  conditions: field(6, list(core.ref("ReplicationControllerCondition"), byType), "Problems creating or deleting pods (ReplicaFailure)."),
});

core.object("ReplicationControllerCondition", "One condition of a replication controller.", {
  type: field(1, str, "Which condition (ReplicaFailure).", { required: true }),
  status: field(2, CONDITION_STATUS, "Whether it holds.", { required: true }),
  lastTransitionTime: field(3, time, "When status last changed."),
  reason: field(4, str, "One-word cause."),
  message: field(5, str, "Details for people."),
});

export const controllerRevisionSchema = apps.kind("ControllerRevision", appsV1, "A saved copy of a DaemonSet's or StatefulSet's pod template, one per revision: what rollout history lists and rollout undo goes back to.", {
  metadata: field(1, metaRef("ObjectMeta"), "Name (<owner>-<hash>), namespace, labels and the owning controller."),
  data: field(2, raw, "The saved state: a patch holding the owner's pod template."),
  revision: field(3, int64, "The revision number, counting up from 1.", { required: true }),
});

export const daemonSetSchema = apps.kind("DaemonSet", appsV1, "Runs one copy of a pod on every node (or every node a selector picks), e.g. for log shippers and node agents.", {
  metadata: field(1, metaRef("ObjectMeta"), "Name, namespace, labels and other metadata of the daemon set."),
  spec: field(2, apps.ref("DaemonSetSpec"), "The pod to run on each node."),
  status: field(3, apps.ref("DaemonSetStatus"), "How many nodes run it. Read-only."),
});

apps.object("DaemonSetSpec", "The desired state of a daemon set.", {
  selector: field(1, metaRef("LabelSelector"), SELECTOR, { required: true }),
  template: field(2, coreRef("PodTemplateSpec"), `${TEMPLATE} Its nodeSelector and affinity limit which nodes get one.`, { required: true }),
  updateStrategy: field(3, apps.ref("DaemonSetUpdateStrategy"), "How pods are replaced when the template changes."),
  minReadySeconds: field(4, int32, MIN_READY),
  revisionHistoryLimit: field(6, int32, `${HISTORY} Defaults to 10.`, { ptr: true }),
});

apps.object("DaemonSetUpdateStrategy", "How a daemon set replaces its pods.", {
  type: field(1, enumOf("OnDelete", "RollingUpdate"), "RollingUpdate (the default) replaces pods node by node; OnDelete only when you delete them.", { default: "RollingUpdate" }),
  rollingUpdate: field(2, apps.ref("RollingUpdateDaemonSet"), "Pace of a rolling update."),
});

apps.object("RollingUpdateDaemonSet", "Pace of a daemon set rolling update.", {
  maxUnavailable: field(1, intOrString, "Nodes (number or percentage) that may be without a ready pod during the update. Defaults to 1.", { ptr: true }),
  maxSurge: field(2, intOrString, "Nodes that may briefly run an old and a new pod. Defaults to 0.", { ptr: true }),
});

apps.object("DaemonSetStatus", "The observed state of a daemon set.", {
  currentNumberScheduled: field(1, int32, "Nodes running at least one of its pods that should.", { required: true }),
  numberMisscheduled: field(2, int32, "Nodes running its pod that should not.", { required: true }),
  desiredNumberScheduled: field(3, int32, "Nodes that should run its pod.", { required: true }),
  numberReady: field(4, int32, "Nodes whose pod is ready.", { required: true }),
  observedGeneration: field(5, int64, "The generation the controller has acted on."),
  updatedNumberScheduled: field(6, int32, "Nodes running the current template."),
  numberAvailable: field(7, int32, "Nodes whose pod is available."),
  numberUnavailable: field(8, int32, "Nodes that should have an available pod and do not."),
  collisionCount: field(9, int32, "Counts name hash collisions.", { ptr: true }),
  conditions: field(10, list(apps.ref("DaemonSetCondition"), byType), "Conditions of the daemon set."),
});

apps.object("DaemonSetCondition", "One condition of a daemon set.", {
  type: field(1, str, "Which condition.", { required: true }),
  status: field(2, CONDITION_STATUS, "Whether it holds.", { required: true }),
  lastTransitionTime: field(3, time, "When status last changed."),
  reason: field(4, str, "One-word cause."),
  message: field(5, str, "Details for people."),
});

export const statefulSetSchema = apps.kind("StatefulSet", appsV1, "Runs pods with stable identities (name-0, name-1, ...), stable DNS names and their own storage, started and updated in order.", {
  metadata: field(1, metaRef("ObjectMeta"), "Name, namespace, labels and other metadata of the stateful set."),
  spec: field(2, apps.ref("StatefulSetSpec"), "The pods, their storage and their ordering."),
  status: field(3, apps.ref("StatefulSetStatus"), "How many pods exist, are ready and updated. Read-only."),
});

apps.object("StatefulSetSpec", "The desired state of a stateful set.", {
  replicas: field(1, int32, "How many pods to run. Defaults to 1.", { ptr: true, default: 1 }),
  selector: field(2, metaRef("LabelSelector"), SELECTOR, { required: true }),
  template: field(3, coreRef("PodTemplateSpec"), `${TEMPLATE} Each pod is named <set>-<ordinal>.`, { required: true }),
  volumeClaimTemplates: field(4, list(coreRef("PersistentVolumeClaim"), { listType: "atomic" }), "Claims made for each pod (<claim>-<set>-<ordinal>) and kept when the pod is replaced."),
  serviceName: field(5, str, "The headless Service that gives each pod its DNS name <pod>.<service>."),
  podManagementPolicy: field(6, enumOf("OrderedReady", "Parallel"), "OrderedReady (the default) starts pods one by one in order and stops them in reverse; Parallel does not wait.", { default: "OrderedReady" }),
  updateStrategy: field(7, apps.ref("StatefulSetUpdateStrategy"), "How pods are replaced when the template changes."),
  revisionHistoryLimit: field(8, int32, `${HISTORY} Defaults to 10.`, { ptr: true }),
  minReadySeconds: field(9, int32, MIN_READY),
  persistentVolumeClaimRetentionPolicy: field(10, apps.ref("StatefulSetPersistentVolumeClaimRetentionPolicy"), "Whether claims from volumeClaimTemplates are deleted with the set or on scale down."),
  ordinals: field(11, apps.ref("StatefulSetOrdinals"), "Where pod numbering starts."),
});

apps.object("StatefulSetUpdateStrategy", "How a stateful set replaces its pods.", {
  type: field(1, enumOf("OnDelete", "RollingUpdate"), "RollingUpdate (the default) replaces pods from the highest ordinal down; OnDelete only when you delete them.", { default: "RollingUpdate" }),
  rollingUpdate: field(2, apps.ref("RollingUpdateStatefulSetStrategy"), "Settings of a rolling update."),
});

apps.object("RollingUpdateStatefulSetStrategy", "Settings of a stateful set rolling update.", {
  partition: field(1, int32, "Only pods with an ordinal at least this are updated (for staged rollouts). Defaults to 0.", { ptr: true }),
  maxUnavailable: field(2, intOrString, "Pods that may be unavailable during the update.", { ptr: true }),
});

apps.object("StatefulSetPersistentVolumeClaimRetentionPolicy", "What happens to per-pod claims.", {
  whenDeleted: field(1, enumOf("Delete", "Retain"), "On deleting the set: Retain (the default) or Delete the claims."),
  whenScaled: field(2, enumOf("Delete", "Retain"), "On scaling down: Retain (the default) or Delete the removed pods' claims."),
});

apps.object("StatefulSetOrdinals", "Pod numbering of a stateful set.", {
  start: field(1, int32, "Number of the first pod. Defaults to 0.", { required: true }),
});

apps.object("StatefulSetStatus", "The observed state of a stateful set.", {
  observedGeneration: field(1, int64, "The generation the controller has acted on."),
  replicas: field(2, int32, "Pods that exist.", { required: true }),
  readyReplicas: field(3, int32, "Pods that are ready."),
  currentReplicas: field(4, int32, "Pods from currentRevision."),
  updatedReplicas: field(5, int32, "Pods from updateRevision."),
  currentRevision: field(6, str, "The revision the older pods run."),
  updateRevision: field(7, str, "The revision being rolled out."),
  collisionCount: field(9, int32, "Counts name hash collisions.", { ptr: true }),
  conditions: field(10, list(apps.ref("StatefulSetCondition"), byType), "Conditions of the stateful set."),
  availableReplicas: field(11, int32, "Pods ready for at least minReadySeconds."),
});

apps.object("StatefulSetCondition", "One condition of a stateful set.", {
  type: field(1, str, "Which condition.", { required: true }),
  status: field(2, CONDITION_STATUS, "Whether it holds.", { required: true }),
  lastTransitionTime: field(3, time, "When status last changed."),
  reason: field(4, str, "One-word cause."),
  message: field(5, str, "Details for people."),
});

export const jobSchema = batch.kind("Job", batchV1, "Runs pods until a number of them complete successfully, retrying failures; for batch work that ends.", {
  metadata: field(1, metaRef("ObjectMeta"), "Name, namespace, labels and other metadata of the job."),
  spec: field(2, batch.ref("JobSpec"), "The pod to run and how many must succeed."),
  status: field(3, batch.ref("JobStatus"), "Active, succeeded and failed pods and the job's conditions. Read-only."),
});

batch.object("JobSpec", "The desired work of a job.", {
  parallelism: field(1, int32, "Most pods running at once. Defaults to 1.", { ptr: true }),
  completions: field(2, int32, "Successful pods needed to finish. Defaults to 1; unset with parallelism means any one success finishes.", { ptr: true }),
  activeDeadlineSeconds: field(3, int64, "Seconds the job may run in total before it fails (reason DeadlineExceeded).", { ptr: true }),
  backoffLimit: field(7, int32, "Failed pods allowed before the job fails (BackoffLimitExceeded). Defaults to 6.", { ptr: true }),
  backoffLimitPerIndex: field(12, int32, "For Indexed jobs: failures allowed per index.", { ptr: true }),
  maxFailedIndexes: field(13, int32, "For Indexed jobs: failed indexes allowed before the job fails.", { ptr: true }),
  selector: field(4, metaRef("LabelSelector"), "Which pods belong to the job; generated unless manualSelector is set."),
  manualSelector: field(5, bool, "Use your own selector instead of the generated one. Rarely wise.", { ptr: true }),
  template: field(6, coreRef("PodTemplateSpec"), `${TEMPLATE} restartPolicy must be Never or OnFailure.`, { required: true }),
  ttlSecondsAfterFinished: field(8, int32, "Delete the job (and its pods) this many seconds after it finishes.", { ptr: true }),
  completionMode: field(9, enumOf("Indexed", "NonIndexed"), "NonIndexed (the default): any completions count; Indexed: each pod gets an index 0..completions-1 that must succeed.", { ptr: true }),
  suspend: field(10, bool, "While true, no pods are created (and running ones are stopped).", { ptr: true }),
  podReplacementPolicy: field(14, enumOf("Failed", "TerminatingOrFailed"), "When a replacement pod may be created: once the old one is fully Failed, or already while it terminates.", { ptr: true }),
  managedBy: field(15, str, "The controller that manages the job, when not the built-in one.", { ptr: true }),
});

batch.object("JobStatus", "The observed state of a job.", {
  conditions: field(1, list(batch.ref("JobCondition"), { mergeKey: "type", strategy: "merge", listType: "atomic" }), "Complete, Failed, Suspended, ..."),
  startTime: field(2, time, "When the job started.", { ptr: true }),
  completionTime: field(3, time, "When the job completed successfully.", { ptr: true }),
  active: field(4, int32, "Pods running or pending."),
  succeeded: field(5, int32, "Pods that succeeded."),
  failed: field(6, int32, "Pods that failed."),
  terminating: field(11, int32, "Pods being stopped.", { ptr: true }),
  completedIndexes: field(7, str, "For Indexed jobs: the completed indexes, e.g. 1,3-5."),
  failedIndexes: field(10, str, "For Indexed jobs: the failed indexes.", { ptr: true }),
  ready: field(9, int32, "Active pods that are ready.", { ptr: true }),
});

batch.object("JobCondition", "One condition of a job.", {
  type: field(1, enumOf("Complete", "Failed", "FailureTarget", "SuccessCriteriaMet", "Suspended"), "Which condition.", { required: true }),
  status: field(2, CONDITION_STATUS, "Whether it holds.", { required: true }),
  lastProbeTime: field(3, time, "When it was last checked."),
  lastTransitionTime: field(4, time, "When status last changed."),
  reason: field(5, str, "One-word cause, e.g. BackoffLimitExceeded."),
  message: field(6, str, "Details for people."),
});

export const cronJobSchema = batch.kind("CronJob", batchV1, "Creates a Job on a schedule, like a crontab line.", {
  metadata: field(1, metaRef("ObjectMeta"), "Name, namespace, labels and other metadata of the cron job."),
  spec: field(2, batch.ref("CronJobSpec"), "The schedule and the job to create."),
  status: field(3, batch.ref("CronJobStatus"), "Running jobs and the last schedule time. Read-only."),
});

batch.object("CronJobSpec", "The schedule and job of a cron job.", {
  schedule: field(1, str, "When to run, in cron format: minute hour day-of-month month day-of-week, e.g. */5 * * * *, or @hourly.", { required: true }),
  timeZone: field(8, str, "Time zone of the schedule, e.g. Europe/Berlin; defaults to the controller's (UTC).", { ptr: true }),
  startingDeadlineSeconds: field(2, int64, "A run missed by more than this many seconds is skipped.", { ptr: true }),
  concurrencyPolicy: field(3, enumOf("Allow", "Forbid", "Replace"), "When a run is due while the previous one still runs: Allow (the default) runs both, Forbid skips the new one, Replace stops the old one.", { default: "Allow" }),
  suspend: field(4, bool, "While true, no new jobs are created.", { ptr: true }),
  jobTemplate: field(5, batch.ref("JobTemplateSpec"), "The job to create on each run.", { required: true }),
  successfulJobsHistoryLimit: field(6, int32, "Finished successful jobs to keep. Defaults to 3.", { ptr: true }),
  failedJobsHistoryLimit: field(7, int32, "Failed jobs to keep. Defaults to 1.", { ptr: true }),
});

batch.object("JobTemplateSpec", "The job a cron job creates.", {
  metadata: field(1, metaRef("ObjectMeta"), "Labels and annotations of each created job."),
  spec: field(2, batch.ref("JobSpec"), "The spec of each created job."),
});

batch.object("CronJobStatus", "The observed state of a cron job.", {
  active: field(1, list(coreRef("ObjectReference"), { listType: "atomic" }), "The jobs running now."),
  lastScheduleTime: field(4, time, "When a job was last created.", { ptr: true }),
  lastSuccessfulTime: field(5, time, "When a job last completed successfully.", { ptr: true }),
});

export const scaleSchema = autoscaling.kind("Scale", { group: "autoscaling", version: "v1" }, "The replica count of a scalable resource (Deployment, ReplicaSet, StatefulSet), as kubectl scale reads and writes it through the scale subresource.", {
  metadata: field(1, metaRef("ObjectMeta"), "Name and namespace of the scaled object."),
  spec: field(2, autoscaling.ref("ScaleSpec"), "The wanted replica count."),
  status: field(3, autoscaling.ref("ScaleStatus"), "The current replica count. Read-only."),
});

autoscaling.object("ScaleSpec", "The wanted scale.", {
  replicas: field(1, int32, "How many replicas are wanted."),
});

autoscaling.object("ScaleStatus", "The current scale.", {
  replicas: field(1, int32, "How many replicas exist.", { required: true }),
  selector: field(2, str, "The object's label selector, as a string."),
});
