// The API server's storage layer (upstream's "registry REST" role): create,
// read, update, patch, delete and watch of typed objects on top of the store,
// with system metadata, defaulting, validation, graceful deletion and
// selectors. The HTTP layer and the in-process controllers both write through
// here, so an object made by a controller looks exactly like one from kubectl.
import { randomInt } from "node:crypto";
import { newUid } from "./uid";
import type { Clock } from "../../clock";
import { apiVersionOf, timestamp, type CreateContext, type Registry, type ResourceType } from "../registry";
import { shareUnchanged, StoreError, thaw, type Store, type StoreEvent, type Watch } from "../store/store";
import type { KObject, Service } from "../types";
import { applyPatchBody, applyRequest, prepareUpdate, schemaPatchMeta, type PatchMeta, type PatchMetaResolver } from "./patch/index";
import { recordCreate, unchanged, type PatchWriteOptions } from "./patch/writes";
import { matchesFields, parseFieldSelector, parseLabelSelector, type FieldRequirement, type LabelSelector } from "./selectors";
import { errors } from "./status";
import { withObjectMetaErrors } from "./meta-validation";

/** The alphabet upstream uses for generated name suffixes (no vowels, no look-alikes). */
const SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

export function randomSuffix(length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)];
  return out;
}

export interface Selection {
  labelSelector?: string | null;
  fieldSelector?: string | null;
}

export interface ListOptions extends Selection {
  limit?: number;
  continueToken?: string | null;
}

export interface ListResult {
  items: KObject[];
  resourceVersion: string;
  continueToken?: string;
  remainingItemCount?: number;
}

export interface WatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: KObject;
}

export type PatchType = "merge" | "strategic" | "json" | "apply";

/** DeleteOptions.propagationPolicy: what happens to the object's dependents (the garbage collector's job). */
export type PropagationPolicy = "Orphan" | "Background" | "Foreground";

export interface WriteOptions {
  dryRun?: boolean;
  subresource?: "status";
  /** The writer recorded in managedFields (HTTP requests); unset for in-process writers. */
  fieldManager?: string;
  /** Server-side apply: take over fields other managers own. */
  force?: boolean;
  /** A pod's binding: spec.nodeName and the PodScheduled condition in one update, as upstream's binding subresource writes them. */
  binding?: boolean;
}

interface Matcher {
  labels: LabelSelector;
  fields: FieldRequirement[];
}

export class ResourceService {
  constructor(
    readonly registry: Registry,
    readonly store: Store,
    readonly clock: Clock,
  ) {
    this.patchMeta = schemaPatchMeta(registry);
  }

  /** Merge keys and list types for strategic merge patch and server-side apply (patch/CONTEXT in CONTEXT.md), from each kind's schema. */
  patchMeta: PatchMetaResolver;

  /** Admission on create (`admission/`): mutating plugins after defaults, validating ones after validation; they throw ApiErrors. */
  admission: { mutate?(type: ResourceType, object: KObject): void; validate?(type: ResourceType, object: KObject): void }[] = [];

  get(type: ResourceType, namespace: string | undefined, name: string): KObject {
    const object = this.store.get(this.registry.key(type, namespace, name));
    if (!object) throw errors.notFound(type, name);
    return object;
  }

  find(type: ResourceType, namespace: string | undefined, name: string): KObject | undefined {
    return this.store.get(this.registry.key(type, namespace, name));
  }

