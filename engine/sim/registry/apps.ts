// The workload controllers' objects: apps/v1 Deployment, ReplicaSet,
// DaemonSet, StatefulSet, and the core ReplicationController. Only storage,
// defaults, validation and tables here; the controllers are in controllers/.
import type { KObject } from "../types";
import { ALL_VERBS, AGE_COLUMN, column, defineResource, kindSubresource, type FieldError, type Subresource } from "./resource";
import { ageSince } from "./format";
import { validateLabel, validateSubdomain } from "./validation";
import {
  CONTAINERS_COLUMN,
  defaultPodTemplate,
  formatMapSelector,
  formatSelector,
  IMAGES_COLUMN,
  SELECTOR_COLUMN,
  templateContainers,
  validatePodTemplate,
  validateSelector,
  type LabelSelector,
  type PodTemplate,
} from "./workload";
import { controllerRevisionSchema, daemonSetSchema, deploymentSchema, replicaSetSchema, replicationControllerSchema, scaleSchema, statefulSetSchema } from "../schema/workloads";

interface Workload extends KObject {
  spec?: {
    replicas?: number;
    selector?: LabelSelector;
    template?: PodTemplate;
    [field: string]: unknown;
  };
  status?: Record<string, unknown> & {
    replicas?: number;
    readyReplicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
  };
}

const SCALE = kindSubresource("scale", scaleSchema, ["get", "patch", "update"]);
const status = (kind: string): Subresource => ({ name: "status", kind, verbs: ["get", "patch", "update"] });

function validateReplicas(replicas: unknown, field = "spec.replicas"): FieldError[] {
  if (replicas === undefined) return [];
  if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) {
    return [{ field, type: "FieldValueInvalid", value: replicas, detail: "must be greater than or equal to 0" }];
  }
  return [];
}

function validateWorkload(object: Workload, restartPolicies?: string[]): FieldError[] {
  return [
    ...validateSubdomain("metadata.name", object.metadata.name ?? ""),
    ...validateReplicas(object.spec?.replicas),
    ...validateSelector(object.spec?.selector, object.spec?.template, "spec"),
    ...validatePodTemplate(object.spec?.template, "spec.template", restartPolicies),
  ];
}

const n = (value: unknown): number => (typeof value === "number" ? value : 0);

export const deployments = defineResource<Workload>(deploymentSchema, {
  plural: "deployments",
  singular: "deployment",
  namespaced: true,
  shortNames: ["deploy"],
  categories: ["all"],
  verbs: ALL_VERBS,
  subresources: [SCALE, status("Deployment")],
  statusSubresource: true,
  columns: [
    column("Ready", "string", "Pods that are ready, out of the replicas asked for."),
    column("Up-to-date", "string", "Pods already running the newest pod template."),
    column("Available", "string", "Pods that have been ready long enough to count as serving."),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    SELECTOR_COLUMN,
  ],
  cells(d, now) {
    const s = d.status ?? {};
    return [`${n(s.readyReplicas)}/${n(d.spec?.replicas)}`, n(s.updatedReplicas), n(s.availableReplicas), ageSince(d.metadata.creationTimestamp, now), ...templateContainers(d.spec?.template), formatSelector(d.spec?.selector)];
  },
  defaults(d) {
    const spec = (d.spec ??= {});
    spec.replicas ??= 1;
    const strategy = (spec.strategy ??= {}) as { type?: string; rollingUpdate?: Record<string, unknown> };
    strategy.type ??= "RollingUpdate";
    if (strategy.type === "RollingUpdate") strategy.rollingUpdate = { maxUnavailable: "25%", maxSurge: "25%", ...strategy.rollingUpdate };
    spec.revisionHistoryLimit ??= 10;
    spec.progressDeadlineSeconds ??= 600;
    if (spec.template) defaultPodTemplate(spec.template);
    d.metadata.generation = 1;
    d.status = {};
  },
  validate: (d) => validateWorkload(d),
});

/** ReplicaSets and ReplicationControllers print the same columns. */
const REPLICA_COLUMNS = [
  column("Desired", "integer", "How many pods the spec asks for."),
  column("Current", "integer", "How many pods exist right now."),
  column("Ready", "integer", "How many of those pods are ready."),
  AGE_COLUMN,
  CONTAINERS_COLUMN,
  IMAGES_COLUMN,
  SELECTOR_COLUMN,
];

