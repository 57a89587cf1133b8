// The namespace side of the controller manager: every namespace gets its
// `default` ServiceAccount and `kube-root-ca.crt` ConfigMap (the
// serviceaccount and root-ca-cert-publisher controllers), and a namespace
// marked for deletion is emptied and then removed (the namespace controller).
import type { Clock } from "../../clock";
import type { ResourceService } from "../apiserver/service";
import type { Registry, ResourceType } from "../registry";
import type { Watch } from "../store/store";
import { WorkQueue } from "./workqueue";

export const ROOT_CA_PEM = [
  "-----BEGIN CERTIFICATE-----",
  "MIIDBTCCAe2gAwIBAgIIU2ltdWxhdGVkMA0GCSqGSIb3DQEBCwUAMBUxEzARBgNV",
  "BAMTCmt1YmVybmV0ZXMwHhcNMjUwMTAxMDAwMDAwWhcNMzUwMTAxMDAwMDAwWjAV",
  "MRMwEQYDVQQDEwprdWJlcm5ldGVzMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIB",
  "-----END CERTIFICATE-----",
  "",
].join("\n");

export class NamespaceController {
  private readonly queue: WorkQueue;
  private watch?: Watch;
  private readonly namespaces: ResourceType;

  constructor(
    private readonly service: ResourceService,
    private readonly registry: Registry,
    clock: Clock,
  ) {
    this.namespaces = registry.find("", "v1", "namespaces") as ResourceType;
    this.queue = new WorkQueue(clock, (name) => this.reconcile(name));
  }

  start(): void {
    this.watch = this.service.store.watch("/", undefined, (event) => {
      if (event.key.startsWith("/core/namespaces/")) {
        if (event.type !== "DELETED") this.queue.add(event.object.metadata.name ?? "");
      } else if (event.type === "DELETED" && event.object.metadata.namespace) {
        // The last object leaving a terminating namespace lets the namespace go.
        this.queue.add(event.object.metadata.namespace);
      }
    });
    for (const ns of this.service.list(this.namespaces, undefined).items) this.queue.add(ns.metadata.name ?? "");
  }

  stop(): void {
    this.watch?.stop();
    this.queue.dispose();
  }

  /** Create what every namespace holds (also used while bootstrapping, before the loop runs). */
  populate(namespace: string): void {
    const sa = this.registry.find("", "v1", "serviceaccounts") as ResourceType;
    const cm = this.registry.find("", "v1", "configmaps") as ResourceType;
    if (!this.service.find(sa, namespace, "default")) {
      this.service.create(sa, namespace, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default" } });
    }
    if (!this.service.find(cm, namespace, "kube-root-ca.crt")) {
      this.service.create(cm, namespace, {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "kube-root-ca.crt", annotations: { "kubernetes.io/description": "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters." } },
        data: { "ca.crt": ROOT_CA_PEM },
      });
    }
  }

  private reconcile(name: string): void {
    const ns = this.service.find(this.namespaces, undefined, name);
    if (!ns) return;
    if (!ns.metadata.deletionTimestamp) {
      this.populate(name);
      return;
    }
    let remaining = 0;
    for (const type of this.registry.types) {
      if (!type.namespaced) continue;
      for (const object of this.service.list(type, name).items) {
        remaining++;
        if (!object.metadata.deletionTimestamp) this.service.delete(type, name, object.metadata.name ?? "");
      }
    }
    // Pods still shutting down keep the namespace Terminating; their deletion re-queues it.
    if (remaining === 0) this.service.store.delete(this.registry.key(this.namespaces, undefined, name));
  }
}
