// One kubelet per simulated node: a reconcile loop over the pods bound to its
// node. It takes each pod through sandbox creation, image pulls, container
// start (with the upstream events and status), pull back-off for images that
// do not exist, containers whose env references or command do not resolve
// (CreateContainerConfigError, retried; StartError), crash-loop back-off for containers that exit, probes
// (probes.ts: readiness gates `ready`, failed liveness/startup probes kill and
// restart), OOM kills reported by the runtime, and graceful termination on
// deletion. All delays run on the injected clock.
import { randomBytes } from "node:crypto";
import type { Clock, Timer } from "../../clock";
import type { ResourceService } from "../apiserver/service";
import type { EventRecorder, EventSpec } from "../controllers/events";
import { WorkQueue } from "../controllers/workqueue";
import type { Watch } from "../store/store";
import { timestamp, type Registry, type ResourceType } from "../registry";
import type { Condition, Container, ContainerStatus, KObject, Pod } from "../types";
import { commandOutcome, goDuration, lookupImage, parseImage, pullMillis, type CommandOutcome, type ImageInfo } from "./images";
import { leaseObject, nodeObject, type NodeConfig } from "./node";
import type { ContainerRuntime } from "../container/runtime";
import { specEnvironment, type ObjectLookup } from "../container/env";
import { ContainerProbes, hasProbes, probeOf, runProbe, type ProbeKind, type ProbeNetwork } from "./probes";

/** Clock delays that make a pod start in about 1-3 s, like a small real cluster. */
export const KUBELET_DELAYS = {
  sandbox: 400,
  pullFailure: 900,
  toBackOff: 1500,
  create: 150,
  exit: 200,
  stop: 300,
  /** The pod worker's retry after a failed sync (a container whose config does not resolve). */
  syncRetry: 10_000,
};
const BACKOFF_START = 10_000;
const BACKOFF_MAX = 300_000;

/** The timer slot of the pod's own steps (sandbox, termination); each container has its own, named after it. */
const POD_SLOT = "";

interface PodRuntime {
  uid: string;
  /** One pending step per slot, so a container's restart does not cancel another container's pull. */
  timers: Map<string, Timer>;
  terminating: boolean;
  pullBackOff: Map<string, number>;
  crashBackOff: Map<string, number>;
  /** Probe workers of each running container instance, by container name. */
  probes: Map<string, ContainerProbes>;
}

/** How a container ended, beyond its exit code. */
interface ExitDetails {
  /** The runtime's reason (OOMKilled); otherwise Completed or Error from the code. */
  reason?: string;
  /** Killed for a failed probe: restarted under any policy but Never, whatever the code. */
  probeKill?: boolean;
  /** The runtime could not start its process (runc's error): it never ran. */
  startError?: string;
}

/** The start time containerd reports for a container whose process never started. */
const NEVER_STARTED = "1970-01-01T00:00:00Z";

export interface KubeletDeps {
  service: ResourceService;
  registry: Registry;
  recorder: EventRecorder;
  clock: Clock;
  /** Runs the containers' processes (shell, filesystem, logs, exec); without it containers only have a status. */
  containers?: ContainerRuntime;
  /** How HTTP, TCP and gRPC probes reach pods (the cluster network); without it those probes error. */
  network?: ProbeNetwork;
}

const podKeyOf = (pod: KObject): string => `${pod.metadata.namespace ?? ""}/${pod.metadata.name ?? ""}`;

export class Kubelet {
  private readonly runtimes = new Map<string, PodRuntime>();
  private readonly images = new Set<string>();
  private readonly queue: WorkQueue;
  private readonly podType: ResourceType;
  private watch?: Watch;

  constructor(
    readonly config: NodeConfig,
    private readonly deps: KubeletDeps,
  ) {
    this.podType = deps.registry.find("", "v1", "pods") as ResourceType;
    this.queue = new WorkQueue(deps.clock, (key) => this.reconcile(key));
  }

  /** Create this node's Node and Lease objects, as a kubelet does when it joins. */
  register(): void {
    const { service, registry, clock } = this.deps;
    service.create(registry.find("", "v1", "nodes") as ResourceType, undefined, nodeObject(this.config, clock.now()));
    service.create(registry.find("coordination.k8s.io", "v1", "leases") as ResourceType, "kube-node-lease", leaseObject(this.config, clock.now()));
  }

