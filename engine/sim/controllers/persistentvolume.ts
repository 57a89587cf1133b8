// The PersistentVolume controller (binder), a dynamic provisioner for the
// seeded `standard` class (rancher.io/local-path, as kind ships it) and the
// protection finalizers' controller, after upstream's
// pkg/controller/volume/persistentvolume. A Pending claim binds to the
// smallest Available volume that matches (class, size, access modes, volume
// mode), or gets a new volume `pvc-<claim uid>` from its class's provisioner:
// at once for Immediate classes, when a pod first uses it for
// WaitForFirstConsumer ones (event WaitForFirstConsumer until then). A
// volume whose claim is gone becomes Released, and is deleted when its
// reclaim policy says Delete. Claims and volumes lose their protection
// finalizers once nothing uses them.
import type { Clock } from "../../clock";
import type { ResourceService } from "../apiserver/service";
import { PV_PROTECTION, PVC_PROTECTION } from "../admission/storage";
import type { PersistentVolume, PersistentVolumeClaim, Registry, ResourceType, StorageClass } from "../registry";
import { quantityValue } from "../scheduler/quantity";
import type { Watch } from "../store/store";
import type { KObject, Pod } from "../types";
import type { EventRecorder } from "./events";
import { WorkQueue } from "./workqueue";

const COMPONENT = "persistentvolume-controller";
const LOCAL_PATH = "rancher.io/local-path";

export interface PersistentVolumeControllerDeps {
  service: ResourceService;
  registry: Registry;
  recorder: EventRecorder;
  clock: Clock;
}

/** The claims a pod's volumes name. */
export function podClaimNames(pod: Pod): string[] {
  const volumes = (pod.spec.volumes as { persistentVolumeClaim?: { claimName?: string } }[] | undefined) ?? [];
  return volumes.map((v) => v.persistentVolumeClaim?.claimName).filter((n): n is string => !!n);
}

/**
 * For the scheduler: why a pod cannot be placed because of its claims, in
 * upstream's words (`persistentvolumeclaim "x" not found`, `pod has unbound
 * immediate PersistentVolumeClaims`), or undefined when its claims are fine
 * (bound, or waiting for this pod under WaitForFirstConsumer).
 */
export function podVolumeClaimProblem(service: ResourceService, registry: Registry, pod: Pod): string | undefined {
  const claims = registry.find("", "v1", "persistentvolumeclaims") as ResourceType;
  const classes = registry.find("storage.k8s.io", "v1", "storageclasses") as ResourceType;
  for (const name of podClaimNames(pod)) {
    const claim: PersistentVolumeClaim | undefined = service.find(claims, pod.metadata.namespace, name);
    if (!claim) return `persistentvolumeclaim "${name}" not found`;
    if (claim.metadata.deletionTimestamp) return `persistentvolumeclaim "${name}" is being deleted`;
    if (claim.status?.phase === "Bound") continue;
    const found: StorageClass | undefined = claim.spec?.storageClassName ? service.find(classes, undefined, claim.spec.storageClassName) : undefined;
    const cls = found;
    if (cls?.volumeBindingMode === "WaitForFirstConsumer") continue;
    return "pod has unbound immediate PersistentVolumeClaims";
  }
  return undefined;
}

const ACTIVE = (pod: Pod): boolean => pod.status?.phase !== "Succeeded" && pod.status?.phase !== "Failed";

export class PersistentVolumeController {
  private readonly claimQueue: WorkQueue;
  private readonly volumeQueue: WorkQueue;
  private readonly claimType: ResourceType;
  private readonly volumeType: ResourceType;
  private readonly classType: ResourceType;
  private readonly podType: ResourceType;
  private watches: Watch[] = [];

  constructor(private readonly deps: PersistentVolumeControllerDeps) {
    this.claimType = deps.registry.find("", "v1", "persistentvolumeclaims") as ResourceType;
    this.volumeType = deps.registry.find("", "v1", "persistentvolumes") as ResourceType;
    this.classType = deps.registry.find("storage.k8s.io", "v1", "storageclasses") as ResourceType;
    this.podType = deps.registry.find("", "v1", "pods") as ResourceType;
    this.claimQueue = new WorkQueue(deps.clock, (key) => this.reconcileClaim(key));
    this.volumeQueue = new WorkQueue(deps.clock, (key) => this.reconcileVolume(key));
  }

