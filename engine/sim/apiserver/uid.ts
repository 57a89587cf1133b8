import { randomFillSync } from "node:crypto";

/**
 * ASCII text as one flat string. V8 keeps a string built by concatenation
 * as a rope of its pieces (32 bytes each, plus the pieces) for as long as it
 * is stored; a copy through a buffer is stored as plain bytes.
 */
function flatAscii(text: string): string {
  return Buffer.from(text, "latin1").toString("latin1");
}

const HEX_DIGITS = Buffer.from("0123456789abcdef", "latin1");
/** Random bytes for 256 UIDs at a time: one call into the CSPRNG per batch, not per object. */
const randomPool = Buffer.alloc(16 * 256);
let poolOffset = randomPool.length;
const uidText = Buffer.alloc(36);

/**
 * A new object UID (RFC 4122 v4), written straight into one flat string.
 * Node's `randomUUID()` answers a rope of ~15 pieces (~500 bytes) that stays
 * one for as long as it is stored; this is 36 bytes. A cluster holds about a
 * thousand UIDs (objects, owner references, lease holders), and a scale-up
 * makes hundreds.
 */
export function newUid(): string {
  if (poolOffset === randomPool.length) {
    randomFillSync(randomPool);
    poolOffset = 0;
  }
  let out = 0;
  for (let i = 0; i < 16; i++) {
    let byte = randomPool[poolOffset++] as number;
    if (i === 6) byte = (byte & 0x0f) | 0x40; // version 4
    else if (i === 8) byte = (byte & 0x3f) | 0x80; // RFC 4122 variant
    if (i === 4 || i === 6 || i === 8 || i === 10) uidText[out++] = 0x2d; // "-"
    uidText[out++] = HEX_DIGITS[byte >> 4] as number;
    uidText[out++] = HEX_DIGITS[byte & 0x0f] as number;
  }
  return uidText.toString("latin1");
}

/** The first 32 digits of `hex` written as a UUID (8-4-4-4-12), for IDs that must stay the same for the same seed. */
export function uuidFromHex(hex: string): string {
  return flatAscii(`${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`);
}