  /** Images already on this node (pre-pulled system images). */
  preload(images: string[]): void {
    for (const image of images) this.images.add(parseImage(image).qualified);
  }

  start(): void {
    this.watch = this.deps.service.store.watch("/core/pods/", undefined, (event) => {
      const pod = event.object as Pod;
      if (pod.spec.nodeName === this.config.name || this.runtimes.has(podKeyOf(pod))) this.queue.add(podKeyOf(pod));
    });
    for (const pod of this.myPods()) this.queue.add(podKeyOf(pod));
  }

  stop(): void {
    this.watch?.stop();
    this.queue.dispose();
    for (const runtime of this.runtimes.values()) halt(runtime);
    this.runtimes.clear();
  }

  private myPods(): Pod[] {
    return this.deps.service.list(this.podType, undefined, { fieldSelector: `spec.nodeName=${this.config.name}` }).items as Pod[];
  }

  private current(key: string): Pod | undefined {
    const [namespace, name] = key.split("/") as [string, string];
    return this.deps.service.find(this.podType, namespace, name) as Pod | undefined;
  }

  private reconcile(key: string): void {
    const pod = this.current(key);
    let runtime = this.runtimes.get(key);
    if (runtime && (!pod || pod.metadata.uid !== runtime.uid)) {
      halt(runtime);
      this.deps.containers?.stopPod(runtime.uid);
      this.runtimes.delete(key);
      runtime = undefined;
    }
    if (!pod || pod.spec.nodeName !== this.config.name) return;
    if (!runtime) {
      runtime = { uid: pod.metadata.uid ?? "", timers: new Map(), terminating: false, pullBackOff: new Map(), crashBackOff: new Map(), probes: new Map() };
      this.runtimes.set(key, runtime);
      if (!pod.metadata.deletionTimestamp && !this.alreadyStarted(pod)) this.beginPod(key, runtime, pod);
      else if (!pod.metadata.deletionTimestamp && this.deps.containers) {
        // Restored or seeded: its running containers get processes again (a fresh filesystem, empty logs).
        pod.spec.containers.forEach((c, i) => {
          const status = pod.status?.containerStatuses?.find((s) => s.name === c.name);
          if (!status?.state?.running) return;
          this.runProcess(key, runtime as PodRuntime, pod, i);
          this.startProbes(key, runtime as PodRuntime, pod, i, status.started === true);
        });
      }
    }
    if (pod.metadata.deletionTimestamp && !runtime.terminating) this.terminate(key, runtime, pod);
  }

  /** A pod this node already runs (restored from a snapshot, or seeded as a system pod). */
  private alreadyStarted(pod: Pod): boolean {
    const statuses = pod.status?.containerStatuses ?? [];
    return !!pod.status?.hostIP && statuses.length > 0 && statuses.every((s) => s.state?.running || s.state?.terminated);
  }

  /** Run `step` on the live pod after `ms`, replacing whatever was pending in `slot`. */
  private later(key: string, runtime: PodRuntime, ms: number, step: (pod: Pod) => void, slot = POD_SLOT): void {
    runtime.timers.get(slot)?.cancel();
    const timer = this.deps.clock.schedule(ms, () => {
      if (runtime.timers.get(slot) === timer) runtime.timers.delete(slot);
      const pod = this.current(key);
      if (pod && pod.metadata.uid === runtime.uid && !runtime.terminating) step(pod);
    });
    runtime.timers.set(slot, timer);
  }

  private event(pod: Pod, spec: Omit<EventSpec, "component" | "host">): void {
    this.deps.recorder.record(pod, { ...spec, component: "kubelet", host: this.config.name });
  }

  private updateStatus(pod: Pod, change: (pod: Pod) => void): Pod | undefined {
    return this.deps.service.mutate(this.podType, pod.metadata.namespace, pod.metadata.name ?? "", (o) => change(o as Pod), { subresource: "status" }) as Pod | undefined;
  }