  list(type: ResourceType, namespace: string | undefined, options: ListOptions = {}): ListResult {
    const matcher = this.matcher(type, options);
    const prefix = this.registry.key(type, namespace);
    const resourceVersion = String(this.store.revision);
    let after = "";
    if (options.continueToken) {
      try {
        const token = JSON.parse(Buffer.from(options.continueToken, "base64url").toString()) as { k?: unknown };
        if (typeof token.k !== "string") throw new Error("no key");
        after = token.k;
      } catch {
        throw errors.badRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
      }
    }
    const listed = this.store.list(prefix);
    const page = after ? listed.filter((o) => this.registry.key(type, o.metadata.namespace, o.metadata.name) > after) : listed;
    const matching = options.labelSelector || options.fieldSelector ? page.filter((o) => this.matches(type, matcher, o)) : page;
    const limit = options.limit && options.limit > 0 ? options.limit : Infinity;
    if (matching.length <= limit) return { items: matching, resourceVersion };
    const items = matching.slice(0, limit);
    const last = items.at(-1) as KObject;
    const k = this.registry.key(type, last.metadata.namespace, last.metadata.name);
    return {
      items,
      resourceVersion,
      continueToken: Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv: this.store.revision, k })).toString("base64url"),
      remainingItemCount: matching.length - limit,
    };
  }

  create(type: ResourceType, namespace: string | undefined, body: KObject, options: WriteOptions = {}): KObject {
    const object = thaw(body);
    const meta = (object.metadata ??= {});
    if (type.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw errors.badRequest("the namespace of the provided object does not match the namespace sent on the request");
      }
      meta.namespace = namespace ?? meta.namespace ?? "default";
      this.checkNamespaceOpen(type, meta.namespace, meta.name ?? meta.generateName ?? "");
    } else delete meta.namespace;
    if (!meta.name && meta.generateName) meta.name = meta.generateName + randomSuffix(5);
    if (!meta.name) {
      throw errors.invalid(type, "", [{ field: "metadata.name", type: "FieldValueRequired", detail: "name or generateName is required" }]);
    }
    object.apiVersion = apiVersionOf(type);
    object.kind = type.kind;
    meta.uid = newUid();
    meta.creationTimestamp = timestamp(this.clock.now());
    for (const field of ["resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"]) delete meta[field];
    type.defaults?.(object, this.createContext());
    for (const plugin of this.admission) plugin.mutate?.(type, object);
    this.validate(type, object);
    for (const plugin of this.admission) plugin.validate?.(type, object);
    if (options.fieldManager) recordCreate(type, object, options, this.clock.now(), this.patchMeta(object.apiVersion, type.kind));
    if (options.dryRun) return object;
    try {
      return this.store.create(this.registry.key(type, meta.namespace, meta.name), object);
    } catch (error) {
      if (error instanceof StoreError && error.code === "AlreadyExists") throw errors.alreadyExists(type, meta.name);
      throw error;
    }
  }

  update(type: ResourceType, namespace: string | undefined, name: string, body: KObject, options: WriteOptions = {}): KObject {
    return this.replace(type, namespace, name, thaw(body), options);
  }

  /** `update` with a body that is already a private copy (it is modified in place). */
  private replace(type: ResourceType, namespace: string | undefined, name: string, incoming: KObject, options: WriteOptions & PatchWriteOptions): KObject {
    const current = this.get(type, namespace, name);
    const meta = (incoming.metadata ??= {});
    if (meta.name && meta.name !== name) {
      throw errors.badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
    }
    const expected = meta.resourceVersion;
    // In-process writers get no defaulting or managedFields below, so nothing deep in their object changes from here on.
    const inProcess = !options.fieldManager && !options.redefault;
    let next: KObject;
    if (options.subresource === "status") {
      // Only metadata's own fields change below: share the rest of the current object.
      next = { ...current, metadata: { ...current.metadata }, status: incoming.status };
      // Upstream's Deployment status strategy keeps metadata: the controller writes the revision annotation this way (no generation bump).
      if (type.kind === "Deployment" && incoming.metadata?.annotations) next.metadata.annotations = incoming.metadata.annotations;
    } else {
      next = incoming;
      if (type.statusSubresource && !options.binding) {
        if (current.status === undefined) delete next.status;
        else next.status = inProcess ? current.status : thaw(current.status);
      }
    }
    const nextMeta = next.metadata;
    nextMeta.name = name;
    if (type.namespaced) nextMeta.namespace = current.metadata.namespace;
    for (const field of ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generateName"] as const) {
      if (current.metadata[field] === undefined) delete nextMeta[field];
      else (nextMeta as Record<string, unknown>)[field] = current.metadata[field];
    }
    next.apiVersion = current.apiVersion;
    next.kind = current.kind;
    if (expected && expected !== current.metadata.resourceVersion) throw errors.conflict(type, name);
    // Unchanged parts become the stored (frozen) ones, so the comparisons below are mostly `===` and the store freezes only what changed.
    if (inProcess) shareBelowMetadata(current, next);
    // Merge metadata is looked up only for managedFields (HTTP writes), not on the controllers' and kubelets' hot path.
    const mergeMeta = (): PatchMeta => this.patchMeta(current.apiVersion, type.kind);
    const refused = prepareUpdate(type, current, next, options, this.clock.now(), mergeMeta, (o) => type.defaults?.(o, this.createContext()));
    if (refused.length) throw errors.invalid(type, name, refused);
    // A status write or a binding cannot change the rest of the spec: like upstream's status strategies, only metadata is checked again.
    this.validate(type, next, options.subresource !== "status" && !options.binding);
    nextMeta.resourceVersion = current.metadata.resourceVersion;
    if (options.dryRun) return next;
    if (unchanged(current, next)) return current;
    const key = this.registry.key(type, namespace, name);
    // The last finalizer leaving an object marked for deletion completes the deletion.
    if (nextMeta.deletionTimestamp && !nextMeta.finalizers?.length && (!type.graceful || nextMeta.deletionGracePeriodSeconds === 0)) {
      this.store.update(key, next);
      return this.store.delete(key);
    }
    return this.store.update(key, next);
  }

  patch(type: ResourceType, namespace: string | undefined, name: string, patchType: PatchType, patch: unknown, options: WriteOptions = {}): KObject {
    const meta = this.patchMeta(apiVersionOf(type), type.kind);
    if (patchType === "apply") return applyRequest(this, type, namespace, name, patch, options, this.clock.now(), meta);
    const object = applyPatchBody(thaw(this.get(type, namespace, name)), patchType, patch, meta);
    // A patch without a resourceVersion applies to whatever is current.
    const patchRV = (patch as { metadata?: { resourceVersion?: unknown } }).metadata?.resourceVersion;
    if (typeof patchRV !== "string") object.metadata.resourceVersion = this.get(type, namespace, name).metadata.resourceVersion;
    return this.replace(type, namespace, name, object, options);
  }

  /** Read-modify-write for in-process writers (kubelet, controllers). */
  mutate(type: ResourceType, namespace: string | undefined, name: string, change: (object: KObject) => void, options: WriteOptions = {}): KObject | undefined {
    const current = this.find(type, namespace, name);
    if (!current) return undefined;
    const next = writableCopy(current, options);
    change(next);
    return this.replace(type, namespace, name, next, options);
  }

  delete(type: ResourceType, namespace: string | undefined, name: string, options: { gracePeriodSeconds?: number; dryRun?: boolean; propagationPolicy?: PropagationPolicy } = {}): KObject {
    const current = this.get(type, namespace, name);
    const key = this.registry.key(type, namespace, name);
    if (type.kind === "Namespace" && ["default", "kube-system", "kube-public"].includes(name)) {
      throw errors.forbidden(type, name, "this namespace may not be deleted");
    }
    const immediate = !type.graceful || this.gracePeriod(current, options.gracePeriodSeconds) === 0;
    const finalizers = current.metadata.finalizers?.length ?? 0;
    // Orphan and Foreground deletions hand the object to the garbage collector through a finalizer.
    const gcFinalizer = options.propagationPolicy === "Orphan" ? "orphan" : options.propagationPolicy === "Foreground" ? "foregroundDeletion" : undefined;
    if (immediate && !finalizers && !gcFinalizer) return options.dryRun ? current : this.store.delete(key);
    if (current.metadata.deletionTimestamp) {
      // A graceful object deleted again with grace 0 (the kubelet's last word) goes as soon as its finalizers do.
      if (type.graceful && options.gracePeriodSeconds === 0 && current.metadata.deletionGracePeriodSeconds !== 0 && !options.dryRun) {
        const shortened = thaw(current);
        shortened.metadata.deletionGracePeriodSeconds = 0;
        return this.store.update(key, shortened);
      }
      return current;
    }
    const next = thaw(current);
    if (gcFinalizer) {
      const other = gcFinalizer === "orphan" ? "foregroundDeletion" : "orphan";
      next.metadata.finalizers = [...(next.metadata.finalizers ?? []).filter((f) => f !== other && f !== gcFinalizer), gcFinalizer];
    }
    const grace = type.graceful ? this.gracePeriod(current, options.gracePeriodSeconds) : 0;
    next.metadata.deletionTimestamp = timestamp(this.clock.now() + grace * 1000);
    next.metadata.deletionGracePeriodSeconds = grace;
    if (type.kind === "Namespace") next.status = { ...(next.status as object), phase: "Terminating" };
    return options.dryRun ? next : this.store.update(key, next);
  }

  /**
   * Watch objects of a type from `resourceVersion` ("" or "0": current state
   * first, as synthetic ADDED events). Objects leaving the selection are
   * reported as DELETED, ones entering it as ADDED.
   */
  watch(type: ResourceType, namespace: string | undefined, options: Selection & { resourceVersion?: string | null }, send: (event: WatchEvent) => void): Watch {
    const matcher = this.matcher(type, options);
    const prefix = this.registry.key(type, namespace);
    const rv = options.resourceVersion;
    let from: number | undefined;
    if (rv && rv !== "0") {
      from = Number(rv);
      if (!Number.isInteger(from) || from < 0) throw errors.badRequest(`invalid resource version: ${rv}`);
    } else {
      for (const object of this.store.list(prefix)) if (this.matches(type, matcher, object)) send({ type: "ADDED", object });
    }
    try {
      return this.store.watch(prefix, from, (event) => {
        const converted = this.convert(type, matcher, event);
        if (converted) send(converted);
      });
    } catch (error) {
      if (error instanceof StoreError && error.code === "Gone") throw errors.expired(error.message);
      throw error;
    }
  }

  private convert(type: ResourceType, matcher: Matcher, event: StoreEvent): WatchEvent | undefined {
    const now = this.matches(type, matcher, event.object);
    if (event.type !== "MODIFIED") return now ? { type: event.type, object: event.object } : undefined;
    const before = event.previous ? this.matches(type, matcher, event.previous) : true;
    if (now) return { type: before ? "MODIFIED" : "ADDED", object: event.object };
    return before ? { type: "DELETED", object: event.object } : undefined;
  }

  private matcher(type: ResourceType, selection: Selection): Matcher {
    const fields = parseFieldSelector(selection.fieldSelector ?? null);
    for (const f of fields) {
      if (f.field === "metadata.name" || f.field === "metadata.namespace") continue;
      if (!type.fields) throw errors.badRequest(`field label not supported: ${f.field}`);
    }
    return { labels: parseLabelSelector(selection.labelSelector ?? null), fields };
  }

  private matches(type: ResourceType, matcher: Matcher, object: KObject): boolean {
    if (!matcher.labels(object.metadata.labels)) return false;
    if (!matcher.fields.length) return true;
    const values = this.fieldValues(type, object);
    for (const f of matcher.fields) {
      if (!(f.field in values)) throw errors.badRequest(`field label not supported: ${f.field}`);
    }
    return matchesFields(matcher.fields, values);
  }

  /**
   * Selectable field values of an object, once per stored (frozen, never
   * changing) version: the kubelets select their pods by node on every pod start.
   */
  private readonly storedFieldValues = new WeakMap<KObject, Record<string, string>>();

  private fieldValues(type: ResourceType, object: KObject): Record<string, string> {
    let values = this.storedFieldValues.get(object);
    if (values) return values;
    values = { "metadata.name": object.metadata.name ?? "", "metadata.namespace": object.metadata.namespace ?? "", ...type.fields?.(object) };
    if (Object.isFrozen(object)) this.storedFieldValues.set(object, values);
    return values;
  }

  private gracePeriod(object: KObject, requested: number | undefined): number {
    const spec = object.spec as { nodeName?: string; terminationGracePeriodSeconds?: number } | undefined;
    const phase = (object.status as { phase?: string } | undefined)?.phase;
    if (object.kind === "Pod" && (!spec?.nodeName || phase === "Succeeded" || phase === "Failed")) return 0;
    return requested ?? spec?.terminationGracePeriodSeconds ?? 30;
  }

  /** Upstream's Invalid for what is wrong with `object`'s metadata, and with `whole`, with the rest by its type's rules. */
  private validate(type: ResourceType, object: KObject, whole = true): void {
    const problems = withObjectMetaErrors(object, whole ? (type.validate?.(object) ?? []) : []);
    if (problems.length) throw errors.invalid(type, object.metadata.name ?? "", problems);
  }

  private checkNamespaceOpen(type: ResourceType, namespace: string, name: string): void {
    const nsType = this.registry.find("", "v1", "namespaces");
    if (!nsType) return;
    const ns = this.find(nsType, undefined, namespace);
    if (!ns) throw errors.notFound(nsType, namespace);
    if (ns.metadata.deletionTimestamp) {
      throw errors.forbidden(type, name, `unable to create new content in namespace ${namespace} because it is being terminated`);
    }
  }

  private createContext(): CreateContext {
    const services = (): Service[] => this.store.list("/core/services/");
    return {
      now: this.clock.now(),
      randomSuffix,
      allocateClusterIP: () => {
        const taken = new Set(services().map((s) => s.spec?.clusterIP));
        return pickFree((n) => `10.96.${n >> 8}.${n & 255}`, 2, 4094, taken);
      },
      allocateNodePort: () => {
        const taken = new Set(services().flatMap((s) => (s.spec?.ports ?? []).map((p) => String(p.nodePort))));
        return Number(pickFree(String, 30000, 32767, taken));
      },
      allocationHolder: ({ clusterIP, nodePort }) => {
        const holder = services().find((s) => (clusterIP !== undefined && s.spec?.clusterIP === clusterIP) || (nodePort !== undefined && (s.spec?.ports ?? []).some((p) => p.nodePort === nodePort)));
        return holder ? `${holder.metadata.namespace ?? ""}/${holder.metadata.name ?? ""}` : undefined;
      },
    };
  }
}

