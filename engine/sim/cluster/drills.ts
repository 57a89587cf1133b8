// Failure drills a lesson can script against a learner's cluster:
// - nodeDown / nodeUp: the node's kubelet stops (no heartbeats, no pod work)
//   and starts again; the node-lifecycle controller does the rest;
// - stopComponent / startComponent("kube-scheduler" | "kube-controller-manager"):
//   the component stops and its static pod <component>-<cp> shows
//   CrashLoopBackOff, 0/1 ready; started again the pod is Running with one
//   more restart. Without the scheduler new pods stay Pending without events;
//   without the controller manager nothing reconciles (a scaled Deployment
//   gets no new pods, deleted pods are not replaced) until it is back;
// - fillNode: a pod pinned to the node requesting what is left of its
//   allocatable cpu and memory, so new pods with requests no longer fit;
// - setTimeScale: the cluster's clock runs faster (ScaledClock);
// - joinWorker: a new worker node joins (lessons that need more nodes,
//   through ClusterDriver.ensureShape).
import type { ScaledClock } from "../../clock";
import type { ResourceService } from "../apiserver/service";
import type { Kubelet } from "../kubelet/kubelet";
import type { NodeHeartbeat } from "../kubelet/heartbeat";
import type { NodeConfig } from "../kubelet/node";
import { timestamp, type Registry, type ResourceType } from "../registry";
import { nodeInfos } from "../scheduler/framework";
import { formatMillis } from "../scheduler/quantity";
import type { Node, Pod } from "../types";
import type { ContainerRuntime } from "../container/runtime";

export type DrillComponent = "kube-scheduler" | "kube-controller-manager";

export interface Restartable {
  start(): void;
  stop(): void;
  readonly running: boolean;
}

export interface DrillDeps {
  service: ResourceService;
  registry: Registry;
  clock: ScaledClock;
  nodes: NodeConfig[];
  /** The live kubelets, replaced in place when a node comes back. */
  kubelets: Kubelet[];
  heartbeats: NodeHeartbeat[];
  newKubelet(config: NodeConfig): Kubelet;
  newHeartbeat(config: NodeConfig): NodeHeartbeat;
  components: Record<DrillComponent, Restartable>;
  /** The container runtime: a component's restart is a new container (fresh start-up log, the old one as `--previous`). */
  containers?: ContainerRuntime;
  /** Called when a node's kubelet is back (it posts its static pods' mirror pods again). */
  onNodeUp?(node: string): void;
}

export interface FillOptions {
  /** Share of the node's free cpu and memory to take (0..1], default 1. */
  fraction?: number;
  namespace?: string;
  name?: string;
}

export class Drills {
  private readonly pods: ResourceType;
  private readonly nodeType: ResourceType;

  constructor(private readonly deps: DrillDeps) {
    this.pods = deps.registry.find("", "v1", "pods") as ResourceType;
    this.nodeType = deps.registry.find("", "v1", "nodes") as ResourceType;
  }

  private index(node: string): number {
    const i = this.deps.nodes.findIndex((n) => n.name === node);
    if (i < 0) throw new Error(`no node named ${node}`);
    return i;
  }

  /** Whether the node's kubelet is up. */
  isNodeUp(node: string): boolean {
    return this.deps.heartbeats[this.index(node)]?.running ?? false;
  }

  /** Names of the worker nodes, in join order. */
  get workers(): string[] {
    return this.deps.nodes.filter((n) => !n.controlPlane).map((n) => n.name);
  }

  /**
   * A new worker joins, as after `kubeadm join`: node<NN> with the next
   * address and pod subnet registers itself, heartbeats and takes pods
   * (DaemonSets such as kube-proxy put theirs on it). Returns its name.
   */
  joinWorker(): string {
    const config = nextWorker(this.deps.nodes);
    this.deps.nodes.push(config);
    const kubelet = this.deps.newKubelet(config);
    const heartbeat = this.deps.newHeartbeat(config);
    this.deps.kubelets.push(kubelet);
    this.deps.heartbeats.push(heartbeat);
    kubelet.register();
    kubelet.start();
    heartbeat.start();
    return config.name;
  }

  /** The node's kubelet stops: no Lease renewals, no status, no pod work. */
  nodeDown(node: string): void {
    const i = this.index(node);
    this.deps.heartbeats[i]?.stop();
    this.deps.kubelets[i]?.stop();
  }

  /** A fresh kubelet for the node: heartbeats again (Ready, NodeReady) and it takes up its pods. */
  nodeUp(node: string): void {
    const i = this.index(node);
    if (this.deps.heartbeats[i]?.running) return;
    const config = this.deps.nodes[i] as NodeConfig;
    const kubelet = this.deps.newKubelet(config);
    this.deps.kubelets[i] = kubelet;
    kubelet.start();
    this.deps.heartbeats[i]?.start();
    this.deps.onNodeUp?.(config.name);
  }