export const replicasets = defineResource<Workload>(replicaSetSchema, {
  plural: "replicasets",
  singular: "replicaset",
  namespaced: true,
  shortNames: ["rs"],
  categories: ["all"],
  verbs: ALL_VERBS,
  subresources: [SCALE, status("ReplicaSet")],
  statusSubresource: true,
  columns: REPLICA_COLUMNS,
  cells: (rs, now) => [n(rs.spec?.replicas), n(rs.status?.replicas), n(rs.status?.readyReplicas), ageSince(rs.metadata.creationTimestamp, now), ...templateContainers(rs.spec?.template), formatSelector(rs.spec?.selector)],
  defaults(rs) {
    const spec = (rs.spec ??= {});
    spec.replicas ??= 1;
    if (spec.template) defaultPodTemplate(spec.template);
    rs.metadata.generation = 1;
    rs.status = { replicas: 0 };
  },
  validate: (rs) => validateWorkload(rs),
});

interface MapSelectorWorkload extends KObject {
  spec?: { replicas?: number; selector?: Record<string, string>; template?: PodTemplate; [field: string]: unknown };
  status?: { replicas?: number; readyReplicas?: number; [field: string]: unknown };
}

export const replicationcontrollers = defineResource<MapSelectorWorkload>(replicationControllerSchema, {
  plural: "replicationcontrollers",
  singular: "replicationcontroller",
  namespaced: true,
  shortNames: ["rc"],
  categories: ["all"],
  verbs: ALL_VERBS,
  subresources: [SCALE, status("ReplicationController")],
  statusSubresource: true,
  columns: REPLICA_COLUMNS,
  cells: (rc, now) => [n(rc.spec?.replicas), n(rc.status?.replicas), n(rc.status?.readyReplicas), ageSince(rc.metadata.creationTimestamp, now), ...templateContainers(rc.spec?.template), formatMapSelector(rc.spec?.selector)],
  defaults(rc) {
    const spec = (rc.spec ??= {});
    spec.replicas ??= 1;
    // An empty selector means "the template's labels", and unlabelled objects take them too.
    const labels = spec.template?.metadata?.labels;
    if (labels && !Object.keys(spec.selector ?? {}).length) spec.selector = { ...labels };
    if (labels && !Object.keys(rc.metadata.labels ?? {}).length) rc.metadata.labels = { ...labels };
    if (spec.template) defaultPodTemplate(spec.template);
    rc.metadata.generation = 1;
    rc.status = { replicas: 0 };
  },
  validate(rc) {
    const errors = [...validateSubdomain("metadata.name", rc.metadata.name ?? ""), ...validateReplicas(rc.spec?.replicas)];
    const selector = rc.spec?.selector ?? {};
    if (!Object.keys(selector).length) errors.push({ field: "spec.selector", type: "FieldValueRequired" });
    else errors.push(...validateSelector({ matchLabels: selector }, rc.spec?.template, "spec"));
    errors.push(...validatePodTemplate(rc.spec?.template, "spec.template"));
    return errors;
  },
});

interface DaemonSet extends KObject {
  spec?: { selector?: LabelSelector; template?: PodTemplate; [field: string]: unknown };
  status?: Record<string, unknown>;
}

export const daemonsets = defineResource<DaemonSet>(daemonSetSchema, {
  plural: "daemonsets",
  singular: "daemonset",
  namespaced: true,
  shortNames: ["ds"],
  categories: ["all"],
  verbs: ALL_VERBS,
  subresources: [status("DaemonSet")],
  statusSubresource: true,
  columns: [
    column("Desired", "integer", "Nodes that should be running one of its pods."),
    column("Current", "integer", "Nodes running at least one of its pods."),
    column("Ready", "integer", "Nodes whose pod is ready."),
    column("Up-to-date", "integer", "Nodes running a pod from the newest template."),
    column("Available", "integer", "Nodes whose pod has been ready long enough to count as serving."),
    column("Node Selector", "string", "Labels a node needs before it gets one of these pods."),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    SELECTOR_COLUMN,
  ],
  cells(ds, now) {
    const s = ds.status ?? {};
    return [
      n(s.desiredNumberScheduled),
      n(s.currentNumberScheduled),
      n(s.numberReady),
      n(s.updatedNumberScheduled),
      n(s.numberAvailable),
      formatMapSelector(ds.spec?.template?.spec?.nodeSelector),
      ageSince(ds.metadata.creationTimestamp, now),
      ...templateContainers(ds.spec?.template),
      formatSelector(ds.spec?.selector),
    ];
  },
  defaults(ds) {
    const spec = (ds.spec ??= {});
    const strategy = (spec.updateStrategy ??= {}) as { type?: string; rollingUpdate?: Record<string, unknown> };
    strategy.type ??= "RollingUpdate";
    if (strategy.type === "RollingUpdate") strategy.rollingUpdate = { maxUnavailable: 1, maxSurge: 0, ...strategy.rollingUpdate };
    spec.revisionHistoryLimit ??= 10;
    if (spec.template) defaultPodTemplate(spec.template);
    ds.metadata.generation = 1;
    ds.status = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
  },
  validate: (ds) => [
    ...validateSubdomain("metadata.name", ds.metadata.name ?? ""),
    ...validateSelector(ds.spec?.selector, ds.spec?.template, "spec"),
    ...validatePodTemplate(ds.spec?.template, "spec.template"),
  ],
});