  private beginPod(key: string, runtime: PodRuntime, pod: Pod): void {
    const now = timestamp(this.deps.clock.now());
    this.updateStatus(pod, (p) => {
      const status = (p.status ??= {});
      status.phase = "Pending";
      status.hostIP = this.config.internalIP;
      status.hostIPs = [{ ip: this.config.internalIP }];
      status.startTime = now;
      setCondition(p, "PodReadyToStartContainers", "False", now);
      setCondition(p, "Initialized", "True", now);
      setCondition(p, "Ready", "False", now, "ContainersNotReady", unreadyMessage(p));
      setCondition(p, "ContainersReady", "False", now, "ContainersNotReady", unreadyMessage(p));
      status.containerStatuses = p.spec.containers.map((c) => waitingStatus(c, "ContainerCreating"));
    });
    this.later(key, runtime, KUBELET_DELAYS.sandbox, (p) => {
      const ip = p.spec.hostNetwork ? this.config.internalIP : this.allocateIP();
      const at = timestamp(this.deps.clock.now());
      const updated = this.updateStatus(p, (q) => {
        const status = (q.status ??= {});
        status.podIP = ip;
        status.podIPs = [{ ip }];
        setCondition(q, "PodReadyToStartContainers", "True", at);
      });
      if (updated) this.pull(key, runtime, updated, 0);
    });
  }

  /** Pull the image of container `index`, then create and start it, then go on to the next one. */
  private pull(key: string, runtime: PodRuntime, pod: Pod, index: number): void {
    const container = pod.spec.containers[index];
    if (!container) return;
    const image = container.image ?? "";
    const ref = parseImage(image);
    const fieldPath = `spec.containers{${container.name}}`;
    const result = lookupImage(ref);
    const present = this.images.has(ref.qualified) && result.ok;
    if (present && container.imagePullPolicy !== "Always") {
      this.event(pod, { type: "Normal", reason: "Pulled", message: `Container image "${image}" already present on machine`, fieldPath });
      this.later(key, runtime, KUBELET_DELAYS.create, (p) => this.startContainer(key, runtime, p, index, result.info, result.digest), container.name);
      return;
    }
    this.event(pod, { type: "Normal", reason: "Pulling", message: `Pulling image "${image}"`, fieldPath });
    if (!result.ok) {
      this.later(key, runtime, KUBELET_DELAYS.pullFailure, (p) => this.pullFailed(key, runtime, p, index, result.message), container.name);
      return;
    }
    const took = pullMillis(result.info.size);
    this.later(key, runtime, took, (p) => {
      this.images.add(ref.qualified);
      runtime.pullBackOff.delete(container.name);
      const d = goDuration(took);
      this.event(p, { type: "Normal", reason: "Pulled", message: `Successfully pulled image "${image}" in ${d} (${d} including waiting). Image size: ${result.info.size} bytes.`, fieldPath });
      this.later(key, runtime, KUBELET_DELAYS.create, (q) => this.startContainer(key, runtime, q, index, result.info, result.digest), container.name);
    }, container.name);
  }

  private pullFailed(key: string, runtime: PodRuntime, pod: Pod, index: number, reason: string): void {
    const container = pod.spec.containers[index] as Container;
    const image = container.image ?? "";
    const fieldPath = `spec.containers{${container.name}}`;
    this.event(pod, { type: "Warning", reason: "Failed", message: `Failed to pull image "${image}": ${reason}`, fieldPath });
    this.event(pod, { type: "Warning", reason: "Failed", message: "Error: ErrImagePull", fieldPath });
    this.setWaiting(pod, index, "ErrImagePull", reason);
    const backoff = nextBackOff(runtime.pullBackOff, container.name);
    this.later(key, runtime, KUBELET_DELAYS.toBackOff, (p) => {
      this.event(p, { type: "Normal", reason: "BackOff", message: `Back-off pulling image "${image}"`, fieldPath });
      this.event(p, { type: "Warning", reason: "Failed", message: "Error: ImagePullBackOff", fieldPath });
      this.setWaiting(p, index, "ImagePullBackOff", `Back-off pulling image "${image}"`);
      this.later(key, runtime, backoff, (q) => this.pull(key, runtime, q, index), container.name);
    }, container.name);
    this.startNext(key, runtime, pod, index);
  }

  private setWaiting(pod: Pod, index: number, reason: string, message: string): void {
    this.updateStatus(pod, (p) => {
      const cs = p.status?.containerStatuses?.[index];
      if (cs) cs.state = { waiting: { reason, message } };
    });
  }

