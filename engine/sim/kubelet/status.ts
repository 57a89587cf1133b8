// The pod status a kubelet derives from its containers' statuses: the phase
// (init containers first, sidecars apart, then the app containers, as
// upstream's kubelet decides it) and the Initialized, Ready and
// ContainersReady conditions with their reasons and messages. Also how the
// kubelet names one container of a pod (init or app) and its status slot.
import type { Condition, Container, ContainerStatus, Pod } from "../types";

/** One container of a pod: an init container or an app container, by its position in that list. */
export interface ContainerRef {
  init: boolean;
  index: number;
}

/** An init container with restartPolicy Always: a sidecar that starts with the init sequence and keeps running. */
export const isSidecar = (container: Container): boolean => container.restartPolicy === "Always";

export function specOf(pod: Pod, ref: ContainerRef): Container | undefined {
  return (ref.init ? pod.spec.initContainers : pod.spec.containers)?.[ref.index];
}

export function statusOf(pod: Pod, ref: ContainerRef): ContainerStatus | undefined {
  return (ref.init ? pod.status?.initContainerStatuses : pod.status?.containerStatuses)?.[ref.index];
}

/** The `fieldPath` of the container's events. */
export function fieldPathOf(ref: ContainerRef, name: string): string {
  return `spec.${ref.init ? "initContainers" : "containers"}{${name}}`;
}

/** Every container of the pod, init containers first, with its ref. */
export function containerRefs(pod: Pod): { ref: ContainerRef; spec: Container }[] {
  return [
    ...(pod.spec.initContainers ?? []).map((spec, index) => ({ ref: { init: true, index }, spec })),
    ...pod.spec.containers.map((spec, index) => ({ ref: { init: false, index }, spec })),
  ];
}

/** The waiting reason of a container not created yet: with init containers in the pod, PodInitializing (also for its app containers). */
export function notCreatedReason(pod: Pod): string {
  return pod.spec.initContainers?.length ? "PodInitializing" : "ContainerCreating";
}

/** Not created yet, and never tried: a failed pull or config leaves another reason. */
export function neverTried(status: ContainerStatus | undefined): boolean {
  const reason = status?.state?.waiting?.reason;
  return reason === "ContainerCreating" || reason === "PodInitializing";
}

export function waitingStatus(container: Container, reason: string): ContainerStatus {
  return {
    name: container.name,
    image: container.image ?? "",
    imageID: "",
    ready: false,
    restartCount: 0,
    started: false,
    state: { waiting: { reason } },
    lastState: {},
  };
}

const CONDITION_ORDER = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"];

export function setCondition(pod: Pod, type: string, status: Condition["status"], now: string, reason?: string, message?: string): void {
  const conditions = ((pod.status ??= {}).conditions ??= []);
  const index = conditions.findIndex((c) => c.type === type);
  const existing = conditions[index];
  const next: Condition = { type, status, lastProbeTime: null, lastTransitionTime: existing?.status === status ? existing.lastTransitionTime : now };
  if (reason) next.reason = reason;
  if (message) next.message = message;
  // A new array (the old one may be a stored, frozen one), in CONDITION_ORDER.
  const updated = conditions.slice();
  if (existing) updated[index] = next;
  else {
    const rank = CONDITION_ORDER.indexOf(type);
    const at = updated.findIndex((c) => CONDITION_ORDER.indexOf(c.type) > rank);
    updated.splice(at === -1 ? updated.length : at, 0, next);
  }
  pod.status.conditions = updated;
}

const byName = (statuses: ContainerStatus[] | undefined, name: string): ContainerStatus | undefined => statuses?.find((s) => s.name === name);

/** Whether an app container has ever run: from then on the pod counts as initialized, even while a sidecar restarts. */
function anyAppContainerStarted(pod: Pod): boolean {
  return (pod.status?.containerStatuses ?? []).some((s) => s.state?.running || s.state?.terminated || s.lastState?.terminated);
}

