// Leader election of kube-scheduler and kube-controller-manager, as their
// `--leader-elect=true` runs it: each holds a Lease named after itself in
// kube-system (holder `<node>_<uuid>`, 15 s duration) and renews it every 2 s
// while it runs. A component stopped by a drill stops renewing, so its
// renewTime goes stale; started again it is a new process with a new
// identity and takes the lease over (acquireTime, one more transition). It
// takes over at once instead of waiting out the old holder's 15 s, so that
// the drill's component works as soon as it is back.
import { newUid } from "../apiserver/uid";
import type { Clock, Timer } from "../../clock";
import type { ResourceService } from "../apiserver/service";
import { microTimestamp, type Registry, type ResourceType } from "../registry";
import type { KObject } from "../types";
import type { Restartable } from "./drills";

export const LEASE_DURATION_SECONDS = 15;
/** Upstream's retry period: the leader renews this often. */
export const LEADER_RENEW_INTERVAL = 2_000;

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface LeaderElectionDeps {
  service: ResourceService;
  registry: Registry;
  clock: Clock;
  /** The node the component runs on (the control plane): the first part of its identity. */
  node: string;
}

/** A control-plane component that holds its leader Lease while it runs. */
export class LeaderElected implements Restartable {
  private readonly leases: ResourceType;
  private identity?: string;
  private timer?: Timer;

  constructor(
    readonly name: string,
    private readonly component: Restartable,
    private readonly deps: LeaderElectionDeps,
  ) {
    this.leases = deps.registry.find("coordination.k8s.io", "v1", "leases") as ResourceType;
  }

  get running(): boolean {
    return this.component.running;
  }

  start(): void {
    if (this.component.running) return;
    this.acquire();
    this.component.start();
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.component.stop();
  }

  /**
   * Hold the lease: create it, keep it when this process already holds it (the
   * first start of a restored cluster goes on with the saved holder), or take
   * it over as a new process. Renewals follow every 2 s.
   */
  private acquire(): void {
    const held = (this.deps.service.find(this.leases, "kube-system", this.name)?.spec as LeaseSpec | undefined)?.holderIdentity;
    if (this.identity === undefined && held) this.identity = held;
    else {
      const identity = (this.identity = newIdentity(this.deps.node));
      const now = microTimestamp(this.deps.clock.now());
      this.write((spec) => {
        // A change of holder is a transition; the lease's first holder starts the count at 0.
        if (spec.holderIdentity !== identity) spec.leaseTransitions = spec.holderIdentity === undefined ? 0 : (spec.leaseTransitions ?? 0) + 1;
        Object.assign(spec, { holderIdentity: identity, leaseDurationSeconds: LEASE_DURATION_SECONDS, acquireTime: now, renewTime: now });
      });
    }
    this.timer = this.deps.clock.schedule(LEADER_RENEW_INTERVAL, () => this.renew());
  }

  private renew(): void {
    const now = microTimestamp(this.deps.clock.now());
    this.write((spec) => {
      // Deleted meanwhile: the leader makes it again, as its first acquisition.
      if (spec.holderIdentity === undefined) Object.assign(spec, { holderIdentity: this.identity, leaseDurationSeconds: LEASE_DURATION_SECONDS, acquireTime: now, leaseTransitions: 0 });
      spec.renewTime = now;
    });
    this.timer = this.deps.clock.schedule(LEADER_RENEW_INTERVAL, () => this.renew());
  }

  /** Change the lease's spec, creating the lease when there is none. */
  private write(change: (spec: LeaseSpec) => void): void {
    const { service } = this.deps;
    if (service.mutate(this.leases, "kube-system", this.name, (o) => change((o.spec ??= {})))) return;
    const spec: LeaseSpec = {};
    change(spec);
    service.create(this.leases, "kube-system", leaseObject(this.name, spec));
  }
}

/** A leader's identity, as client-go's leader election makes it: the host name and a fresh UUID. */
function newIdentity(node: string): string {
  return `${node}_${newUid()}`;
}

function leaseObject(name: string, spec: LeaseSpec): KObject {
  return { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name, namespace: "kube-system" }, spec: { ...spec } };
}
