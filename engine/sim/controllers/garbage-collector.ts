// The garbage collector, after upstream's pkg/controller/garbagecollector:
// a dependency index (owner uid -> dependents) kept from one store watch, and
// a keyed loop that
//   - deletes an object whose owners are all gone (with the policy its own
//     finalizers ask for), and drops references to gone owners from objects
//     that still have a live one;
//   - finishes Orphan deletions (`orphan` finalizer): strips the owner's
//     references from its dependents, then removes the finalizer;
//   - finishes Foreground deletions (`foregroundDeletion` finalizer): deletes
//     the dependents, waits for those with blockOwnerDeletion, then removes
//     the finalizer (the API server then lets the owner go).
// An owner whose kind the registry does not know counts as present, as
// upstream's GC cannot resolve it and leaves the dependent alone.
import type { Clock } from "../../clock";
import type { PropagationPolicy, ResourceService } from "../apiserver/service";
import type { Registry, ResourceType } from "../registry";
import type { StoreEvent, Watch } from "../store/store";
import type { KObject, OwnerReference } from "../types";
import { WorkQueue } from "./workqueue";

export const ORPHAN_FINALIZER = "orphan";
export const FOREGROUND_FINALIZER = "foregroundDeletion";

const EVENTS_PREFIX = "/core/events/";

export class GarbageCollector {
  private readonly queue: WorkQueue;
  /** Owner uid -> store keys of the objects that reference it. */
  private readonly dependents = new Map<string, Set<string>>();
  /** Store key -> the owner uids it references (to keep `dependents` right). */
  private readonly owners = new Map<string, string[]>();
  private watch?: Watch;

  constructor(
    private readonly service: ResourceService,
    private readonly registry: Registry,
    clock: Clock,
  ) {
    this.queue = new WorkQueue(clock, (key) => this.reconcile(key));
  }

  start(): void {
    const { store } = this.service;
    for (const object of store.list("/")) {
      const key = this.keyOf(object);
      if (!key) continue;
      this.index(key, object);
      if (object.metadata.ownerReferences?.length || this.gcFinalizer(object)) this.queue.add(key);
    }
    this.watch = store.watch("/", undefined, (event) => this.observe(event));
  }

  stop(): void {
    this.watch?.stop();
    this.queue.dispose();
  }

  /** Owner uid -> number of known dependents (for tests and teaching views). */
  dependentsOf(uid: string): string[] {
    return [...(this.dependents.get(uid) ?? [])];
  }

  private observe(event: StoreEvent): void {
    if (event.key.startsWith(EVENTS_PREFIX)) return;
    const { key, object, previous } = event;
    const uid = object.metadata.uid ?? "";
    if (event.type === "DELETED") {
      this.index(key, undefined);
      // Its dependents may now be orphans; owners waiting in foreground deletion may be free.
      for (const dep of this.dependents.get(uid) ?? []) this.queue.add(dep);
      for (const ownerKey of this.ownerKeys(object)) this.queue.add(ownerKey);
      return;
    }
    // The store shares unchanged parts between versions: the same array means the same references (most writes are status).
    const sameRefs = previous !== undefined && previous.metadata.ownerReferences === object.metadata.ownerReferences;
    if (!sameRefs) {
      const refsBefore = JSON.stringify(previous?.metadata.ownerReferences ?? []);
      const refsNow = JSON.stringify(object.metadata.ownerReferences ?? []);
      this.index(key, object);
      if (event.type === "ADDED" ? object.metadata.ownerReferences?.length : refsBefore !== refsNow) {
        this.queue.add(key);
        if (previous) for (const ownerKey of this.ownerKeys(previous)) this.queue.add(ownerKey);
      }
    }
    const finalizer = this.gcFinalizer(object);
    if (finalizer) {
      this.queue.add(key);
      // Entering foreground deletion: every dependent is up for deletion.
      if (finalizer === FOREGROUND_FINALIZER && !(previous && this.gcFinalizer(previous) === FOREGROUND_FINALIZER)) {
        for (const dep of this.dependents.get(uid) ?? []) this.queue.add(dep);
      }
    }
  }

  private index(key: string, object: KObject | undefined): void {
    for (const uid of this.owners.get(key) ?? []) {
      const set = this.dependents.get(uid);
      set?.delete(key);
      if (set && !set.size) this.dependents.delete(uid);
    }
    this.owners.delete(key);
    const uids = (object?.metadata.ownerReferences ?? []).map((r) => r.uid);
    if (!uids.length) return;
    this.owners.set(key, uids);
    for (const uid of uids) {
      let set = this.dependents.get(uid);
      if (!set) this.dependents.set(uid, (set = new Set()));
      set.add(key);
    }
  }

  private gcFinalizer(object: KObject): string | undefined {
    if (!object.metadata.deletionTimestamp) return undefined;
    const finalizers = object.metadata.finalizers ?? [];
    if (finalizers.includes(ORPHAN_FINALIZER)) return ORPHAN_FINALIZER;
    if (finalizers.includes(FOREGROUND_FINALIZER)) return FOREGROUND_FINALIZER;
    return undefined;
  }

  private typeOf(object: KObject): ResourceType | undefined {
    return this.registry.forKind(object.apiVersion, object.kind);
  }