  isRunning(component: DrillComponent): boolean {
    return this.deps.components[component].running;
  }

  /** Stop a control-plane component; its static pod in kube-system shows it crashing. */
  stopComponent(component: DrillComponent): void {
    const c = this.deps.components[component];
    if (!c.running) return;
    c.stop();
    this.staticPod(component, false);
  }

  startComponent(component: DrillComponent): void {
    const c = this.deps.components[component];
    if (c.running) return;
    this.staticPod(component, true);
    c.start();
  }

  private staticPod(component: DrillComponent, running: boolean): void {
    const { service, clock } = this.deps;
    const cp = this.deps.nodes.find((n) => n.controlPlane) ?? this.deps.nodes[0];
    const name = `${component}-${cp?.name ?? ""}`;
    if (!service.find(this.pods, "kube-system", name)) return;
    const now = timestamp(clock.now());
    service.mutate(this.pods, "kube-system", name, (o) => {
      const pod = o as Pod;
      for (const cs of pod.status?.containerStatuses ?? []) {
        if (running) {
          if (cs.state?.terminated) cs.lastState = { terminated: cs.state.terminated };
          cs.restartCount += 1;
          cs.state = { running: { startedAt: now } };
          cs.ready = true;
          cs.started = true;
        } else {
          const startedAt = cs.state?.running?.startedAt ?? now;
          cs.lastState = { terminated: { exitCode: 1, reason: "Error", startedAt, finishedAt: now, containerID: cs.containerID } };
          cs.state = { waiting: { reason: "CrashLoopBackOff", message: `back-off 10s restarting failed container=${cs.name} pod=${name}_kube-system(${pod.metadata.uid ?? ""})` } };
          cs.ready = false;
          cs.started = false;
        }
      }
      for (const c of pod.status?.conditions ?? []) {
        if (c.type !== "Ready" && c.type !== "ContainersReady") continue;
        c.status = running ? "True" : "False";
        c.lastTransitionTime = now;
        if (running) {
          delete c.reason;
          delete c.message;
        } else {
          c.reason = "ContainersNotReady";
          c.message = `containers with unready status: [${component}]`;
        }
      }
    }, { subresource: "status" });
    const pod = service.find(this.pods, "kube-system", name) as Pod;
    if (running) this.deps.containers?.start(pod, component, () => undefined);
    else this.deps.containers?.crash(pod, component, 1);
  }

  /** Pin a pod to `node` that requests `fraction` of its free cpu and memory (the pause image). Returns its name. */
  fillNode(node: string, options: FillOptions = {}): string {
    const { service } = this.deps;
    const fraction = Math.min(1, Math.max(0, options.fraction ?? 1));
    const target = service.get(this.nodeType, undefined, node) as Node;
    const info = nodeInfos([target], service.list(this.pods, undefined).items as Pod[])[0];
    if (!info) throw new Error(`no node named ${node}`);
    const cpu = Math.max(0, Math.floor((info.allocatable.cpu - info.requested.cpu) * fraction));
    const memoryMi = Math.max(0, Math.floor(((info.allocatable.memory - info.requested.memory) * fraction) / (1024 * 1024)));
    const name = options.name ?? `hog-${node}`;
    const namespace = options.namespace ?? "default";
    const resources = { requests: { cpu: formatMillis(cpu), memory: `${memoryMi}Mi` }, limits: { cpu: formatMillis(cpu), memory: `${memoryMi}Mi` } };
    service.create(this.pods, namespace, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace, labels: { app: "hog" } },
      spec: { nodeName: node, containers: [{ name: "hog", image: "registry.k8s.io/pause:3.10", resources }] },
    });
    return name;
  }

  get timeScale(): number {
    return this.deps.clock.factor;
  }

  /** Run the cluster's clock `factor` times faster (1 = real time). */
  setTimeScale(factor: number): void {
    this.deps.clock.setFactor(factor);
  }
}

/** The next worker after `nodes`: node01, node02, ... with the next free address and /24 pod subnet. */
export function nextWorker(nodes: readonly NodeConfig[]): NodeConfig {
  const taken = (values: (string | undefined)[]): number => Math.max(...values.map((v) => Number(v ?? 0)));
  const workers = nodes.filter((n) => !n.controlPlane);
  const number = taken(workers.map((n) => /^node(\d+)$/.exec(n.name)?.[1])) + 1;
  const host = Math.max(1, taken(workers.map((n) => /^172\.30\.2\.(\d+)$/.exec(n.internalIP)?.[1]))) + 1;
  const subnet = taken(nodes.map((n) => /^10\.244\.(\d+)\.0\/24$/.exec(n.podCIDR)?.[1])) + 1;
  return { name: `node${String(number).padStart(2, "0")}`, controlPlane: false, internalIP: `172.30.2.${host}`, podCIDR: `10.244.${subnet}.0/24` };
}
