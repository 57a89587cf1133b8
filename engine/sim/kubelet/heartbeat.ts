// A kubelet's heartbeats, on the injected clock: it renews its Lease in
// kube-node-lease every 10 s and posts the node's status (conditions with a
// fresh lastHeartbeatTime) every 5 minutes, or at once when the status must
// change (coming back after an outage: Ready True again, a NodeReady event,
// and its running pods Ready again). Stopping it is how a node "goes down":
// the node-lifecycle controller notices the silence.
import type { Clock, Timer } from "../../clock";
import type { ResourceService } from "../apiserver/service";
import type { EventRecorder } from "../controllers/events";
import { microTimestamp, timestamp, type Registry, type ResourceType } from "../registry";
import type { Condition, Node, Pod } from "../types";
import type { NodeConfig } from "./node";

export const LEASE_RENEW_INTERVAL = 10_000;
export const NODE_STATUS_REPORT_FREQUENCY = 5 * 60_000;

export interface HeartbeatDeps {
  service: ResourceService;
  registry: Registry;
  recorder: EventRecorder;
  clock: Clock;
}

const HEALTHY: Record<string, [string, string]> = {
  MemoryPressure: ["KubeletHasSufficientMemory", "kubelet has sufficient memory available"],
  DiskPressure: ["KubeletHasNoDiskPressure", "kubelet has no disk pressure"],
  PIDPressure: ["KubeletHasSufficientPID", "kubelet has sufficient PID available"],
  Ready: ["KubeletReady", "kubelet is posting ready status"],
};

export class NodeHeartbeat {
  private leaseTimer?: Timer;
  private statusTimer?: Timer;
  private readonly nodes: ResourceType;
  private readonly leases: ResourceType;
  private readonly pods: ResourceType;

  constructor(
    readonly config: NodeConfig,
    private readonly deps: HeartbeatDeps,
  ) {
    this.nodes = deps.registry.find("", "v1", "nodes") as ResourceType;
    this.leases = deps.registry.find("coordination.k8s.io", "v1", "leases") as ResourceType;
    this.pods = deps.registry.find("", "v1", "pods") as ResourceType;
  }

  get running(): boolean {
    return this.leaseTimer !== undefined;
  }

  /** Start beating: at once if the node is not Ready (coming back), else on the usual schedule (it just registered or was restored). */
  start(): void {
    if (this.running) return;
    const { service, clock } = this.deps;
    const node = service.find(this.nodes, undefined, this.config.name);
    const ready = (node?.status as Node["status"])?.conditions?.find((c) => c.type === "Ready")?.status === "True";
    const lease = service.find(this.leases, "kube-node-lease", this.config.name) as { spec?: { renewTime?: string } } | undefined;
    const renewed = Date.parse(lease?.spec?.renewTime ?? "");
    if (!ready || !(clock.now() - renewed <= LEASE_RENEW_INTERVAL)) {
      this.renewLease();
      this.postStatus();
      return;
    }
    this.leaseTimer = clock.schedule(LEASE_RENEW_INTERVAL, () => this.renewLease());
    this.statusTimer = clock.schedule(NODE_STATUS_REPORT_FREQUENCY, () => this.postStatus());
  }

  stop(): void {
    this.leaseTimer?.cancel();
    this.statusTimer?.cancel();
    this.leaseTimer = undefined;
    this.statusTimer = undefined;
  }

  private renewLease(): void {
    const { service, clock } = this.deps;
    service.mutate(this.leases, "kube-node-lease", this.config.name, (lease) => {
      (lease.spec as { renewTime?: string }).renewTime = microTimestamp(clock.now());
    });
    this.leaseTimer = clock.schedule(LEASE_RENEW_INTERVAL, () => this.renewLease());
  }

  /** Post the node status: healthy conditions with a new heartbeat; Ready coming back is a transition with its event. */
  private postStatus(): void {
    const { service, clock, recorder } = this.deps;
    const now = timestamp(clock.now());
    let cameBack = false;
    const node = service.mutate(this.nodes, undefined, this.config.name, (o) => {
      const status = ((o as Node).status ??= {});
      const conditions = (status.conditions ??= []);
      for (const [type, [reason, message]] of Object.entries(HEALTHY)) {
        const wanted = type === "MemoryPressure" || type === "DiskPressure" || type === "PIDPressure" ? "False" : "True";
        const existing = conditions.find((c) => c.type === type);
        const next: Condition = { type, status: wanted, lastHeartbeatTime: now, lastTransitionTime: existing?.status === wanted ? (existing.lastTransitionTime ?? now) : now, reason, message };
        if (type === "Ready" && existing && existing.status !== "True") cameBack = true;
        if (existing) Object.assign(existing, next);
        else conditions.push(next);
      }
    }, { subresource: "status" });
    if (node && cameBack) {
      recorder.record(node, { type: "Normal", reason: "NodeReady", message: `Node ${this.config.name} status is now: NodeReady`, component: "kubelet", host: this.config.name });
      this.podsReadyAgain();
    }
    this.statusTimer = clock.schedule(NODE_STATUS_REPORT_FREQUENCY, () => this.postStatus());
  }

  /** Pods the node controller marked not Ready while the node was silent: their containers still run ready. */
  private podsReadyAgain(): void {
    const { service, clock } = this.deps;
    const now = timestamp(clock.now());
    for (const pod of service.list(this.pods, undefined, { fieldSelector: `spec.nodeName=${this.config.name}` }).items as Pod[]) {
      const statuses = pod.status?.containerStatuses ?? [];
      const ready = pod.status?.conditions?.find((c) => c.type === "Ready");
      if (pod.metadata.deletionTimestamp || !ready || ready.status === "True" || !statuses.length || !statuses.every((s) => s.ready)) continue;
      service.mutate(this.pods, pod.metadata.namespace, pod.metadata.name ?? "", (o) => {
        for (const c of (o as Pod).status?.conditions ?? []) {
          if (c.type !== "Ready" && c.type !== "ContainersReady") continue;
          if (c.status !== "True") c.lastTransitionTime = now;
          c.status = "True";
          delete c.reason;
          delete c.message;
        }
      }, { subresource: "status" });
    }
  }
}
