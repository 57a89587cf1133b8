import { randomUUID } from "node:crypto";

/**
 * ASCII text as one flat string. V8 keeps a string built by concatenation
 * as a rope of its pieces (32 bytes each, plus the pieces) for as long as it
 * is stored; a copy through a buffer is stored as plain bytes.
 */
function flatAscii(text: string): string {
  return Buffer.from(text, "latin1").toString("latin1");
}

/**
 * A new object UID (RFC 4122 v4). Node's `randomUUID()` is a rope of ~15
 * pieces (~500 bytes); flat, it is 36 bytes. A cluster holds about a
 * thousand UIDs (objects, owner references, lease holders).
 */
export function newUid(): string {
  return flatAscii(randomUUID());
}

/** The first 32 digits of `hex` written as a UUID (8-4-4-4-12), for IDs that must stay the same for the same seed. */
export function uuidFromHex(hex: string): string {
  return flatAscii(`${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`);
}