  private startContainer(key: string, runtime: PodRuntime, pod: Pod, index: number, info: ImageInfo, digest: string): void {
    const container = pod.spec.containers[index] as Container;
    const fieldPath = `spec.containers{${container.name}}`;
    const ref = parseImage(container.image ?? "");
    const configError = specEnvironment(pod, container, this.lookup).error;
    if (configError) {
      // Not created; the next sync (pull included) tries again, and the pod's other containers go on.
      this.event(pod, { type: "Warning", reason: "Failed", message: `Error: ${configError}`, fieldPath });
      this.setWaiting(pod, index, "CreateContainerConfigError", configError);
      this.later(key, runtime, KUBELET_DELAYS.syncRetry, (p) => this.pull(key, runtime, p, index), container.name);
      this.startNext(key, runtime, pod, index);
      return;
    }
    this.event(pod, { type: "Normal", reason: "Created", message: `Created container ${container.name}`, fieldPath });
    const ids = (cs: ContainerStatus): void => {
      cs.image = ref.qualified;
      cs.imageID = `${ref.repository}@${digest}`;
      cs.containerID = `containerd://${randomBytes(32).toString("hex")}`;
    };
    const startError = this.deps.containers?.startError(pod, index);
    if (startError) {
      // Created, but its process cannot start: exit 128 StartError, then the usual restart and back-off.
      this.event(pod, { type: "Warning", reason: "Failed", message: `Error: ${startError}`, fieldPath });
      const created = this.updateStatus(pod, (p) => {
        const cs = p.status?.containerStatuses?.[index];
        if (cs) ids(cs);
      });
      if (created) this.containerExited(key, runtime, created, index, 128, { reason: "StartError", startError });
      this.startNext(key, runtime, pod, index);
      return;
    }
    this.event(pod, { type: "Normal", reason: "Started", message: `Started container ${container.name}`, fieldPath });
    const started = timestamp(this.deps.clock.now());
    // Images that exit run their default shell for a moment, or their command until it ends (images.ts).
    const explicit = !!container.command?.length || !!container.args?.length;
    const exits: CommandOutcome | undefined = info.behaviour !== "exits" ? undefined : explicit ? commandOutcome(container.command, container.args) : { runsMs: KUBELET_DELAYS.exit, exitCode: 0 };
    const updated = this.updateStatus(pod, (p) => {
      const cs = p.status?.containerStatuses?.[index];
      if (!cs) return;
      ids(cs);
      // A startup probe holds back `started`; a readiness probe holds back `ready` until it passes.
      cs.started = !probeOf(container, "startup");
      cs.ready = cs.started && !probeOf(container, "readiness");
      cs.state = { running: { startedAt: started } };
      refreshPodReadiness(p, started);
    });
    if (!updated) return;
    // An explicit command's own exit ends the container; an image's default (busybox `sh`) keeps the fixed timing below.
    const byProcess = !!this.deps.containers && explicit;
    if (this.deps.containers) this.runProcess(key, runtime, updated, index, byProcess ? 1000 : undefined);
    this.startProbes(key, runtime, updated, index, false);
    if (exits && !byProcess) {
      this.later(key, runtime, exits.runsMs, (p) => this.containerExited(key, runtime, p, index, exits.exitCode), container.name);
    } else this.startNext(key, runtime, updated, index);
  }

  /** Go on to the container after `index` if it was never tried (a restart or retry of one container leaves the others be). */
  private startNext(key: string, runtime: PodRuntime, pod: Pod, index: number): void {
    const next = pod.status?.containerStatuses?.[index + 1];
    if (next?.state?.waiting?.reason === "ContainerCreating" && !runtime.timers.has(next.name)) this.pull(key, runtime, pod, index + 1);
  }

  /** ConfigMaps and Secrets as the kubelet's object caches see them. */
  private readonly lookup: ObjectLookup = (kind, namespace, name) => {
    const type = this.deps.registry.find("", "v1", kind);
    return type ? this.deps.service.find(type, namespace, name) : undefined;
  };

  /**
   * Start the container's process in the runtime; when it ends (its command
   * finished, not sooner than `minMs` after start) the container exits with its
   * code. Without `minMs` the kubelet times the exit itself, except for an OOM
   * kill, which always ends the container.
   */
  private runProcess(key: string, runtime: PodRuntime, pod: Pod, index: number, minMs?: number): void {
    const startedAt = this.deps.clock.now();
    this.deps.containers?.start(pod, index, (code, reason) => {
      if (minMs === undefined && !reason) return;
      this.deps.clock.schedule(Math.max(0, startedAt + (minMs ?? 0) - this.deps.clock.now()), () => {
        const p = this.current(key);
        if (p && p.metadata.uid === runtime.uid && !runtime.terminating) this.containerExited(key, runtime, p, index, code, { reason });
      });
    });
  }

