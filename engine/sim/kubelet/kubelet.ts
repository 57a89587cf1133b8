// One kubelet per simulated node: a reconcile loop over the pods bound to its
// node. It takes each pod through sandbox creation, image pulls, container
// start (with the upstream events and status), pull back-off for images that
// do not exist, crash-loop back-off for containers that exit, and graceful
// termination on deletion. All delays run on the injected clock.
import { randomBytes } from "node:crypto";
import type { Clock, Timer } from "../../clock";
import type { ResourceService } from "../apiserver/service";
import type { EventRecorder, EventSpec } from "../controllers/events";
import { WorkQueue } from "../controllers/workqueue";
import type { Watch } from "../store/store";
import { timestamp, type Registry, type ResourceType } from "../registry";
import type { Condition, Container, ContainerState, ContainerStatus, KObject, Pod } from "../types";
import { commandOutcome, goDuration, lookupImage, parseImage, pullMillis, type CommandOutcome, type ImageInfo } from "./images";
import { leaseObject, nodeObject, type NodeConfig } from "./node";
import type { ContainerRuntime } from "../container/runtime";

/** Clock delays that make a pod start in about 1-3 s, like a small real cluster. */
export const KUBELET_DELAYS = {
  sandbox: 400,
  pullFailure: 900,
  toBackOff: 1500,
  create: 150,
  exit: 200,
  stop: 300,
};
const BACKOFF_START = 10_000;
const BACKOFF_MAX = 300_000;

interface PodRuntime {
  uid: string;
  timer?: Timer;
  terminating: boolean;
  pullBackOff: Map<string, number>;
  crashBackOff: Map<string, number>;
}

