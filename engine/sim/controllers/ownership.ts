// What the workload controllers and the garbage collector share: controller
// ownerReferences, label selector matching (the structured LabelSelector of
// apps/v1 and the plain map of ReplicationControllers), pod readiness and
// availability as upstream computes them, and the canonical JSON behind
// pod-template-hash and template comparison.
import type { LabelSelector } from "../registry/workload";
import type { KObject, OwnerReference, Pod } from "../types";

export const POD_TEMPLATE_HASH = "pod-template-hash";

/** The owner reference marked `controller: true`, if any. */
export function controllerOf(object: KObject): OwnerReference | undefined {
  return object.metadata.ownerReferences?.find((ref) => ref.controller === true);
}

/** The reference a controller puts on what it owns. */
export function controllerRef(owner: KObject): OwnerReference {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name ?? "", uid: owner.metadata.uid ?? "", controller: true, blockOwnerDeletion: true };
}

/** Whether `labels` satisfy a structured selector; an empty selector matches nothing (as controllers treat it). */
export function selectorMatches(selector: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return false;
  const have = labels ?? {};
  const matchLabels = Object.entries(selector.matchLabels ?? {});
  const expressions = selector.matchExpressions ?? [];
  if (!matchLabels.length && !expressions.length) return false;
  for (const [key, value] of matchLabels) if (have[key] !== value) return false;
  for (const e of expressions) {
    const present = Object.hasOwn(have, e.key);
    const value = have[e.key];
    switch (e.operator) {
      case "In":
        if (!present || !(e.values ?? []).includes(value as string)) return false;
        break;
      case "NotIn":
        if (present && (e.values ?? []).includes(value as string)) return false;
        break;
      case "Exists":
        if (!present) return false;
        break;
      case "DoesNotExist":
        if (present) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** A ReplicationController's map selector (empty matches nothing). */
export function mapSelectorMatches(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  const entries = Object.entries(selector ?? {});
  if (!entries.length) return false;
  return entries.every(([k, v]) => labels?.[k] === v);
}

/** Not finished and not being deleted (upstream's FilterActivePods). */
export function isActivePod(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== "Succeeded" && phase !== "Failed" && !pod.metadata.deletionTimestamp;
}

function readyCondition(pod: Pod): { status: string; lastTransitionTime?: string | null } | undefined {
  return pod.status?.conditions?.find((c) => c.type === "Ready");
}

export function isPodReady(pod: Pod): boolean {
  return readyCondition(pod)?.status === "True";
}

/** When the pod last became Ready (ms), or undefined. */
export function podReadySince(pod: Pod): number | undefined {
  const c = readyCondition(pod);
  if (c?.status !== "True" || !c.lastTransitionTime) return undefined;
  const t = Date.parse(c.lastTransitionTime);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * Ready for at least minReadySeconds (strictly longer, as upstream's
 * IsPodAvailable); otherwise the ms until it will be (or undefined if not ready).
 */
export function podAvailability(pod: Pod, minReadySeconds: number, now: number): { available: boolean; wait?: number } {
  if (!isPodReady(pod)) return { available: false };
  if (minReadySeconds <= 0) return { available: true };
  const since = podReadySince(pod);
  if (since === undefined) return { available: false };
  const at = since + minReadySeconds * 1000;
  return at < now ? { available: true } : { available: false, wait: at - now + 1 };
}

/** JSON with sorted keys, nulls and empty maps/lists dropped (Go's semantic equality treats nil and empty alike). */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(canonical).filter((v) => v !== undefined);
    return items.length ? items : undefined;
  }
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = canonical((value as Record<string, unknown>)[key]);
      if (v !== undefined) out[key] = v;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return value === null ? undefined : value;
}

const SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

/** FNV-32a of the canonical template, printed in upstream's SafeEncodeString alphabet (e.g. `7854ff8877`). */
export function computeHash(template: unknown, collisionCount?: number): string {
  let text = JSON.stringify(canonical(withoutHashLabel(template)) ?? {});
  if (collisionCount) text += `#${collisionCount}`;
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, "utf8")) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return [...String(hash)].map((c) => SAFE_ALPHABET[c.charCodeAt(0) % SAFE_ALPHABET.length]).join("");
}

function withoutHashLabel(template: unknown): unknown {
  const t = template as { metadata?: { labels?: Record<string, string> } } | undefined;
  if (!t?.metadata?.labels || !(POD_TEMPLATE_HASH in t.metadata.labels)) return template;
  const labels = { ...t.metadata.labels };
  delete labels[POD_TEMPLATE_HASH];
  return { ...t, metadata: { ...t.metadata, labels } };
}

/** Two pod templates are the same rollout target when they differ at most in pod-template-hash (EqualIgnoreHash). */
export function equalIgnoreHash(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(withoutHashLabel(a))) === JSON.stringify(canonical(withoutHashLabel(b)));
}

/** Milliseconds of an RFC 3339 timestamp; 0 when missing. */
export function timeOf(value: string | null | undefined): number {
  if (!value) return 0;
  const t = Date.parse(value);
  return Number.isNaN(t) ? 0 : t;
}