  /** Probe workers for the container just started (or restored, already past its startup probe). */
  private startProbes(key: string, runtime: PodRuntime, pod: Pod, index: number, alreadyStarted: boolean): void {
    const container = pod.spec.containers[index] as Container;
    if (!hasProbes(container)) return;
    const containerID = pod.status?.containerStatuses?.[index]?.containerID;
    const fieldPath = `spec.containers{${container.name}}`;
    const probes = new ContainerProbes(
      container,
      this.deps.clock.now(),
      {
        clock: this.deps.clock,
        run: (spec) => {
          const live = this.current(key) ?? pod;
          return runProbe(spec, { pod: live, container, clock: this.deps.clock, network: this.deps.network, process: this.deps.containers?.container(live, container.name) });
        },
        unhealthy: (message) => this.event(this.current(key) ?? pod, { type: "Warning", reason: "Unhealthy", message, fieldPath }),
        settled: (kind, ok) => this.probeSettled(key, runtime, index, containerID, kind, ok),
      },
      alreadyStarted,
    );
    runtime.probes.get(container.name)?.stop();
    runtime.probes.set(container.name, probes);
  }

  /** A probe's result changed: readiness and startup update the status; a failed liveness or startup probe kills the container. */
  private probeSettled(key: string, runtime: PodRuntime, index: number, containerID: string | undefined, kind: ProbeKind, ok: boolean): void {
    const pod = this.current(key);
    if (!pod || pod.metadata.uid !== runtime.uid || runtime.terminating) return;
    const status = pod.status?.containerStatuses?.[index];
    if (!status?.state?.running || status.containerID !== containerID) return;
    const container = pod.spec.containers[index] as Container;
    if (!ok && kind !== "readiness") {
      this.killUnhealthy(key, runtime, pod, index, kind);
      return;
    }
    const now = timestamp(this.deps.clock.now());
    this.updateStatus(pod, (p) => {
      const cs = p.status?.containerStatuses?.[index];
      if (!cs) return;
      if (kind === "startup") {
        cs.started = true;
        cs.ready = !probeOf(container, "readiness");
      } else cs.ready = ok && cs.started === true;
      refreshPodReadiness(p, now);
    });
  }

  /**
   * Stop a container that failed its liveness or startup probe, as the kubelet
   * does: SIGTERM, then SIGKILL after the grace period (the probe's own, else
   * the pod's; at least 2 s) if its PID 1 ignores SIGTERM. It then restarts
   * (with back-off) unless the restart policy is Never.
   */
  private killUnhealthy(key: string, runtime: PodRuntime, pod: Pod, index: number, kind: "liveness" | "startup"): void {
    const container = pod.spec.containers[index] as Container;
    const restart = (pod.spec.restartPolicy ?? "Always") !== "Never";
    this.event(pod, { type: "Normal", reason: "Killing", message: `Container ${container.name} failed ${kind} probe${restart ? ", will be restarted" : ""}`, fieldPath: `spec.containers{${container.name}}` });
    const graceSeconds = Math.max(2, probeOf(container, kind)?.terminationGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30);
    const stubborn = ignoresSigterm(container);
    this.later(
      key,
      runtime,
      stubborn ? graceSeconds * 1000 : Math.min(KUBELET_DELAYS.stop, graceSeconds * 1000),
      (p) => {
        const exitCode = stubborn ? 137 : 0;
        this.deps.containers?.container(p, container.name)?.stop(exitCode);
        this.containerExited(key, runtime, p, index, exitCode, { probeKill: true });
      },
      container.name,
    );
  }