/** Init containers not done yet: a sidecar until it has started, any other until it exited 0. */
function incompleteInitContainers(pod: Pod): string[] {
  return (pod.spec.initContainers ?? [])
    .filter((c) => {
      const status = byName(pod.status?.initContainerStatuses, c.name);
      return isSidecar(c) ? status?.started !== true : status?.state?.terminated?.exitCode !== 0;
    })
    .map((c) => c.name);
}

/** Sidecars, then app containers, that are not ready. */
function unreadyContainers(pod: Pod): string[] {
  const sidecars = (pod.spec.initContainers ?? []).filter(isSidecar).filter((c) => !byName(pod.status?.initContainerStatuses, c.name)?.ready);
  const apps = pod.spec.containers.filter((c) => !byName(pod.status?.containerStatuses, c.name)?.ready);
  return [...sidecars, ...apps].map((c) => c.name);
}

function unreadyMessage(pod: Pod): string {
  return `containers with unready status: [${unreadyContainers(pod).join(" ")}]`;
}

/**
 * The phase from the container statuses. A regular init container that
 * failed fails a Never pod; one still to run (or a sidecar not started before
 * any app container ran) or an app container waiting for its first start keeps
 * it Pending; a running container makes it Running; when every app container
 * has stopped it is Running again if they restart (Always, OnFailure after a
 * failure), else Succeeded when all exited 0, else Failed. Stopped sidecars
 * never count.
 */
function podPhase(pod: Pod): NonNullable<NonNullable<Pod["status"]>["phase"]> {
  const policy = pod.spec.restartPolicy ?? "Always";
  let pendingInit = false;
  let failedInit = false;
  let pendingSidecar = false;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  let unknown = 0;
  for (const c of pod.spec.initContainers ?? []) {
    const status = byName(pod.status?.initContainerStatuses, c.name);
    const state = status?.state ?? {};
    const lastExit = status?.lastState?.terminated?.exitCode;
    if (isSidecar(c)) {
      if (state.running) {
        running++;
        pendingSidecar ||= status?.started !== true;
      } else if (!state.terminated && lastExit === undefined) {
        pendingSidecar = true;
        waiting++;
      }
    } else if (state.terminated) failedInit ||= state.terminated.exitCode !== 0;
    else if (state.waiting && lastExit !== undefined) failedInit ||= lastExit !== 0;
    else pendingInit = true;
  }
  for (const c of pod.spec.containers) {
    const status = byName(pod.status?.containerStatuses, c.name);
    const state = status?.state;
    if (!state) unknown++;
    else if (state.running) running++;
    else if (state.terminated) {
      stopped++;
      if (state.terminated.exitCode === 0) succeeded++;
    } else if (state.waiting && status.lastState?.terminated) stopped++;
    else if (state.waiting) waiting++;
    else unknown++;
  }
  if (failedInit && policy === "Never") return "Failed";
  if (pendingInit || (pendingSidecar && !anyAppContainerStarted(pod)) || waiting > 0) return "Pending";
  if (running > 0 && unknown === 0) return "Running";
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (policy === "Always") return "Running";
    if (stopped === succeeded) return "Succeeded";
    return policy === "Never" ? "Failed" : "Running";
  }
  return "Pending";
}

/** Initialized, Ready and ContainersReady from the container statuses, then the phase (a finished pod keeps its own). */
export function refreshPodStatus(pod: Pod, now: string): void {
  if (pod.spec.initContainers?.length) {
    const incomplete = incompleteInitContainers(pod);
    if (!incomplete.length || anyAppContainerStarted(pod)) setCondition(pod, "Initialized", "True", now);
    else setCondition(pod, "Initialized", "False", now, "ContainersNotInitialized", `containers with incomplete status: [${incomplete.join(" ")}]`);
  }
  if (unreadyContainers(pod).length) {
    setCondition(pod, "Ready", "False", now, "ContainersNotReady", unreadyMessage(pod));
    setCondition(pod, "ContainersReady", "False", now, "ContainersNotReady", unreadyMessage(pod));
  } else {
    setCondition(pod, "Ready", "True", now);
    setCondition(pod, "ContainersReady", "True", now);
  }
  const status = (pod.status ??= {});
  if (status.phase === "Succeeded" || status.phase === "Failed") return;
  status.phase = podPhase(pod);
}
