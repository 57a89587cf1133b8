// The STATUS, READY and RESTARTS cells of `kubectl get pods`, which the API
// server computes from the pod's status (kubectl only prints them).
import type { ContainerState, ContainerStatus, Pod } from "../types";
import { humanDuration } from "./format";

function terminatedReason(prefix: string, terminated: NonNullable<ContainerState["terminated"]>): string {
  if (terminated.reason) return `${prefix}${terminated.reason}`;
  return terminated.signal ? `${prefix}Signal:${terminated.signal}` : `${prefix}ExitCode:${terminated.exitCode}`;
}

function conditionTrue(pod: Pod, type: string): boolean {
  return pod.status?.conditions?.some((c) => c.type === type && c.status === "True") ?? false;
}

export interface PodSummary {
  ready: string;
  status: string;
  restarts: string;
}

export function summarizePod(pod: Pod, now: number): PodSummary {
  const status = pod.status ?? {};
  const sidecars = new Set((pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === "Always").map((c) => c.name));
  const total = pod.spec.containers.length + sidecars.size;
  let ready = 0;
  // Restarts and the latest restart: every container's while the pod initializes; once it has, only
  // sidecars' and the main containers' (a regular init container's old restarts no longer count).
  const all = { restarts: 0, last: 0 };
  const sidecarTally = { restarts: 0, last: 0 };
  const count = (tally: { restarts: number; last: number }, cs: ContainerStatus): void => {
    tally.restarts += cs.restartCount;
    const finished = cs.lastState?.terminated?.finishedAt;
    if (finished) tally.last = Math.max(tally.last, Date.parse(finished));
  };
  let reason = status.reason || status.phase || "";
  if (status.conditions?.some((c) => c.type === "PodScheduled" && c.reason === "SchedulingGated")) reason = "SchedulingGated";

  let initializing = false;
  const initCount = pod.spec.initContainers?.length ?? 0;
  for (const [i, cs] of (status.initContainerStatuses ?? []).entries()) {
    count(all, cs);
    if (sidecars.has(cs.name)) count(sidecarTally, cs);
    const terminated = cs.state?.terminated;
    const waiting = cs.state?.waiting;
    if (terminated?.exitCode === 0) continue;
    if (sidecars.has(cs.name) && cs.started) {
      if (cs.ready) ready++;
      continue;
    }
    initializing = true;
    if (terminated) reason = terminatedReason("Init:", terminated);
    else if (waiting?.reason && waiting.reason !== "PodInitializing") reason = `Init:${waiting.reason}`;
    else reason = `Init:${i}/${initCount}`;
    break;
  }

  let shown = all;
  if (!initializing || conditionTrue(pod, "Initialized")) {
    shown = sidecarTally;
    let running = false;
    const statuses = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i] as ContainerStatus;
      count(shown, cs);
      const state = cs.state ?? {};
      if (state.waiting?.reason) reason = state.waiting.reason;
      else if (state.terminated) reason = terminatedReason("", state.terminated);
      else if (cs.ready && state.running) {
        running = true;
        ready++;
      }
    }
    if (reason === "Completed" && running) reason = conditionTrue(pod, "Ready") ? "Running" : "NotReady";
  }

  if (pod.metadata.deletionTimestamp) {
    if (status.reason === "NodeLost") reason = "Unknown";
    else if (status.phase !== "Succeeded" && status.phase !== "Failed") reason = "Terminating";
  }

  const restartText = shown.restarts > 0 && shown.last > 0 ? `${shown.restarts} (${humanDuration(now - shown.last)} ago)` : String(shown.restarts);
  return { ready: `${ready}/${total}`, status: reason, restarts: restartText };
}