  /**
   * The container's process ended with `exitCode`: its status shows the
   * terminated state (Error, Completed, OOMKilled) for a moment. The first exit
   * restarts then; later ones move to CrashLoopBackOff and wait out a doubling
   * back-off, unless the restart policy says not to restart (Never; OnFailure
   * after code 0).
   */
  private containerExited(key: string, runtime: PodRuntime, pod: Pod, index: number, exitCode = 0, details: ExitDetails = {}): void {
    const container = pod.spec.containers[index] as Container;
    const { startError } = details;
    // Ended already (a probe kill and the process's own exit can both arrive).
    if (!pod.status?.containerStatuses?.[index]?.state?.running && startError === undefined) return;
    runtime.probes.get(container.name)?.stop();
    runtime.probes.delete(container.name);
    const finished = timestamp(this.deps.clock.now());
    const policy = pod.spec.restartPolicy ?? "Always";
    const restart = policy === "Always" || (policy === "OnFailure" && (exitCode !== 0 || details.probeKill === true));
    const previous = runtime.crashBackOff.get(container.name);
    const backoff = previous === undefined ? 0 : Math.min(Math.max(previous * 2, BACKOFF_START), BACKOFF_MAX);
    runtime.crashBackOff.set(container.name, backoff);
    const updated = this.updateStatus(pod, (p) => {
      const cs = p.status?.containerStatuses?.[index];
      if (!cs) return;
      cs.ready = false;
      cs.started = false;
      const terminated = {
        exitCode,
        reason: details.reason ?? (exitCode === 0 ? "Completed" : "Error"),
        ...(startError === undefined ? {} : { message: startError }),
        startedAt: cs.state?.running?.startedAt ?? (startError === undefined ? finished : NEVER_STARTED),
        finishedAt: finished,
        containerID: cs.containerID,
      };
      cs.state = { terminated };
      // A failed start that will be retried shows as the kubelet's RunContainerError until then.
      if (restart && startError !== undefined) {
        cs.lastState = { terminated };
        cs.state = { waiting: { reason: "RunContainerError", message: startError } };
      }
      refreshPodReadiness(p, finished);
      // A container about to restart leaves the pod Running, whatever its exit code.
      if (restart && p.status && p.status.phase !== "Pending") p.status.phase = "Running";
    });
    if (!updated || !restart) return;
    const fieldPath = `spec.containers{${container.name}}`;
    const restartNow = (p: Pod): void => {
      const restarted = this.updateStatus(p, (q) => {
        const cs = q.status?.containerStatuses?.[index];
        if (!cs) return;
        cs.restartCount += 1;
        if (cs.state?.terminated) cs.lastState = { terminated: cs.state.terminated };
      });
      if (restarted) this.pull(key, runtime, restarted, index);
    };
    if (backoff === 0) {
      this.later(key, runtime, KUBELET_DELAYS.exit, restartNow, container.name);
      return;
    }
    this.later(
      key,
      runtime,
      KUBELET_DELAYS.exit,
      (p) => {
        const waiting = this.updateStatus(p, (q) => {
          const cs = q.status?.containerStatuses?.[index];
          if (!cs || (!cs.state?.terminated && cs.state?.waiting?.reason !== "RunContainerError")) return;
          if (cs.state?.terminated) cs.lastState = { terminated: cs.state.terminated };
          cs.state = { waiting: { reason: "CrashLoopBackOff", message: `back-off ${goDuration(backoff)} restarting failed container=${container.name} pod=${q.metadata.name}_${q.metadata.namespace}(${q.metadata.uid})` } };
        });
        if (!waiting) return;
        this.event(waiting, { type: "Warning", reason: "BackOff", message: `Back-off restarting failed container ${container.name} in pod ${p.metadata.name}_${p.metadata.namespace}(${p.metadata.uid})`, fieldPath });
        this.later(key, runtime, backoff, restartNow, container.name);
      },
      container.name,
    );
  }

  private terminate(key: string, runtime: PodRuntime, pod: Pod): void {
    runtime.terminating = true;
    halt(runtime);
    const running = pod.spec.containers.filter((c) => pod.status?.containerStatuses?.some((s) => s.name === c.name && s.state?.running));
    for (const c of running) this.event(pod, { type: "Normal", reason: "Killing", message: `Stopping container ${c.name}`, fieldPath: `spec.containers{${c.name}}` });
    const graceMs = (pod.metadata.deletionGracePeriodSeconds ?? 30) * 1000;
    const stubborn = running.some(ignoresSigterm);
    const delay = running.length === 0 ? 0 : stubborn ? graceMs : Math.min(KUBELET_DELAYS.stop, graceMs);
    const finish = (): void => {
      this.deps.containers?.stopPod(runtime.uid);
      const now = timestamp(this.deps.clock.now());
      const stopped = this.updateStatus(pod, (p) => {
        let failed = false;
        let stoppedAny = false;
        for (const cs of p.status?.containerStatuses ?? []) {
          if (!cs.state?.running) continue;
          const exitCode = stubborn ? 137 : 0;
          failed ||= exitCode !== 0;
          stoppedAny = true;
          cs.state = { terminated: { exitCode, reason: exitCode ? "Error" : "Completed", startedAt: cs.state.running.startedAt, finishedAt: now, containerID: cs.containerID } };
          cs.ready = false;
          cs.started = false;
        }
        // A pod that already finished keeps its phase.
        const status = (p.status ??= {});
        if (stoppedAny || (status.phase !== "Succeeded" && status.phase !== "Failed")) status.phase = failed ? "Failed" : "Succeeded";
        refreshPodReadiness(p, now);
      });
      if (stopped) this.deps.service.delete(this.podType, pod.metadata.namespace, pod.metadata.name ?? "", { gracePeriodSeconds: 0 });
      this.runtimes.delete(key);
    };
    runtime.timers.set(POD_SLOT, this.deps.clock.schedule(delay, finish));
  }