export interface KubeletDeps {
  service: ResourceService;
  registry: Registry;
  recorder: EventRecorder;
  clock: Clock;
  /** Runs the containers' processes (shell, filesystem, logs, exec); without it containers only have a status. */
  containers?: ContainerRuntime;
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
    for (const runtime of this.runtimes.values()) runtime.timer?.cancel();
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
      runtime.timer?.cancel();
      this.deps.containers?.stopPod(runtime.uid);
      this.runtimes.delete(key);
      runtime = undefined;
    }
    if (!pod || pod.spec.nodeName !== this.config.name) return;
    if (!runtime) {
      runtime = { uid: pod.metadata.uid ?? "", terminating: false, pullBackOff: new Map(), crashBackOff: new Map() };
      this.runtimes.set(key, runtime);
      if (!pod.metadata.deletionTimestamp && !this.alreadyStarted(pod)) this.beginPod(key, runtime, pod);
      else if (!pod.metadata.deletionTimestamp && this.deps.containers) {
        // Restored or seeded: its running containers get processes again (a fresh filesystem, empty logs).
        pod.spec.containers.forEach((c, i) => {
          if (pod.status?.containerStatuses?.find((s) => s.name === c.name)?.state?.running) this.runProcess(key, runtime as PodRuntime, pod, i);
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

  private later(key: string, runtime: PodRuntime, ms: number, step: (pod: Pod) => void): void {
    runtime.timer?.cancel();
    runtime.timer = this.deps.clock.schedule(ms, () => {
      runtime.timer = undefined;
      const pod = this.current(key);
      if (pod && pod.metadata.uid === runtime.uid && !runtime.terminating) step(pod);
    });
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
      this.later(key, runtime, KUBELET_DELAYS.create, (p) => this.startContainer(key, runtime, p, index, result.info, result.digest));
      return;
    }
    this.event(pod, { type: "Normal", reason: "Pulling", message: `Pulling image "${image}"`, fieldPath });
    if (!result.ok) {
      this.later(key, runtime, KUBELET_DELAYS.pullFailure, (p) => this.pullFailed(key, runtime, p, index, result.message));
      return;
    }
    const took = pullMillis(result.info.size);
    this.later(key, runtime, took, (p) => {
      this.images.add(ref.qualified);
      runtime.pullBackOff.delete(container.name);
      const d = goDuration(took);
      this.event(p, { type: "Normal", reason: "Pulled", message: `Successfully pulled image "${image}" in ${d} (${d} including waiting). Image size: ${result.info.size} bytes.`, fieldPath });
      this.later(key, runtime, KUBELET_DELAYS.create, (q) => this.startContainer(key, runtime, q, index, result.info, result.digest));
    });
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
      this.later(key, runtime, backoff, (q) => this.pull(key, runtime, q, index));
    });
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
    this.event(pod, { type: "Normal", reason: "Created", message: `Created container ${container.name}`, fieldPath });
    this.event(pod, { type: "Normal", reason: "Started", message: `Started container ${container.name}`, fieldPath });
    const started = timestamp(this.deps.clock.now());
    // Images that exit run their default shell for a moment, or their command until it ends (images.ts).
    const explicit = !!container.command?.length || !!container.args?.length;
    const exits: CommandOutcome | undefined = info.behaviour !== "exits" ? undefined : explicit ? commandOutcome(container.command, container.args) : { runsMs: KUBELET_DELAYS.exit, exitCode: 0 };
    const updated = this.updateStatus(pod, (p) => {
      const cs = p.status?.containerStatuses?.[index];
      if (!cs) return;
      cs.image = ref.qualified;
      cs.imageID = `${ref.repository}@${digest}`;
      cs.containerID = `containerd://${randomBytes(32).toString("hex")}`;
      cs.started = true;
      cs.ready = true;
      cs.state = { running: { startedAt: started } };
      refreshPodReadiness(p, started);
    });
    if (!updated) return;
    // An explicit command's own exit ends the container; an image's default (busybox `sh`) keeps the fixed timing below.
    const byProcess = !!this.deps.containers && explicit;
    if (this.deps.containers) this.runProcess(key, runtime, updated, index, byProcess ? 1000 : undefined);
    if (exits && !byProcess) {
      this.later(key, runtime, exits.runsMs, (p) => this.containerExited(key, runtime, p, index, exits.exitCode));
    } else if (index + 1 < pod.spec.containers.length) {
      this.pull(key, runtime, updated, index + 1);
    }
  }

  /**
   * Start the container's process in the runtime; when it ends (its command
   * finished, not sooner than `minMs` after start) the container exits with its
   * code. Without `minMs` the kubelet times the exit itself.
   */
  private runProcess(key: string, runtime: PodRuntime, pod: Pod, index: number, minMs?: number): void {
    const startedAt = this.deps.clock.now();
    this.deps.containers?.start(pod, index, (code) => {
      if (minMs === undefined) return;
      this.deps.clock.schedule(Math.max(0, startedAt + minMs - this.deps.clock.now()), () => {
        const p = this.current(key);
        if (p && p.metadata.uid === runtime.uid && !runtime.terminating) this.containerExited(key, runtime, p, index, code);
      });
    });
  }

  /**
   * The container's process ended with `exitCode`. The first exit restarts at
   * once; later ones wait out a doubling back-off (CrashLoopBackOff), unless
   * the restart policy says not to restart (Never; OnFailure after code 0).
   */
  private containerExited(key: string, runtime: PodRuntime, pod: Pod, index: number, exitCode = 0): void {
    const container = pod.spec.containers[index] as Container;
    const finished = timestamp(this.deps.clock.now());
    const policy = pod.spec.restartPolicy ?? "Always";
    const restart = policy === "Always" || (policy === "OnFailure" && exitCode !== 0);
    const previous = runtime.crashBackOff.get(container.name);
    const backoff = previous === undefined ? 0 : Math.min(Math.max(previous * 2, BACKOFF_START), BACKOFF_MAX);
    runtime.crashBackOff.set(container.name, backoff);
    const updated = this.updateStatus(pod, (p) => {
      const cs = p.status?.containerStatuses?.[index];
      if (!cs) return;
      const terminated: NonNullable<ContainerState["terminated"]> = {
        exitCode,
        reason: exitCode === 0 ? "Completed" : "Error",
        startedAt: cs.state?.running?.startedAt ?? finished,
        finishedAt: finished,
        containerID: cs.containerID,
      };
      cs.ready = false;
      cs.started = false;
      if (restart && backoff > 0) {
        cs.lastState = { terminated };
        cs.state = { waiting: { reason: "CrashLoopBackOff", message: `back-off ${goDuration(backoff)} restarting failed container=${container.name} pod=${p.metadata.name}_${p.metadata.namespace}(${p.metadata.uid})` } };
      } else cs.state = { terminated };
      refreshPodReadiness(p, finished);
      // A container about to restart leaves the pod Running, whatever its exit code.
      if (restart && p.status && p.status.phase !== "Pending") p.status.phase = "Running";
    });
    if (!updated || !restart) return;
    if (backoff > 0) {
      this.event(updated, {
        type: "Warning",
        reason: "BackOff",
        message: `Back-off restarting failed container ${container.name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`,
        fieldPath: `spec.containers{${container.name}}`,
      });
    }
    this.later(key, runtime, backoff || KUBELET_DELAYS.exit, (p) => {
      const restarted = this.updateStatus(p, (q) => {
        const cs = q.status?.containerStatuses?.[index];
        if (!cs) return;
        cs.restartCount += 1;
        if (cs.state?.terminated) cs.lastState = { terminated: cs.state.terminated };
      });
      if (restarted) this.pull(key, runtime, restarted, index);
    });
  }

  private terminate(key: string, runtime: PodRuntime, pod: Pod): void {
    runtime.terminating = true;
    runtime.timer?.cancel();
    const running = pod.spec.containers.filter((c) => pod.status?.containerStatuses?.some((s) => s.name === c.name && s.state?.running));
    for (const c of running) this.event(pod, { type: "Normal", reason: "Killing", message: `Stopping container ${c.name}`, fieldPath: `spec.containers{${c.name}}` });
    const graceMs = (pod.metadata.deletionGracePeriodSeconds ?? 30) * 1000;
    const stubborn = running.some((c) => {
      const found = lookupImage(parseImage(c.image ?? ""));
      return found.ok && !found.info.stopsOnSigterm && !c.command?.length;
    }) || running.some((c) => c.command?.some((part) => part.includes("sleep")));
    const delay = running.length === 0 ? 0 : stubborn ? graceMs : Math.min(KUBELET_DELAYS.stop, graceMs);
    runtime.timer = this.deps.clock.schedule(delay, () => {
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
    });
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
