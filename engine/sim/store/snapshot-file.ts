// The bytes of an etcd snapshot in the sim: what `etcdctl snapshot save`
// writes, `etcdutl snapshot status|restore` read, and
// `createSimCluster({ restoreFrom })` boots a fresh cluster from.
//
// Upstream's file is a bbolt database with a sha256 of it appended. Ours is
// text, so it survives the containers' string filesystems, `kubectl cp`
// (tar over a websocket) and any byte transport unchanged:
//
//   sim-etcd-snapshot 1\n          format name and version
//   {"revision":N,"objects":[...]}\n   the StoreSnapshot as JSON, non-ASCII escaped
//   sha256 <64 hex digits>\n       of everything above, as etcd appends its sha256
import { createHash } from "node:crypto";
import type { StoreSnapshot } from "./store";

const MAGIC = "sim-etcd-snapshot 1";

/** A file that is no snapshot, or one whose checksum does not match (messages as etcd words them). */
export class SnapshotFileError extends Error {}

export interface SnapshotStatus {
  /** A 32-bit hash of the content (etcdutl prints it in hex). */
  hash: number;
  revision: number;
  totalKey: number;
  /** Bytes. */
  totalSize: number;
}

const sha256 = (text: string): Buffer => createHash("sha256").update(text).digest();

/** JSON with every non-ASCII character escaped, so the file is plain ASCII. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function encodeSnapshot(snapshot: StoreSnapshot): string {
  const body = `${MAGIC}\n${asciiJson({ revision: snapshot.revision, objects: snapshot.objects })}\n`;
  return `${body}sha256 ${sha256(body).toString("hex")}\n`;
}

function split(bytes: string | Uint8Array): { body: string; json: string; digest: string } {
  const text = typeof bytes === "string" ? bytes : Buffer.from(bytes).toString("utf8");
  const lines = text.split("\n");
  const [magic, json, trailer] = lines;
  if (magic !== MAGIC || json === undefined || !trailer?.startsWith("sha256 ") || lines.slice(3).some((l) => l !== "")) throw new SnapshotFileError("invalid database");
  return { body: `${magic}\n${json}\n`, json, digest: trailer.slice("sha256 ".length) };
}

/** Go's `%v` of a byte slice, as etcd's checksum error prints it. */
const goBytes = (bytes: Buffer): string => `[${[...bytes].join(" ")}]`;

function parse(json: string): StoreSnapshot {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new SnapshotFileError("invalid database");
  }
  const { revision, objects } = (parsed ?? {}) as Partial<StoreSnapshot>;
  const wellFormed = typeof revision === "number" && Array.isArray(objects) && objects.every((entry) => Array.isArray(entry) && typeof entry[0] === "string" && typeof entry[1] === "object" && entry[1] !== null);
  if (!wellFormed) throw new SnapshotFileError("invalid database");
  return { revision, objects };
}

/** The store state in a snapshot file; the checksum is verified unless `skipHashCheck`. */
export function decodeSnapshot(bytes: string | Uint8Array, options: { skipHashCheck?: boolean } = {}): StoreSnapshot {
  const { body, json, digest } = split(bytes);
  const actual = sha256(body);
  if (!options.skipHashCheck && actual.toString("hex") !== digest) {
    const expected = /^[0-9a-f]{64}$/.test(digest) ? Buffer.from(digest, "hex") : Buffer.alloc(32);
    throw new SnapshotFileError(`expected sha256 ${goBytes(expected)}, got ${goBytes(actual)}`);
  }
  return parse(json);
}

/** What `etcdutl snapshot status` reports about a snapshot file. */
export function snapshotStatus(bytes: string | Uint8Array): SnapshotStatus {
  const { body, json } = split(bytes);
  const snapshot = parse(json);
  return {
    hash: sha256(body).readUInt32BE(0),
    revision: snapshot.revision,
    totalKey: snapshot.objects.length,
    totalSize: typeof bytes === "string" ? Buffer.byteLength(bytes) : bytes.byteLength,
  };
}