  /** The next free address in this node's pod subnet (.1 is the bridge). */
  private allocateIP(): string {
    const base = this.config.podCIDR.split(".").slice(0, 3).join(".");
    const used = new Set(this.myPods().map((p) => p.status?.podIP));
    for (let host = 2; host < 255; host++) {
      const ip = `${base}.${host}`;
      if (!used.has(ip)) return ip;
    }
    return `${base}.254`;
  }
}

/** Cancel every pending step and probe of a pod. */
function halt(runtime: PodRuntime): void {
  for (const timer of runtime.timers.values()) timer.cancel();
  runtime.timers.clear();
  for (const probes of runtime.probes.values()) probes.stop();
  runtime.probes.clear();
}

/**
 * Whether the container's PID 1 ignores SIGTERM, so stopping it waits out the
 * grace period and ends in SIGKILL (137): an image's own shell (busybox `sh`)
 * or anything running `sleep`. Servers stop at once with 0.
 */
function ignoresSigterm(container: Container): boolean {
  const found = lookupImage(parseImage(container.image ?? ""));
  return (found.ok && !found.info.stopsOnSigterm && !container.command?.length) || !!container.command?.some((part) => part.includes("sleep"));
}

function nextBackOff(state: Map<string, number>, name: string): number {
  const current = state.get(name);
  const next = current === undefined ? BACKOFF_START : Math.min(current * 2, BACKOFF_MAX);
  state.set(name, next);
  return next;
}

function waitingStatus(container: Container, reason: string): ContainerStatus {
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

function unreadyMessage(pod: Pod): string {
  const names = pod.spec.containers.filter((c) => !pod.status?.containerStatuses?.some((s) => s.name === c.name && s.ready)).map((c) => c.name);
  return `containers with unready status: [${names.join(" ")}]`;
}

function setCondition(pod: Pod, type: string, status: Condition["status"], now: string, reason?: string, message?: string): void {
  const conditions = ((pod.status ??= {}).conditions ??= []);
  const order = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"];
  const existing = conditions.find((c) => c.type === type);
  const next: Condition = { type, status, lastProbeTime: null, lastTransitionTime: existing?.status === status ? existing.lastTransitionTime : now };
  if (reason) next.reason = reason;
  if (message) next.message = message;
  const rest = conditions.filter((c) => c.type !== type);
  rest.push(next);
  rest.sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
  pod.status.conditions = rest;
}

/** Phase and the Ready/ContainersReady conditions, from the container statuses. */
function refreshPodReadiness(pod: Pod, now: string): void {
  const statuses = pod.status?.containerStatuses ?? [];
  const allReady = statuses.length > 0 && statuses.every((s) => s.ready);
  if (allReady) {
    setCondition(pod, "Ready", "True", now);
    setCondition(pod, "ContainersReady", "True", now);
  } else {
    setCondition(pod, "Ready", "False", now, "ContainersNotReady", unreadyMessage(pod));
    setCondition(pod, "ContainersReady", "False", now, "ContainersNotReady", unreadyMessage(pod));
  }
  const status = (pod.status ??= {});
  if (status.phase === "Succeeded" || status.phase === "Failed") return;
  const allTerminated = statuses.length > 0 && statuses.every((s) => s.state?.terminated);
  if (allTerminated) status.phase = statuses.every((s) => s.state?.terminated?.exitCode === 0) ? "Succeeded" : "Failed";
  else if (statuses.some((s) => s.state?.running || s.lastState?.terminated)) status.phase = "Running";
}