  private keyOf(object: KObject): string | undefined {
    const type = this.typeOf(object);
    return type ? this.registry.key(type, object.metadata.namespace, object.metadata.name ?? "") : undefined;
  }

  private ownerType(ref: OwnerReference): ResourceType | undefined {
    const exact = this.registry.forKind(ref.apiVersion, ref.kind);
    if (exact) return exact;
    const group = ref.apiVersion.includes("/") ? ref.apiVersion.split("/")[0] : "";
    return this.registry.types.find((t) => t.group === group && t.kind === ref.kind);
  }

  private ownerKey(ref: OwnerReference, dependent: KObject): string | undefined {
    const type = this.ownerType(ref);
    if (!type) return undefined;
    return this.registry.key(type, type.namespaced ? dependent.metadata.namespace : undefined, ref.name);
  }

  private ownerKeys(object: KObject): string[] {
    return (object.metadata.ownerReferences ?? []).map((ref) => this.ownerKey(ref, object)).filter((k): k is string => !!k);
  }

  private reconcile(key: string): void {
    const object = this.service.store.get(key);
    if (!object) return;
    const finalizer = this.gcFinalizer(object);
    if (finalizer === ORPHAN_FINALIZER) return this.orphanDependents(key, object);
    if (finalizer === FOREGROUND_FINALIZER) return this.deleteDependentsFirst(key, object);
    if (object.metadata.deletionTimestamp) return;
    this.checkOwners(object);
  }

  /** The dependent side: are its owners still there? */
  private checkOwners(object: KObject): void {
    const refs = object.metadata.ownerReferences ?? [];
    if (!refs.length) return;
    const solid: OwnerReference[] = [];
    const dangling: OwnerReference[] = [];
    const waiting: OwnerReference[] = [];
    for (const ref of refs) {
      const ownerKey = this.ownerKey(ref, object);
      if (!ownerKey) {
        solid.push(ref);
        continue;
      }
      const owner = this.service.store.get(ownerKey);
      if (!owner || owner.metadata.uid !== ref.uid) dangling.push(ref);
      else if (this.gcFinalizer(owner) === FOREGROUND_FINALIZER) waiting.push(ref);
      else solid.push(ref);
    }
    if (solid.length) {
      if (!dangling.length && !waiting.length) return;
      const drop = new Set([...dangling, ...waiting].map((r) => r.uid));
      this.setOwnerRefs(object, (r) => !drop.has(r.uid));
      return;
    }
    let policy: PropagationPolicy = "Background";
    const hasDependents = !!this.dependents.get(object.metadata.uid ?? "")?.size;
    if (waiting.length && hasDependents) policy = "Foreground";
    else if (object.metadata.finalizers?.includes(ORPHAN_FINALIZER)) policy = "Orphan";
    else if (object.metadata.finalizers?.includes(FOREGROUND_FINALIZER)) policy = "Foreground";
    this.deleteObject(object, policy);
  }

  private orphanDependents(key: string, owner: KObject): void {
    const uid = owner.metadata.uid ?? "";
    for (const depKey of [...(this.dependents.get(uid) ?? [])]) {
      const dep = this.service.store.get(depKey);
      if (dep) this.setOwnerRefs(dep, (r) => r.uid !== uid);
    }
    this.removeFinalizer(key, owner, ORPHAN_FINALIZER);
  }

  private deleteDependentsFirst(key: string, owner: KObject): void {
    const uid = owner.metadata.uid ?? "";
    let blocking = 0;
    for (const depKey of [...(this.dependents.get(uid) ?? [])]) {
      const dep = this.service.store.get(depKey);
      if (!dep) continue;
      if (dep.metadata.ownerReferences?.some((r) => r.uid === uid && r.blockOwnerDeletion)) blocking++;
      if (!dep.metadata.deletionTimestamp) this.queue.add(depKey);
    }
    if (!blocking) this.removeFinalizer(key, owner, FOREGROUND_FINALIZER);
  }

  private setOwnerRefs(object: KObject, keep: (ref: OwnerReference) => boolean): void {
    const type = this.typeOf(object);
    if (!type) return;
    try {
      this.service.mutate(type, object.metadata.namespace, object.metadata.name ?? "", (o) => {
        const refs = (o.metadata.ownerReferences ?? []).filter(keep);
        if (refs.length) o.metadata.ownerReferences = refs;
        else delete o.metadata.ownerReferences;
      });
    } catch {
      // Gone or refused meanwhile; a later event brings it back.
    }
  }

  private removeFinalizer(key: string, object: KObject, finalizer: string): void {
    const type = this.typeOf(object);
    if (!type) return;
    try {
      this.service.mutate(type, object.metadata.namespace, object.metadata.name ?? "", (o) => {
        const rest = (o.metadata.finalizers ?? []).filter((f) => f !== finalizer);
        if (rest.length) o.metadata.finalizers = rest;
        else delete o.metadata.finalizers;
      });
    } catch {
      this.queue.add(key);
    }
  }

  private deleteObject(object: KObject, propagationPolicy: PropagationPolicy): void {
    const type = this.typeOf(object);
    if (!type) return;
    try {
      this.service.delete(type, object.metadata.namespace, object.metadata.name ?? "", { propagationPolicy });
    } catch {
      // Already gone.
    }
  }
}
