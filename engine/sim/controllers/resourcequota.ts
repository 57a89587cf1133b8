// The ResourceQuota controller: keeps status.hard = spec.hard and status.used
// = what the namespace holds now (admission/quota.ts counts it), so `kubectl
// get quota` and `describe quota` show live usage.
import type { Clock } from "../../clock";
import type { ResourceService } from "../apiserver/service";
import { formatAmount, quotaUsage } from "../admission/quota";
import type { Registry, ResourceType } from "../registry";
import type { Watch } from "../store/store";
import type { KObject } from "../types";
import { WorkQueue } from "./workqueue";

export interface ResourceQuotaControllerDeps {
  service: ResourceService;
  registry: Registry;
  clock: Clock;
}

export class ResourceQuotaController {
  private readonly queue: WorkQueue;
  private readonly quotaType: ResourceType;
  private watch?: Watch;

  constructor(private readonly deps: ResourceQuotaControllerDeps) {
    this.quotaType = deps.registry.find("", "v1", "resourcequotas") as ResourceType;
    this.queue = new WorkQueue(deps.clock, (key) => this.reconcile(key));
  }

  start(): void {
    this.watch = this.deps.service.store.watch("/", undefined, (event) => {
      const object = event.object;
      const namespace = object.metadata.namespace;
      if (!namespace || object.kind === "Event") return;
      if (object.kind === "ResourceQuota") {
        this.queue.add(`${namespace}/${object.metadata.name ?? ""}`);
        return;
      }
      for (const quota of this.deps.service.list(this.quotaType, namespace).items) this.queue.add(`${namespace}/${quota.metadata.name ?? ""}`);
    });
    for (const quota of this.deps.service.list(this.quotaType, undefined).items) this.queue.add(`${quota.metadata.namespace ?? ""}/${quota.metadata.name ?? ""}`);
  }

  stop(): void {
    this.watch?.stop();
    this.queue.dispose();
  }

  private reconcile(key: string): void {
    const [namespace, name] = key.split("/") as [string, string];
    const quota: (KObject & { spec?: { hard?: Record<string, string> }; status?: { hard?: Record<string, string>; used?: Record<string, string> } }) | undefined = this.deps.service.find(this.quotaType, namespace, name);
    if (!quota || quota.metadata.deletionTimestamp) return;
    const hard = { ...quota.spec?.hard };
    const usage = quotaUsage(this.deps.service, this.deps.registry, namespace, hard);
    const used = Object.fromEntries(Object.keys(hard).sort().map((k) => [k, formatAmount(k, usage.get(k) ?? 0)]));
    const status = { hard, used };
    if (JSON.stringify(status) === JSON.stringify(quota.status ?? {})) return;
    try {
      this.deps.service.mutate(this.quotaType, namespace, name, (o) => {
        o.status = status;
      }, { subresource: "status" });
    } catch {
      // Deleted meanwhile.
    }
  }
}
