// One kubelet per simulated node: a reconcile loop over the pods bound to its
// node. It takes each pod through sandbox creation, image pulls, container
// start (with the upstream events and status), pull back-off for images that
// do not exist, containers whose env references or command do not resolve
// (CreateContainerConfigError, retried; StartError), volumes that cannot be mounted yet (FailedMount,
// retried), init containers (one at a time, each to exit 0, before the app
// containers; a sidecar, restartPolicy Always, only to start: it keeps
// running), crash-loop back-off for containers that exit, probes
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
import type { Container, ContainerStatus, KObject, Pod } from "../types";
import { commandOutcome, goDuration, lookupImage, parseImage, pullMillis, type CommandOutcome, type ImageInfo } from "./images";
import { leaseObject, nodeObject, type NodeConfig } from "./node";
import type { ContainerRuntime } from "../container/runtime";
import { specEnvironment, type ObjectLookup } from "../container/env";
import { ContainerProbes, hasProbes, probeOf, runProbe, type ProbeKind, type ProbeNetwork } from "./probes";
import { volumeSetUpFailure } from "./volumes";
import { containerRefs, fieldPathOf, isSidecar, neverTried, notCreatedReason, refreshPodStatus, setCondition, specOf, statusOf, waitingStatus, type ContainerRef } from "./status";

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
/** The volume manager's retry of a failed mount: 500 ms doubling to 2m2s. */
const MOUNT_BACKOFF_START = 500;
const MOUNT_BACKOFF_MAX = 122_000;

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
  /** The wait before the next try to mount a volume that failed, once one has. */
  mountBackOff?: number;
  /** The pod's address in this node's subnet, held while the pod is on the node (the CNI's IPAM). */
  ip?: string;
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
      if (!pod.spec.hostNetwork && pod.status?.podIP) runtime.ip = pod.status.podIP;
      this.runtimes.set(key, runtime);
      if (!pod.metadata.deletionTimestamp && !this.alreadyStarted(pod)) this.beginPod(key, runtime, pod);
      else if (!pod.metadata.deletionTimestamp && this.deps.containers) {
        // Restored or seeded: its running containers (sidecars too) get processes again (a fresh filesystem, empty logs).
        for (const { ref } of containerRefs(pod)) {
          const status = statusOf(pod, ref);
          if (!status?.state?.running) continue;
          this.runProcess(key, runtime, pod, ref);
          this.startProbes(key, runtime, pod, ref, status.started === true);
        }
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
      if (!p.spec.initContainers?.length) setCondition(p, "Initialized", "True", now);
      const reason = notCreatedReason(p);
      if (p.spec.initContainers?.length) status.initContainerStatuses = p.spec.initContainers.map((c) => waitingStatus(c, reason));
      status.containerStatuses = p.spec.containers.map((c) => waitingStatus(c, reason));
      refreshPodStatus(p, now);
    });
    this.later(key, runtime, KUBELET_DELAYS.sandbox, (p) => this.createSandbox(key, runtime, p));
  }

  /**
   * Mount the pod's volumes, then make its sandbox (IP) and go on to the first
   * container (the first init container, if any). A volume that cannot be
   * set up yet keeps the pod in ContainerCreating: FailedMount, then another
   * try after a doubling back-off (0.5 s up to 2m2s, as the volume manager's).
   */
  private createSandbox(key: string, runtime: PodRuntime, pod: Pod): void {
    const failure = volumeSetUpFailure(pod, this.lookup);
    if (failure) {
      this.event(pod, { type: "Warning", reason: "FailedMount", message: `MountVolume.SetUp failed for volume "${failure.volume}" : ${failure.message}` });
      runtime.mountBackOff = runtime.mountBackOff === undefined ? MOUNT_BACKOFF_START : Math.min(runtime.mountBackOff * 2, MOUNT_BACKOFF_MAX);
      this.later(key, runtime, runtime.mountBackOff, (p) => this.createSandbox(key, runtime, p));
      return;
    }
    const ip = pod.spec.hostNetwork ? this.config.internalIP : (runtime.ip ??= this.allocateIP());
    const at = timestamp(this.deps.clock.now());
    const updated = this.updateStatus(pod, (q) => {
      const status = (q.status ??= {});
      status.podIP = ip;
      status.podIPs = [{ ip }];
      setCondition(q, "PodReadyToStartContainers", "True", at);
    });
    if (updated) this.advance(key, runtime);
  }

  /**
   * Start what the pod's order allows next: its init containers one at a
   * time, each once the one before has exited 0 (a sidecar: once it has
   * started), then its app containers one after another. A container under
   * way (pulling, waiting to retry) is waited for; one that failed to start
   * holds back the init sequence but not the next app container.
   */
  private advance(key: string, runtime: PodRuntime): void {
    const pod = this.current(key);
    if (!pod || pod.metadata.uid !== runtime.uid || runtime.terminating) return;
    // Once an app container has been tried the pod was initialized: a restarting sidecar holds nothing back.
    const initialized = (pod.status?.containerStatuses ?? []).some((s) => !neverTried(s));
    for (const { ref, spec } of containerRefs(pod)) {
      const status = statusOf(pod, ref);
      if (ref.init) {
        if (initialized || (isSidecar(spec) ? status?.started === true : status?.state?.terminated?.exitCode === 0)) continue;
      } else if (!neverTried(status)) continue;
      if (neverTried(status) && !runtime.timers.has(spec.name)) this.pull(key, runtime, pod, ref);
      return;
    }
  }

  /** Pull the image of a container, then create and start it, then go on to the next one. */
  private pull(key: string, runtime: PodRuntime, pod: Pod, ref: ContainerRef): void {
    const container = specOf(pod, ref);
    if (!container) return;
    const image = container.image ?? "";
    const imageRef = parseImage(image);
    const fieldPath = fieldPathOf(ref, container.name);
    const result = lookupImage(imageRef);
    const present = this.images.has(imageRef.qualified) && result.ok;
    if (present && container.imagePullPolicy !== "Always") {
      this.event(pod, { type: "Normal", reason: "Pulled", message: `Container image "${image}" already present on machine`, fieldPath });
      this.later(key, runtime, KUBELET_DELAYS.create, (p) => this.startContainer(key, runtime, p, ref, result.info, result.digest), container.name);
      return;
    }
    this.event(pod, { type: "Normal", reason: "Pulling", message: `Pulling image "${image}"`, fieldPath });
    if (!result.ok) {
      this.later(key, runtime, KUBELET_DELAYS.pullFailure, (p) => this.pullFailed(key, runtime, p, ref, result.message), container.name);
      return;
    }
    const took = pullMillis(result.info.size);
    this.later(key, runtime, took, (p) => {
      this.images.add(imageRef.qualified);
      runtime.pullBackOff.delete(container.name);
      const d = goDuration(took);
      this.event(p, { type: "Normal", reason: "Pulled", message: `Successfully pulled image "${image}" in ${d} (${d} including waiting). Image size: ${result.info.size} bytes.`, fieldPath });
      this.later(key, runtime, KUBELET_DELAYS.create, (q) => this.startContainer(key, runtime, q, ref, result.info, result.digest), container.name);
    }, container.name);
  }

  private pullFailed(key: string, runtime: PodRuntime, pod: Pod, ref: ContainerRef, reason: string): void {
    const container = specOf(pod, ref) as Container;
    const image = container.image ?? "";
    const fieldPath = fieldPathOf(ref, container.name);
    this.event(pod, { type: "Warning", reason: "Failed", message: `Failed to pull image "${image}": ${reason}`, fieldPath });
    this.event(pod, { type: "Warning", reason: "Failed", message: "Error: ErrImagePull", fieldPath });
    this.setWaiting(pod, ref, "ErrImagePull", reason);
    const backoff = nextBackOff(runtime.pullBackOff, container.name);
    this.later(key, runtime, KUBELET_DELAYS.toBackOff, (p) => {
      this.event(p, { type: "Normal", reason: "BackOff", message: `Back-off pulling image "${image}"`, fieldPath });
      this.event(p, { type: "Warning", reason: "Failed", message: "Error: ImagePullBackOff", fieldPath });
      this.setWaiting(p, ref, "ImagePullBackOff", `Back-off pulling image "${image}"`);
      this.later(key, runtime, backoff, (q) => this.pull(key, runtime, q, ref), container.name);
    }, container.name);
    this.advance(key, runtime);
  }

  private setWaiting(pod: Pod, ref: ContainerRef, reason: string, message: string): void {
    this.updateStatus(pod, (p) => {
      const cs = statusOf(p, ref);
      if (cs) cs.state = { waiting: { reason, message } };
    });
  }

  private startContainer(key: string, runtime: PodRuntime, pod: Pod, ref: ContainerRef, info: ImageInfo, digest: string): void {
    const container = specOf(pod, ref) as Container;
    const fieldPath = fieldPathOf(ref, container.name);
    const imageRef = parseImage(container.image ?? "");
    const configError = specEnvironment(pod, container, this.lookup).error;
    if (configError) {
      // Not created; the next sync (pull included) tries again, and the pod's other containers go on.
      this.event(pod, { type: "Warning", reason: "Failed", message: `Error: ${configError}`, fieldPath });
      this.setWaiting(pod, ref, "CreateContainerConfigError", configError);
      this.later(key, runtime, KUBELET_DELAYS.syncRetry, (p) => this.pull(key, runtime, p, ref), container.name);
      this.advance(key, runtime);
      return;
    }
    this.event(pod, { type: "Normal", reason: "Created", message: `Created container ${container.name}`, fieldPath });
    const ids = (cs: ContainerStatus): void => {
      cs.image = imageRef.qualified;
      cs.imageID = `${imageRef.repository}@${digest}`;
      cs.containerID = `containerd://${randomBytes(32).toString("hex")}`;
    };
    const startError = this.deps.containers?.startError(pod, container.name);
    if (startError) {
      // Created, but its process cannot start: exit 128 StartError, then the usual restart and back-off.
      this.event(pod, { type: "Warning", reason: "Failed", message: `Error: ${startError}`, fieldPath });
      const created = this.updateStatus(pod, (p) => {
        const cs = statusOf(p, ref);
        if (cs) ids(cs);
      });
      if (created) this.containerExited(key, runtime, created, ref, 128, { reason: "StartError", startError });
      this.advance(key, runtime);
      return;
    }
    this.event(pod, { type: "Normal", reason: "Started", message: `Started container ${container.name}`, fieldPath });
    const started = timestamp(this.deps.clock.now());
    // Images that exit run their default shell for a moment, or their command until it ends (images.ts).
    const explicit = !!container.command?.length || !!container.args?.length;
    const exits: CommandOutcome | undefined = info.behaviour !== "exits" ? undefined : explicit ? commandOutcome(container.command, container.args) : { runsMs: KUBELET_DELAYS.exit, exitCode: 0 };
    const updated = this.updateStatus(pod, (p) => {
      const cs = statusOf(p, ref);
      if (!cs) return;
      ids(cs);
      // A startup probe holds back `started`; a readiness probe holds back `ready` until it passes.
      // A regular init container is ready only once it has exited 0.
      cs.started = !probeOf(container, "startup");
      cs.ready = cs.started && !probeOf(container, "readiness") && !(ref.init && !isSidecar(container));
      cs.state = { running: { startedAt: started } };
      refreshPodStatus(p, started);
    });
    if (!updated) return;
    // An explicit command's own exit ends the container; an image's default (busybox `sh`) keeps the fixed timing below.
    const byProcess = !!this.deps.containers && explicit;
    if (this.deps.containers) this.runProcess(key, runtime, updated, ref, byProcess ? 1000 : undefined);
    this.startProbes(key, runtime, updated, ref, false);
    if (exits && !byProcess) this.later(key, runtime, exits.runsMs, (p) => this.containerExited(key, runtime, p, ref, exits.exitCode), container.name);
    this.advance(key, runtime);
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
  private runProcess(key: string, runtime: PodRuntime, pod: Pod, ref: ContainerRef, minMs?: number): void {
    const startedAt = this.deps.clock.now();
    this.deps.containers?.start(pod, specOf(pod, ref)?.name ?? "", (code, reason) => {
      if (minMs === undefined && !reason) return;
      this.deps.clock.schedule(Math.max(0, startedAt + (minMs ?? 0) - this.deps.clock.now()), () => {
        const p = this.current(key);
        if (p && p.metadata.uid === runtime.uid && !runtime.terminating) this.containerExited(key, runtime, p, ref, code, { reason });
      });
    });
  }

  /** Probe workers for the container just started (or restored, already past its startup probe). */
  private startProbes(key: string, runtime: PodRuntime, pod: Pod, ref: ContainerRef, alreadyStarted: boolean): void {
    const container = specOf(pod, ref) as Container;
    if (!hasProbes(container)) return;
    const containerID = statusOf(pod, ref)?.containerID;
    const fieldPath = fieldPathOf(ref, container.name);
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
        settled: (kind, ok) => this.probeSettled(key, runtime, ref, containerID, kind, ok),
      },
      alreadyStarted,
    );
    runtime.probes.get(container.name)?.stop();
    runtime.probes.set(container.name, probes);
  }

  /**
   * A probe's result changed: readiness and startup update the status (a
   * sidecar that has started lets the next init container go); a failed
   * liveness or startup probe kills the container.
   */
  private probeSettled(key: string, runtime: PodRuntime, ref: ContainerRef, containerID: string | undefined, kind: ProbeKind, ok: boolean): void {
    const pod = this.current(key);
    if (!pod || pod.metadata.uid !== runtime.uid || runtime.terminating) return;
    const status = statusOf(pod, ref);
    if (!status?.state?.running || status.containerID !== containerID) return;
    const container = specOf(pod, ref) as Container;
    if (!ok && kind !== "readiness") {
      this.killUnhealthy(key, runtime, pod, ref, kind);
      return;
    }
    const now = timestamp(this.deps.clock.now());
    this.updateStatus(pod, (p) => {
      const cs = statusOf(p, ref);
      if (!cs) return;
      if (kind === "startup") {
        cs.started = true;
        cs.ready = !probeOf(container, "readiness");
      } else cs.ready = ok && cs.started === true;
      refreshPodStatus(p, now);
    });
    if (kind === "startup") this.advance(key, runtime);
  }

  /**
   * Stop a container that failed its liveness or startup probe, as the kubelet
   * does: SIGTERM, then SIGKILL after the grace period (the probe's own, else
   * the pod's; at least 2 s) if its PID 1 ignores SIGTERM. It then restarts
   * (with back-off) unless the restart policy is Never.
   */
  private killUnhealthy(key: string, runtime: PodRuntime, pod: Pod, ref: ContainerRef, kind: "liveness" | "startup"): void {
    const container = specOf(pod, ref) as Container;
    const restart = isSidecar(container) || (pod.spec.restartPolicy ?? "Always") !== "Never";
    this.event(pod, { type: "Normal", reason: "Killing", message: `Container ${container.name} failed ${kind} probe${restart ? ", will be restarted" : ""}`, fieldPath: fieldPathOf(ref, container.name) });
    const graceSeconds = Math.max(2, probeOf(container, kind)?.terminationGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30);
    const stubborn = ignoresSigterm(container);
    this.later(
      key,
      runtime,
      stubborn ? graceSeconds * 1000 : Math.min(KUBELET_DELAYS.stop, graceSeconds * 1000),
      (p) => {
        const exitCode = stubborn ? 137 : 0;
        this.deps.containers?.container(p, container.name)?.stop(exitCode);
        this.containerExited(key, runtime, p, ref, exitCode, { probeKill: true });
      },
      container.name,
    );
  }

  /**
   * The container's process ended with `exitCode`: its status shows the
   * terminated state (Error, Completed, OOMKilled) for a moment. The first exit
   * restarts then; later ones move to CrashLoopBackOff and wait out a doubling
   * back-off, unless it is not to restart (`restartsAfter`). An init container
   * that exited 0 lets the next one go.
   */
  private containerExited(key: string, runtime: PodRuntime, pod: Pod, ref: ContainerRef, exitCode = 0, details: ExitDetails = {}): void {
    const container = specOf(pod, ref) as Container;
    const { startError } = details;
    // Ended already (a probe kill and the process's own exit can both arrive).
    if (!statusOf(pod, ref)?.state?.running && startError === undefined) return;
    runtime.probes.get(container.name)?.stop();
    runtime.probes.delete(container.name);
    const finished = timestamp(this.deps.clock.now());
    const restart = restartsAfter(pod, ref, exitCode, details.probeKill === true);
    const previous = runtime.crashBackOff.get(container.name);
    const backoff = previous === undefined ? 0 : Math.min(Math.max(previous * 2, BACKOFF_START), BACKOFF_MAX);
    runtime.crashBackOff.set(container.name, backoff);
    const updated = this.updateStatus(pod, (p) => {
      const cs = statusOf(p, ref);
      if (!cs) return;
      // A regular init container that exited 0 is done, and so counts as ready.
      cs.ready = ref.init && !isSidecar(container) && exitCode === 0;
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
      refreshPodStatus(p, finished);
    });
    if (!updated) return;
    if (!restart) {
      this.finishedFor(key, runtime, updated);
      return;
    }
    const fieldPath = fieldPathOf(ref, container.name);
    const restartNow = (p: Pod): void => {
      const restarted = this.updateStatus(p, (q) => {
        const cs = statusOf(q, ref);
        if (!cs) return;
        cs.restartCount += 1;
        if (cs.state?.terminated) cs.lastState = { terminated: cs.state.terminated };
      });
      if (restarted) this.pull(key, runtime, restarted, ref);
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
          const cs = statusOf(q, ref);
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

  /**
   * A container stopped for good: an init container that exited 0 lets the
   * next one start; a pod that is over (an init container failed under Never,
   * or every app container has ended and none restarts) has its sidecars
   * stopped.
   */
  private finishedFor(key: string, runtime: PodRuntime, pod: Pod): void {
    const appsDone = (pod.status?.containerStatuses ?? []).every((s) => s.state?.terminated && !runtime.timers.has(s.name));
    if (pod.status?.phase === "Failed" || (appsDone && (pod.spec.restartPolicy ?? "Always") !== "Always")) this.stopSidecars(key, runtime, pod);
    else this.advance(key, runtime);
  }

  /** Stop the pod's running sidecars (Killing), as the kubelet does once the rest of the pod has finished. */
  private stopSidecars(key: string, runtime: PodRuntime, pod: Pod): void {
    for (const { ref, spec } of containerRefs(pod)) {
      if (!ref.init || !isSidecar(spec) || !statusOf(pod, ref)?.state?.running) continue;
      runtime.probes.get(spec.name)?.stop();
      runtime.probes.delete(spec.name);
      this.event(pod, { type: "Normal", reason: "Killing", message: `Stopping container ${spec.name}`, fieldPath: fieldPathOf(ref, spec.name) });
      const stubborn = ignoresSigterm(spec);
      const graceMs = (pod.spec.terminationGracePeriodSeconds ?? 30) * 1000;
      this.later(
        key,
        runtime,
        stubborn ? graceMs : Math.min(KUBELET_DELAYS.stop, graceMs),
        (p) => {
          const exitCode = stubborn ? 137 : 0;
          this.deps.containers?.container(p, spec.name)?.stop(exitCode);
          const now = timestamp(this.deps.clock.now());
          this.updateStatus(p, (q) => {
            const cs = statusOf(q, ref);
            if (!cs?.state?.running) return;
            cs.state = { terminated: { exitCode, reason: exitCode ? "Error" : "Completed", startedAt: cs.state.running.startedAt, finishedAt: now, containerID: cs.containerID } };
            cs.ready = false;
            cs.started = false;
            refreshPodStatus(q, now);
          });
        },
        spec.name,
      );
    }
  }

  private terminate(key: string, runtime: PodRuntime, pod: Pod): void {
    runtime.terminating = true;
    halt(runtime);
    // App containers first, then sidecars in reverse order, as the kubelet stops them.
    const refs = containerRefs(pod);
    const order = [...refs.filter(({ ref }) => !ref.init), ...refs.filter(({ ref }) => ref.init).reverse()];
    const running = order.filter(({ ref }) => statusOf(pod, ref)?.state?.running).map(({ ref, spec }) => ({ ref, spec }));
    for (const { ref, spec } of running) this.event(pod, { type: "Normal", reason: "Killing", message: `Stopping container ${spec.name}`, fieldPath: fieldPathOf(ref, spec.name) });
    const graceMs = (pod.metadata.deletionGracePeriodSeconds ?? 30) * 1000;
    const stubborn = running.some(({ spec }) => ignoresSigterm(spec));
    const delay = running.length === 0 ? 0 : stubborn ? graceMs : Math.min(KUBELET_DELAYS.stop, graceMs);
    const finish = (): void => {
      this.deps.containers?.stopPod(runtime.uid);
      const now = timestamp(this.deps.clock.now());
      const stopped = this.updateStatus(pod, (p) => {
        let failed = false;
        let stoppedAny = false;
        for (const { ref } of running) {
          const cs = statusOf(p, ref);
          if (!cs?.state?.running) continue;
          const exitCode = stubborn ? 137 : 0;
          // Sidecars' exits do not decide the phase.
          failed ||= !ref.init && exitCode !== 0;
          stoppedAny = true;
          cs.state = { terminated: { exitCode, reason: exitCode ? "Error" : "Completed", startedAt: cs.state.running.startedAt, finishedAt: now, containerID: cs.containerID } };
          cs.ready = false;
          cs.started = false;
        }
        // A pod that already finished keeps its phase.
        const status = (p.status ??= {});
        if (stoppedAny || (status.phase !== "Succeeded" && status.phase !== "Failed")) status.phase = failed ? "Failed" : "Succeeded";
        refreshPodStatus(p, now);
      });
      if (stopped) this.deps.service.delete(this.podType, pod.metadata.namespace, pod.metadata.name ?? "", { gracePeriodSeconds: 0 });
      this.runtimes.delete(key);
    };
    runtime.timers.set(POD_SLOT, this.deps.clock.schedule(delay, finish));
  }

  /** The next free address in this node's pod subnet (.1 is the bridge). */
  private allocateIP(): string {
    const base = this.config.podCIDR.split(".").slice(0, 3).join(".");
    const used = new Set<string | undefined>();
    for (const runtime of this.runtimes.values()) used.add(runtime.ip);
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

/**
 * Whether a container that ended restarts: a sidecar always; another init
 * container after a failure unless the policy is Never; an app container
 * under Always, or OnFailure after a failure or a probe kill.
 */
function restartsAfter(pod: Pod, ref: ContainerRef, exitCode: number, probeKill: boolean): boolean {
  const container = specOf(pod, ref);
  const policy = pod.spec.restartPolicy ?? "Always";
  if (ref.init) return (container !== undefined && isSidecar(container)) || (exitCode !== 0 && policy !== "Never");
  return policy === "Always" || (policy === "OnFailure" && (exitCode !== 0 || probeKill));
}