  start(): void {
    const { store } = this.deps.service;
    const key = (o: KObject): string => `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;
    this.watches.push(
      store.watch(this.deps.registry.key(this.claimType), undefined, (event) => {
        this.claimQueue.add(key(event.object));
        const volume = (event.object as PersistentVolumeClaim).spec?.volumeName;
        if (event.type === "DELETED") this.enqueueVolumesOf(event.object);
        else if (volume) this.volumeQueue.add(volume);
      }),
      store.watch(this.deps.registry.key(this.volumeType), undefined, (event) => {
        this.volumeQueue.add(event.object.metadata.name ?? "");
        // A volume that became Available may satisfy a waiting claim.
        if ((event.object as PersistentVolume).status?.phase === "Available") this.enqueuePendingClaims();
      }),
      store.watch(this.deps.registry.key(this.podType), undefined, (event) => {
        for (const p of [event.object, event.previous]) {
          if (p) for (const claim of podClaimNames(p as Pod)) this.claimQueue.add(`${p.metadata.namespace ?? ""}/${claim}`);
        }
      }),
    );
    for (const claim of this.deps.service.list(this.claimType, undefined).items) this.claimQueue.add(key(claim));
    for (const volume of this.deps.service.list(this.volumeType, undefined).items) this.volumeQueue.add(volume.metadata.name ?? "");
  }

  stop(): void {
    for (const w of this.watches) w.stop();
    this.watches = [];
    this.claimQueue.dispose();
    this.volumeQueue.dispose();
  }

  private enqueuePendingClaims(): void {
    for (const claim of this.deps.service.list(this.claimType, undefined).items as PersistentVolumeClaim[]) {
      if (claim.status?.phase === "Pending") this.claimQueue.add(`${claim.metadata.namespace ?? ""}/${claim.metadata.name ?? ""}`);
    }
  }

  private enqueueVolumesOf(claim: KObject): void {
    for (const pv of this.deps.service.list(this.volumeType, undefined).items as PersistentVolume[]) {
      if (pv.spec?.claimRef?.uid === claim.metadata.uid) this.volumeQueue.add(pv.metadata.name ?? "");
    }
  }

  private podsUsing(claim: PersistentVolumeClaim): Pod[] {
    return (this.deps.service.list(this.podType, claim.metadata.namespace).items as Pod[]).filter((p) => ACTIVE(p) && podClaimNames(p).includes(claim.metadata.name ?? ""));
  }

  private removeFinalizer(type: ResourceType, namespace: string | undefined, name: string, finalizer: string): void {
    try {
      this.deps.service.mutate(type, namespace, name, (o) => {
        const rest = (o.metadata.finalizers ?? []).filter((f) => f !== finalizer);
        if (rest.length) o.metadata.finalizers = rest;
        else delete o.metadata.finalizers;
      });
    } catch {
      // Gone already.
    }
  }

  private reconcileClaim(key: string): void {
    const [namespace, name] = key.split("/") as [string, string];
    const claim: PersistentVolumeClaim | undefined = this.deps.service.find(this.claimType, namespace, name);
    if (!claim) return;
    if (claim.metadata.deletionTimestamp) {
      if (claim.metadata.finalizers?.includes(PVC_PROTECTION) && !this.podsUsing(claim).length) this.removeFinalizer(this.claimType, namespace, name, PVC_PROTECTION);
      return;
    }
    if (claim.status?.phase === "Bound") return;
    const wanted = claim.spec?.volumeName;
    if (wanted) {
      const pv: PersistentVolume | undefined = this.deps.service.find(this.volumeType, undefined, wanted);
      if (pv && (!pv.spec?.claimRef?.name || (pv.spec.claimRef.name === name && pv.spec.claimRef.namespace === namespace))) this.bind(claim, pv);
      return;
    }
    const match = this.findVolume(claim);
    if (match) {
      this.bind(claim, match);
      return;
    }
    const className = claim.spec?.storageClassName;
    const cls: StorageClass | undefined = className ? this.deps.service.find(this.classType, undefined, className) : undefined;
    if (!cls) {
      if (className) this.event(claim, "Warning", "ProvisioningFailed", `storageclass.storage.k8s.io "${className}" not found`);
      else this.event(claim, "Normal", "FailedBinding", "no persistent volumes available for this claim and no storage class is set");
      return;
    }
    if (cls.provisioner === "kubernetes.io/no-provisioner") {
      this.event(claim, "Normal", cls.volumeBindingMode === "WaitForFirstConsumer" ? "WaitForFirstConsumer" : "FailedBinding", cls.volumeBindingMode === "WaitForFirstConsumer" ? "waiting for first consumer to be created before binding" : "no persistent volumes available for this claim and no storage class is set");
      return;
    }
    const consumer = this.podsUsing(claim)[0];
    if (cls.volumeBindingMode === "WaitForFirstConsumer" && !consumer) {
      this.event(claim, "Normal", "WaitForFirstConsumer", "waiting for first consumer to be created before binding");
      return;
    }
    this.provision(claim, cls, consumer?.spec.nodeName);
  }

  private event(object: KObject, type: "Normal" | "Warning", reason: string, message: string, component = COMPONENT): void {
    this.deps.recorder.record(object, { type, reason, message, component });
  }

  /** The smallest Available volume matching the claim (upstream's findBestMatchForClaim). */
  private findVolume(claim: PersistentVolumeClaim): PersistentVolume | undefined {
    const request = quantityValue(claim.spec?.resources?.requests?.storage ?? "0");
    const modes = claim.spec?.accessModes ?? [];
    const className = claim.spec?.storageClassName ?? "";
    const candidates = (this.deps.service.list(this.volumeType, undefined).items as PersistentVolume[]).filter((pv) => {
      if (pv.metadata.deletionTimestamp || pv.status?.phase !== "Available") return false;
      const ref = pv.spec?.claimRef;
      if (ref?.name && !(ref.name === claim.metadata.name && ref.namespace === claim.metadata.namespace)) return false;
      if ((pv.spec?.storageClassName ?? "") !== className) return false;
      if ((pv.spec?.volumeMode ?? "Filesystem") !== (claim.spec?.volumeMode ?? "Filesystem")) return false;
      if (!modes.every((m) => pv.spec?.accessModes?.includes(m))) return false;
      return quantityValue(pv.spec?.capacity?.storage ?? "0") >= request;
    });
    candidates.sort((a, b) => quantityValue(a.spec?.capacity?.storage ?? "0") - quantityValue(b.spec?.capacity?.storage ?? "0"));
    return candidates[0];
  }

  private provision(claim: PersistentVolumeClaim, cls: StorageClass, node: string | undefined): void {
    const { service } = this.deps;
    const provisioner = cls.provisioner ?? "";
    const name = `pvc-${claim.metadata.uid ?? ""}`;
    const namespace = claim.metadata.namespace ?? "";
    this.event(claim, "Normal", "ExternalProvisioning", `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`);
    const instance = provisioner === LOCAL_PATH ? `${provisioner}_local-path-provisioner-7dc846544d-dzqxs_5b9a8a2e-2f6e-4c4b-9f31-2a8e3e5d1c77` : provisioner;
    this.event(claim, "Normal", "Provisioning", `External provisioner is provisioning volume for claim "${namespace}/${claim.metadata.name ?? ""}"`, instance);
    const spec: Record<string, unknown> = {
      accessModes: [...(claim.spec?.accessModes ?? [])],
      capacity: { storage: claim.spec?.resources?.requests?.storage ?? "" },
      claimRef: { apiVersion: "v1", kind: "PersistentVolumeClaim", name: claim.metadata.name, namespace, resourceVersion: claim.metadata.resourceVersion, uid: claim.metadata.uid },
      persistentVolumeReclaimPolicy: cls.reclaimPolicy ?? "Delete",
      storageClassName: cls.metadata.name,
      volumeMode: claim.spec?.volumeMode ?? "Filesystem",
    };
    if (provisioner === LOCAL_PATH) {
      spec.hostPath = { path: `/var/local-path-provisioner/${name}_${namespace}_${claim.metadata.name ?? ""}`, type: "DirectoryOrCreate" };
      if (node) spec.nodeAffinity = { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [node] }] }] } };
    }
    let pv: PersistentVolume;
    try {
      const existing: PersistentVolume | undefined = service.find(this.volumeType, undefined, name);
      pv = existing ??
        (service.create(this.volumeType, undefined, {
          apiVersion: "v1",
          kind: "PersistentVolume",
          metadata: { name, annotations: { "pv.kubernetes.io/provisioned-by": provisioner, ...(node && provisioner === LOCAL_PATH ? { "local.path.provisioner/selected-node": node } : {}) } },
          spec,
        }));
    } catch (error) {
      this.event(claim, "Warning", "ProvisioningFailed", `failed to provision volume with StorageClass "${cls.metadata.name ?? ""}": ${(error as Error).message}`, instance);
      return;
    }
    this.event(claim, "Normal", "ProvisioningSucceeded", `Successfully provisioned volume ${name}`, instance);
    this.bind(claim, pv, provisioner);
  }

  private bind(claim: PersistentVolumeClaim, pv: PersistentVolume, provisioner?: string): void {
    const { service } = this.deps;
    const namespace = claim.metadata.namespace;
    const claimName = claim.metadata.name ?? "";
    const volumeName = pv.metadata.name ?? "";
    try {
      if (pv.spec?.claimRef?.uid !== claim.metadata.uid) {
        service.mutate(this.volumeType, undefined, volumeName, (o) => {
          const spec = (o.spec ??= {}) as PersistentVolume["spec"] & object;
          spec.claimRef = { apiVersion: "v1", kind: "PersistentVolumeClaim", name: claimName, namespace, resourceVersion: claim.metadata.resourceVersion, uid: claim.metadata.uid };
          o.metadata.annotations = { ...o.metadata.annotations, "pv.kubernetes.io/bound-by-controller": "yes" };
        });
      }
      service.mutate(this.volumeType, undefined, volumeName, (o) => {
        o.status = { phase: "Bound" };
      }, { subresource: "status" });
      const preBound = !!claim.spec?.volumeName;
      const bound = service.mutate(this.claimType, namespace, claimName, (o) => {
        const spec = (o.spec ??= {}) as PersistentVolumeClaim["spec"] & object;
        spec.volumeName = volumeName;
        const annotations: Record<string, string> = { ...o.metadata.annotations, "pv.kubernetes.io/bind-completed": "yes" };
        if (!preBound) annotations["pv.kubernetes.io/bound-by-controller"] = "yes";
        if (provisioner) {
          annotations["volume.beta.kubernetes.io/storage-provisioner"] = provisioner;
          annotations["volume.kubernetes.io/storage-provisioner"] = provisioner;
        }
        o.metadata.annotations = annotations;
      });
      if (!bound) return;
      const fresh = service.get(this.volumeType, undefined, volumeName) as PersistentVolume;
      service.mutate(this.claimType, namespace, claimName, (o) => {
        o.status = { phase: "Bound", accessModes: [...(fresh.spec?.accessModes ?? [])], capacity: { ...fresh.spec?.capacity } };
      }, { subresource: "status" });
    } catch (error) {
      this.event(claim, "Warning", "FailedBinding", `Failed to bind volume ${volumeName}: ${(error as Error).message}`);
    }
  }

  private reconcileVolume(name: string): void {
    const { service } = this.deps;
    const pv: PersistentVolume | undefined = service.find(this.volumeType, undefined, name);
    if (!pv) return;
    if (pv.metadata.deletionTimestamp) {
      if (pv.metadata.finalizers?.includes(PV_PROTECTION) && pv.status?.phase !== "Bound") this.removeFinalizer(this.volumeType, undefined, name, PV_PROTECTION);
      return;
    }
    const ref = pv.spec?.claimRef;
    if (!ref?.name) {
      if (pv.status?.phase !== "Available") this.setPhase(pv, "Available");
      return;
    }
    const claim: PersistentVolumeClaim | undefined = service.find(this.claimType, ref.namespace, ref.name);
    const claimGone = !claim || (ref.uid !== undefined && claim.metadata.uid !== ref.uid);
    if (!claimGone) {
      // Pre-bound volume whose claim has not bound yet: let the claim side finish.
      if (claim.spec?.volumeName !== name || claim.status?.phase !== "Bound") this.claimQueue.add(`${ref.namespace ?? ""}/${ref.name}`);
      return;
    }
    if (ref.uid === undefined) return;
    if (pv.status?.phase === "Bound") this.setPhase(pv, "Released");
    if ((pv.spec?.persistentVolumeReclaimPolicy ?? "Retain") === "Delete") {
      try {
        service.delete(this.volumeType, undefined, name);
      } catch {
        // Gone already.
      }
    }
  }

  private setPhase(pv: PersistentVolume, phase: string): void {
    try {
      this.deps.service.mutate(this.volumeType, undefined, pv.metadata.name ?? "", (o) => {
        o.status = { ...(o.status as object), phase };
      }, { subresource: "status" });
    } catch {
      // Gone already.
    }
  }
}