/**
 * The copy an in-process writer changes: a status write keeps only metadata
 * and status from it, a binding also spec's own fields (nodeName); the rest
 * stays the stored, frozen object (changing it throws).
 */
function writableCopy(current: KObject, options: WriteOptions): KObject {
  if (options.subresource === "status") return { ...current, metadata: thaw(current.metadata), status: thaw(current.status) };
  if (options.binding) return { ...current, metadata: thaw(current.metadata), spec: { ...(current.spec as object) }, status: thaw(current.status) };
  return thaw(current);
}

/** `shareUnchanged` for every part of `next` but its top level and its metadata object, which stay writable. */
function shareBelowMetadata(current: KObject, next: KObject): void {
  const target = next as unknown as Record<string, unknown>;
  const source = current as unknown as Record<string, unknown>;
  for (const key of Object.keys(target)) if (key !== "metadata") target[key] = shareUnchanged(source[key], target[key]);
  shareUnchanged(current.metadata, next.metadata);
}

/** A random value in [low, high] whose rendering is not taken yet. */
function pickFree(render: (n: number) => string, low: number, high: number, taken: Set<string | undefined>): string {
  for (;;) {
    const candidate = render(randomInt(low, high + 1));
    if (!taken.has(candidate)) return candidate;
  }
}
