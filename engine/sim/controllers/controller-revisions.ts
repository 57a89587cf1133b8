// ControllerRevisions, the history of DaemonSets and StatefulSets (upstream's
// pkg/controller/history): one revision per distinct pod template, named
// `<owner>-<hash>`, labelled with the hash, owned by the set, holding the
// template as a strategic merge patch (`spec.template` with `$patch:
// replace`). `kubectl rollout history` lists them and `rollout undo` PATCHes
// the set with a revision's data; going back to an older template renumbers
// its revision to the newest instead of writing a new one.
import type { ResourceService } from "../apiserver/service";
import { ApiError } from "../apiserver/status";
import type { Registry, ResourceType } from "../registry";
import type { LabelSelector, PodTemplate } from "../registry/workload";
import type { KObject, OwnerReference } from "../types";
import { canonical, computeHash, controllerOf, controllerRef, selectorMatches, timeOf } from "./ownership";

/** The pod label (and revision label) naming the revision a pod was made from. */
export const REVISION_HASH = "controller-revision-hash";

export interface ControllerRevision extends KObject {
  data?: unknown;
  revision?: number;
}

/** A DaemonSet or StatefulSet, as far as its history is concerned. */
export interface RevisionOwner extends KObject {
  spec?: { selector?: LabelSelector; template?: PodTemplate; revisionHistoryLimit?: number; [field: string]: unknown };
}

/** Keys sorted at every level, as Go marshals a map: kubectl compares revision data byte for byte with its own patch of the set. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== "object") return value;
  const source = value as Record<string, unknown>;
  return Object.fromEntries(Object.keys(source).sort().map((key) => [key, sortedKeys(source[key])]));
}

/** The data a revision stores for a template. */
export function templatePatch(template: PodTemplate | undefined): unknown {
  return sortedKeys({ spec: { template: { ...template, $patch: "replace" } } });
}

/** The pod template a revision holds. */
export function revisionTemplate(revision: ControllerRevision): PodTemplate | undefined {
  const template = (revision.data as { spec?: { template?: PodTemplate & { $patch?: string } } } | undefined)?.spec?.template;
  if (!template) return undefined;
  const copy = { ...template };
  delete copy.$patch;
  return copy;
}

/** Whether a revision holds this template (semantically: key order and empty fields aside). */
export const holdsTemplate = (revision: ControllerRevision, template: PodTemplate | undefined): boolean =>
  JSON.stringify(canonical(revisionTemplate(revision))) === JSON.stringify(canonical(template));

/** Oldest first: by revision number, then creation, then name (upstream's SortControllerRevisions). */
function byRevision(a: ControllerRevision, b: ControllerRevision): number {
  return (a.revision ?? 0) - (b.revision ?? 0) || timeOf(a.metadata.creationTimestamp) - timeOf(b.metadata.creationTimestamp) || (a.metadata.name ?? "").localeCompare(b.metadata.name ?? "");
}

/** `<owner>-<hash>`, the owner's name cut to 223 characters so the whole stays a valid name. */
export function revisionName(owner: string, hash: string): string {
  return `${owner.slice(0, 223)}-${hash}`;
}

const isAlreadyExists = (error: unknown): boolean => error instanceof ApiError && error.status.reason === "AlreadyExists";

export class ControllerHistory {
  readonly type: ResourceType;

  constructor(private readonly service: ResourceService, registry: Registry) {
    this.type = registry.find("apps", "v1", "controllerrevisions") as ResourceType;
  }

  /**
   * The owner's revisions, oldest first: those it controls whose labels still
   * match its selector, plus orphans the selector adopts; controlled ones that
   * no longer match are released (upstream's ClaimControllerRevisions).
   */
  claim(owner: RevisionOwner): ControllerRevision[] {
    const uid = owner.metadata.uid;
    const namespace = owner.metadata.namespace;
    const claimed: ControllerRevision[] = [];
    const setOwners = (revision: ControllerRevision, change: (refs: OwnerReference[]) => OwnerReference[]): ControllerRevision | undefined =>
      this.service.mutate(this.type, namespace, revision.metadata.name ?? "", (r) => {
        r.metadata.ownerReferences = change(r.metadata.ownerReferences ?? []);
      });
    for (const revision of this.service.list(this.type, namespace).items as ControllerRevision[]) {
      const ref = controllerOf(revision);
      const matches = selectorMatches(owner.spec?.selector, revision.metadata.labels);
      if (ref?.uid === uid) {
        if (matches) claimed.push(revision);
        else setOwners(revision, (refs) => refs.filter((o) => o.uid !== uid));
      } else if (!ref && matches && !owner.metadata.deletionTimestamp) {
        const adopted = setOwners(revision, (refs) => [...refs, controllerRef(owner)]);
        if (adopted) claimed.push(adopted);
      }
    }
    return claimed.sort(byRevision);
  }

  /**
   * The revision of the owner's template among `revisions` (sorted): the
   * newest one holding it, renumbered past all others when it is not the
   * newest (a rollback); otherwise a new revision. A name taken by another
   * template bumps `collisionCount`, which changes the hash.
   */
  revisionFor(owner: RevisionOwner, revisions: ControllerRevision[], collisionCount: number): { revision: ControllerRevision; collisionCount: number } {
    const template = owner.spec?.template;
    const next = (revisions.at(-1)?.revision ?? 0) + 1;
    const equal = revisions.filter((r) => holdsTemplate(r, template)).at(-1);
    if (equal) {
      if (equal === revisions.at(-1)) return { revision: equal, collisionCount };
      const renumbered = this.service.mutate(this.type, equal.metadata.namespace, equal.metadata.name ?? "", (r) => {
        r.revision = next;
      });
      return { revision: renumbered ?? equal, collisionCount };
    }
    for (let count = collisionCount; ; count++) {
      const hash = computeHash(template ?? {}, count);
      const name = revisionName(owner.metadata.name ?? "", hash);
      const body: ControllerRevision = {
        apiVersion: "apps/v1",
        kind: "ControllerRevision",
        metadata: {
          name,
          labels: { ...template?.metadata?.labels, [REVISION_HASH]: hash },
          ...(owner.metadata.annotations ? { annotations: { ...owner.metadata.annotations } } : {}),
          ownerReferences: [controllerRef(owner)],
        },
        data: templatePatch(template),
        revision: next,
      };
      try {
        return { revision: this.service.create(this.type, owner.metadata.namespace, body), collisionCount: count };
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
        const existing = this.service.find(this.type, owner.metadata.namespace, name);
        if (existing && controllerOf(existing)?.uid === owner.metadata.uid && holdsTemplate(existing, template)) return { revision: existing, collisionCount: count };
      }
    }
  }

  /** Delete the oldest `count` of `revisions` (sorted), skipping those `keep` names. */
  deleteOldest(revisions: ControllerRevision[], count: number, keep: (revision: ControllerRevision) => boolean = () => false): void {
    let left = count;
    for (const revision of revisions) {
      if (left <= 0) return;
      if (keep(revision)) continue;
      this.delete(revision);
      left--;
    }
  }

  delete(revision: ControllerRevision): void {
    try {
      this.service.delete(this.type, revision.metadata.namespace, revision.metadata.name ?? "");
    } catch {
      // Gone already.
    }
  }
}
