// The control-plane kubelet's static pods. kubeadm writes their manifests to
// /etc/kubernetes/manifests; the kubelet runs them whatever the API server
// says and posts a mirror pod for each (`<component>-<node>` in kube-system,
// annotated `kubernetes.io/config.source: file` and `config.mirror`, owned by
// the Node). Deleting a mirror pod does not stop the static pod: the kubelet
// removes it at once and posts a fresh one (new uid and age, same containers
// and status). This stands in for that part of the kubelet; the mirror pods
// themselves are seeded by bootstrap.ts.
import type { ResourceService } from "../apiserver/service";
import type { Clock } from "../../clock";
import type { NodeConfig } from "../kubelet/node";
import type { Registry, ResourceType } from "../registry";
import type { Watch } from "../store/store";
import type { Pod } from "../types";
import { controlPlaneNode, runningStatus, staticPods, withOwnerUid } from "./bootstrap";

const NS = "kube-system";

export interface StaticPodDeps {
  service: ResourceService;
  registry: Registry;
  clock: Clock;
  nodes: NodeConfig[];
  clusterSeed: string;
  /** Whether the node's kubelet runs (a stopped kubelet posts nothing: the mirror stays Terminating). */
  isNodeUp(node: string): boolean;
}

export class StaticPods {
  private readonly pods: ResourceType;
  private readonly nodeType: ResourceType;
  private readonly node: NodeConfig;
  private watch?: Watch;

  constructor(private readonly deps: StaticPodDeps) {
    this.pods = deps.registry.find("", "v1", "pods") as ResourceType;
    this.nodeType = deps.registry.find("", "v1", "nodes") as ResourceType;
    this.node = controlPlaneNode(deps.nodes);
  }

  private manifest(name: string): Pod | undefined {
    return staticPods(this.deps.nodes, this.deps.clock.now()).find((p) => p.metadata.name === name);
  }

  start(): void {
    const names = new Set(staticPods(this.deps.nodes, 0).map((p) => p.metadata.name));
    // Synchronously in the watch, before the kubelet's queue sees the deletion:
    // the static pod's containers are not stopped for a mirror pod's sake.
    this.watch = this.deps.service.store.watch(`/core/pods/${NS}/`, undefined, (event) => {
      const pod = event.object as Pod;
      if (!names.has(pod.metadata.name) || !this.deps.isNodeUp(this.node.name)) return;
      if (event.type === "DELETED") this.post(pod.metadata.name ?? "", pod);
      else if (pod.metadata.deletionTimestamp) this.deps.service.delete(this.pods, NS, pod.metadata.name ?? "", { gracePeriodSeconds: 0 });
    });
    this.sync();
  }

  stop(): void {
    this.watch?.stop();
    this.watch = undefined;
  }

  /** Post missing mirror pods and replace ones being deleted (at start, and when the node's kubelet is back). */
  sync(): void {
    if (!this.deps.isNodeUp(this.node.name)) return;
    for (const manifest of staticPods(this.deps.nodes, this.deps.clock.now())) {
      const name = manifest.metadata.name ?? "";
      const current = this.deps.service.find(this.pods, NS, name);
      if (!current) this.post(name, undefined);
      else if (current.metadata.deletionTimestamp) this.deps.service.delete(this.pods, NS, name, { gracePeriodSeconds: 0 });
    }
  }

  /** A fresh mirror pod for `name`, carrying the status (and first-seen time) of the one it replaces. */
  private post(name: string, last: Pod | undefined): void {
    const manifest = this.manifest(name);
    if (!manifest || this.deps.service.find(this.pods, NS, name)) return;
    const nodeUid = this.deps.service.find(this.nodeType, undefined, this.node.name)?.metadata.uid ?? "";
    const pod = withOwnerUid(manifest, nodeUid);
    const seen = last?.metadata.annotations?.["kubernetes.io/config.seen"];
    if (seen && pod.metadata.annotations) pod.metadata.annotations["kubernetes.io/config.seen"] = seen;
    const running = runningStatus(pod, this.node, this.deps.clock.now(), this.deps.clusterSeed);
    const status = last?.status ?? running;
    const adoptable = (status.containerStatuses ?? []).every((s) => s.state?.running);
    const created = this.deps.service.create(this.pods, NS, pod);
    this.deps.service.update(this.pods, NS, name, { ...created, status: adoptable ? status : running }, { subresource: "status" });
    if (adoptable) return;
    // The node's kubelet takes up a pod whose containers run (its queue drains first);
    // then the static pod's real state (crashing, say) is posted, as the status manager does.
    queueMicrotask(() => {
      this.deps.service.mutate(this.pods, NS, name, (p) => {
        if (p.metadata.uid === created.metadata.uid) p.status = status;
      }, { subresource: "status" });
    });
  }
}
