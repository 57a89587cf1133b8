import { describe, expect, it } from "vitest";
import type { ContainerStatus, Pod } from "../types";
import { summarizePod } from "./pod-status";

const NOW = Date.parse("2026-01-01T00:10:00Z");

function pod(statuses: Partial<ContainerStatus>[], extra: Partial<Pod> & { phase?: string } = {}): Pod {
  const { phase, ...rest } = extra;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "default", ...rest.metadata },
    spec: { containers: statuses.map((s, i) => ({ name: s.name ?? `c${i}`, image: "nginx" })), ...rest.spec },
    status: {
      phase: phase ?? "Running",
      containerStatuses: statuses.map((s, i) => ({ name: `c${i}`, ready: false, restartCount: 0, image: "nginx", imageID: "", ...s })),
      ...rest.status,
    },
  };
}

describe("summarizePod", () => {
  it("shows a running ready pod as Running 1/1", () => {
    expect(summarizePod(pod([{ ready: true, state: { running: {} } }]), NOW)).toEqual({ ready: "1/1", status: "Running", restarts: "0" });
  });

  it("shows the waiting reason of the first container that has one", () => {
    const p = pod([{ state: { waiting: { reason: "ImagePullBackOff" } } }, { state: { waiting: { reason: "ContainerCreating" } } }], { phase: "Pending" });
    expect(summarizePod(p, NOW).status).toBe("ImagePullBackOff");
  });

  it("counts restarts and says when the last one happened", () => {
    const p = pod([
      { restartCount: 3, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { exitCode: 1, finishedAt: "2026-01-01T00:09:15Z" } } },
    ]);
    expect(summarizePod(p, NOW)).toEqual({ ready: "0/1", status: "CrashLoopBackOff", restarts: "3 (45s ago)" });
  });

  it("names a terminated container without a reason by its signal or exit code", () => {
    expect(summarizePod(pod([{ state: { terminated: { exitCode: 2 } } }]), NOW).status).toBe("ExitCode:2");
    expect(summarizePod(pod([{ state: { terminated: { exitCode: 137, signal: 9 } } }]), NOW).status).toBe("Signal:9");
  });

  it("shows Terminating once deletion started, unless the pod already finished", () => {
    const deleting = pod([{ ready: true, state: { running: {} } }], { metadata: { deletionTimestamp: "2026-01-01T00:09:00Z" } });
    expect(summarizePod(deleting, NOW).status).toBe("Terminating");
    const done = pod([{ state: { terminated: { exitCode: 0, reason: "Completed" } } }], { phase: "Succeeded", metadata: { deletionTimestamp: "2026-01-01T00:09:00Z" } });
    expect(summarizePod(done, NOW).status).toBe("Completed");
  });

  it("reports init progress before the main containers", () => {
    const p = pod([{ state: { waiting: { reason: "PodInitializing" } } }], { phase: "Pending" });
    p.spec.initContainers = [
      { name: "a", image: "busybox" },
      { name: "b", image: "busybox" },
    ];
    p.status = {
      ...p.status,
      initContainerStatuses: [
        { name: "a", ready: false, restartCount: 0, image: "busybox", imageID: "", state: { terminated: { exitCode: 0, reason: "Completed" } } },
        { name: "b", ready: false, restartCount: 0, image: "busybox", imageID: "", state: { running: {} } },
      ],
    };
    expect(summarizePod(p, NOW).status).toBe("Init:1/2");
  });

  it("shows Completed with a still-running ready container as Running when the pod is Ready", () => {
    const p = pod([{ state: { terminated: { exitCode: 0, reason: "Completed" } } }, { ready: true, state: { running: {} } }]);
    p.status = { ...p.status, conditions: [{ type: "Ready", status: "True" }] };
    expect(summarizePod(p, NOW)).toMatchObject({ ready: "1/2", status: "Running" });
  });

  it("forgets a finished init container's restarts but keeps a sidecar's", () => {
    const p = pod([{ ready: true, restartCount: 1, state: { running: {} }, lastState: { terminated: { exitCode: 1, finishedAt: "2026-01-01T00:09:00Z" } } }]);
    p.spec.initContainers = [
      { name: "setup", image: "busybox" },
      { name: "proxy", image: "envoy", restartPolicy: "Always" },
    ];
    const init = (name: string, restartCount: number, state: ContainerStatus["state"], finishedAt: string): ContainerStatus => ({ name, ready: name === "proxy", started: name === "proxy", restartCount, image: "x", imageID: "", state, lastState: { terminated: { exitCode: 1, finishedAt } } });
    p.status = {
      ...p.status,
      conditions: [{ type: "Initialized", status: "True" }],
      initContainerStatuses: [init("setup", 4, { terminated: { exitCode: 0, reason: "Completed" } }, "2026-01-01T00:09:50Z"), init("proxy", 2, { running: {} }, "2026-01-01T00:08:00Z")],
    };
    expect(summarizePod(p, NOW)).toEqual({ ready: "2/2", status: "Running", restarts: "3 (60s ago)" });
  });

  it("counts every init container's restarts while the pod initializes", () => {
    const p = pod([{ state: { waiting: { reason: "PodInitializing" } } }], { phase: "Pending" });
    p.spec.initContainers = [{ name: "setup", image: "busybox" }];
    p.status = {
      ...p.status,
      initContainerStatuses: [{ name: "setup", ready: false, restartCount: 2, image: "busybox", imageID: "", state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { exitCode: 1, finishedAt: "2026-01-01T00:09:30Z" } } }],
    };
    expect(summarizePod(p, NOW)).toEqual({ ready: "0/1", status: "Init:CrashLoopBackOff", restarts: "2 (30s ago)" });
  });
});