export const statefulsets = defineResource<Workload>(statefulSetSchema, {
  plural: "statefulsets",
  singular: "statefulset",
  namespaced: true,
  shortNames: ["sts"],
  categories: ["all"],
  verbs: ALL_VERBS,
  subresources: [SCALE, status("StatefulSet")],
  statusSubresource: true,
  columns: [column("Ready", "string", "Pods that are ready, out of the replicas asked for."), AGE_COLUMN, CONTAINERS_COLUMN, IMAGES_COLUMN],
  cells: (sts, now) => [`${n(sts.status?.readyReplicas)}/${n(sts.spec?.replicas)}`, ageSince(sts.metadata.creationTimestamp, now), ...templateContainers(sts.spec?.template)],
  defaults(sts) {
    const spec = (sts.spec ??= {});
    spec.replicas ??= 1;
    spec.podManagementPolicy ??= "OrderedReady";
    const strategy = (spec.updateStrategy ??= {}) as { type?: string; rollingUpdate?: Record<string, unknown> };
    strategy.type ??= "RollingUpdate";
    if (strategy.type === "RollingUpdate") strategy.rollingUpdate = { partition: 0, ...strategy.rollingUpdate };
    spec.revisionHistoryLimit ??= 10;
    spec.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: "Retain", whenScaled: "Retain" };
    if (spec.template) defaultPodTemplate(spec.template);
    sts.metadata.generation = 1;
    sts.status = { replicas: 0, availableReplicas: 0 };
  },
  validate(sts) {
    const errors = validateWorkload(sts);
    const serviceName = sts.spec?.serviceName;
    if (typeof serviceName === "string" && serviceName) errors.push(...validateLabel("spec.serviceName", serviceName));
    return errors;
  },
});

interface ControllerRevision extends KObject {
  data?: unknown;
  revision?: number;
}

/** `daemonset.apps/web`: the controlling owner, as upstream's CONTROLLER column names it. */
function controllerOf(object: KObject): string {
  const owner = object.metadata.ownerReferences?.find((ref) => ref.controller);
  if (!owner) return "<none>";
  const slash = owner.apiVersion.indexOf("/");
  const group = slash < 0 ? "" : owner.apiVersion.slice(0, slash);
  return `${owner.kind.toLowerCase()}${group ? `.${group}` : ""}/${owner.name}`;
}

/** A stored snapshot of a DaemonSet's or StatefulSet's template, one per revision. */
export const controllerrevisions = defineResource<ControllerRevision>(controllerRevisionSchema, {
  plural: "controllerrevisions",
  singular: "controllerrevision",
  namespaced: true,
  shortNames: [],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [],
  columns: [column("Controller", "string", "The DaemonSet or StatefulSet the revision belongs to."), column("Revision", "integer", "The revision number."), AGE_COLUMN],
  cells: (cr, now) => [controllerOf(cr), cr.revision ?? 0, ageSince(cr.metadata.creationTimestamp, now)],
  validate(cr) {
    const errors = validateSubdomain("metadata.name", cr.metadata.name ?? "");
    if (cr.data === undefined || cr.data === null) errors.push({ field: "data", type: "FieldValueRequired", detail: "data is mandatory" });
    if ((cr.revision ?? 0) < 0) errors.push({ field: "revision", type: "FieldValueInvalid", value: cr.revision, detail: "must be greater than or equal to 0" });
    return errors;
  },
});

/** Workload kinds whose `scale` subresource reads and writes spec.replicas. */
export const SCALABLE_KINDS = new Set(["Deployment", "ReplicaSet", "StatefulSet", "ReplicationController"]);
