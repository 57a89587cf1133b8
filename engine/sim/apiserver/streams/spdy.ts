// SPDY/3.1 framing, the protocol kubectl and the kubelet still speak for
// port-forward (plain, or tunnelled in websocket binary messages). Every
// frame has an 8-byte header: a control bit, then either version + type
// (control frames) or a stream id (data frames), then 8 bits of flags and a
// 24-bit length. Name/value header blocks travel through ONE zlib stream per
// direction for the whole connection, primed with the protocol's fixed
// dictionary and sync-flushed after every block.
import { constants, createDeflate, createInflate, type Deflate, type Inflate } from "node:zlib";

export const SPDY_VERSION = 3;
export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;

/** Control frame type numbers. */
export const CONTROL = { synStream: 1, synReply: 2, rstStream: 3, settings: 4, ping: 6, goAway: 7, headers: 8, windowUpdate: 9 } as const;

/** RST_STREAM status codes. */
export const RST_STATUS = { protocolError: 1, invalidStream: 2, refusedStream: 3, unsupportedVersion: 4, cancel: 5, internalError: 6 } as const;

/** Header names (lower case) to their values; one name may carry several (NUL-separated on the wire). */
export type HeaderBlock = Record<string, string[]>;

export type SpdyFrame =
  | { kind: "data"; streamId: number; fin: boolean; data: Buffer }
  | { kind: "synStream"; streamId: number; associatedTo: number; priority: number; flags: number; headers: HeaderBlock }
  | { kind: "synReply"; streamId: number; flags: number; headers: HeaderBlock }
  | { kind: "headers"; streamId: number; flags: number; headers: HeaderBlock }
  | { kind: "rstStream"; streamId: number; status: number }
  | { kind: "settings"; flags: number; entries: { id: number; flags: number; value: number }[] }
  | { kind: "ping"; id: number }
  | { kind: "goAway"; lastGoodStreamId: number; status: number }
  | { kind: "windowUpdate"; streamId: number; delta: number }
  /** A control type this side does not know: the spec says to ignore it. */
  | { kind: "unknown"; type: number };

export class SpdyProtocolError extends Error {}

// The SPDY/3 compression dictionary: length-prefixed common header names and
// values, then a run of status codes, reason phrases, dates and media types.
const DICTIONARY_WORDS = [
  "options", "head", "post", "put", "delete", "trace", "accept", "accept-charset", "accept-encoding", "accept-language",
  "accept-ranges", "age", "allow", "authorization", "cache-control", "connection", "content-base", "content-encoding",
  "content-language", "content-length", "content-location", "content-md5", "content-range", "content-type", "date",
  "etag", "expect", "expires", "from", "host", "if-match", "if-modified-since", "if-none-match", "if-range",
  "if-unmodified-since", "last-modified", "location", "max-forwards", "pragma", "proxy-authenticate",
  "proxy-authorization", "range", "referer", "retry-after", "server", "te", "trailer", "transfer-encoding", "upgrade",
  "user-agent", "vary", "via", "warning", "www-authenticate", "method", "get", "status", "200 OK", "version",
  "HTTP/1.1", "url", "public", "set-cookie", "keep-alive", "origin",
];
const DICTIONARY_TAIL = [
  "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505",
  "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized",
  "403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable",
  "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT",
  "chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,",
  "text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.",
].join("");

export const HEADER_DICTIONARY: Buffer = Buffer.concat([...DICTIONARY_WORDS.map((word) => Buffer.concat([uint32(word.length), Buffer.from(word, "latin1")])), Buffer.from(DICTIONARY_TAIL, "latin1")]);

function uint32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out;
}

/** The uncompressed name/value block: a count, then length-prefixed names and values. */
export function encodeHeaderBlock(headers: HeaderBlock): Buffer {
  const entries = Object.entries(headers);
  const parts = [uint32(entries.length)];
  for (const [name, values] of entries) {
    const key = Buffer.from(name.toLowerCase(), "utf8");
    const value = Buffer.from(values.join("\0"), "utf8");
    parts.push(uint32(key.length), key, uint32(value.length), value);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(block: Buffer): HeaderBlock {
  let offset = 0;
  const take = (): Buffer => {
    if (offset + 4 > block.length) throw new SpdyProtocolError("truncated header block");
    const length = block.readUInt32BE(offset);
    offset += 4;
    if (offset + length > block.length) throw new SpdyProtocolError("truncated header block");
    const bytes = block.subarray(offset, offset + length);
    offset += length;
    return bytes;
  };
  if (block.length < 4) throw new SpdyProtocolError("truncated header block");
  const count = block.readUInt32BE(0);
  offset = 4;
  const headers: HeaderBlock = {};
  for (let i = 0; i < count; i++) {
    const name = take().toString("utf8").toLowerCase();
    headers[name] = take().toString("utf8").split("\0");
  }
  return headers;
}

/** First value of a header, if present. */
export function headerValue(headers: HeaderBlock, name: string): string | undefined {
  return headers[name.toLowerCase()]?.[0];
}

/** One long-lived zlib engine fed a block at a time, each answered after a sync flush; blocks run in order. */
class ZlibChannel {
  private queue: Promise<unknown> = Promise.resolve();
  private failure: Error | undefined;

  constructor(private readonly engine: Deflate | Inflate) {
    engine.on("error", (error: Error) => (this.failure = error));
  }

  run(input: Buffer): Promise<Buffer> {
    const next = this.queue.then(
      () =>
        new Promise<Buffer>((resolve, reject) => {
          if (this.failure) return reject(this.failure);
          const parts: Buffer[] = [];
          const collect = (chunk: Buffer): void => void parts.push(chunk);
          const fail = (error: Error): void => {
            this.engine.off("data", collect);
            reject(error);
          };
          this.engine.on("data", collect);
          this.engine.once("error", fail);
          this.engine.write(input);
          this.engine.flush(constants.Z_SYNC_FLUSH, () => {
            this.engine.off("data", collect);
            this.engine.off("error", fail);
            if (this.failure) reject(this.failure);
            else resolve(Buffer.concat(parts));
          });
        }),
    );
    this.queue = next.catch(() => undefined);
    return next;
  }

  close(): void {
    this.engine.close();
  }
}

/** The 8-byte header plus payload of one frame, before its fields are interpreted. */
export interface RawFrame {
  control: boolean;
  /** Control frames: the protocol version. */
  version: number;
  /** Control frames: the frame type. Data frames: 0. */
  type: number;
  /** Data frames: the stream id. */
  streamId: number;
  flags: number;
  payload: Buffer;
}

/** Cuts a byte stream (arriving in arbitrary pieces) into frames. */
export class FrameReader {
  private buffered: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): RawFrame[] {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    const frames: RawFrame[] = [];
    while (this.buffered.length >= 8) {
      const first = this.buffered.readUInt32BE(0);
      const flagsAndLength = this.buffered.readUInt32BE(4);
      const length = flagsAndLength & 0xffffff;
      if (this.buffered.length < 8 + length) break;
      const control = (first & 0x80000000) !== 0;
      frames.push({
        control,
        version: control ? (first >>> 16) & 0x7fff : 0,
        type: control ? first & 0xffff : 0,
        streamId: control ? 0 : first & 0x7fffffff,
        flags: flagsAndLength >>> 24,
        payload: this.buffered.subarray(8, 8 + length),
      });
      this.buffered = this.buffered.subarray(8 + length);
    }
    return frames;
  }
}

/**
 * Frames to bytes and back for one end of a connection: owns that end's
 * header compressor (outgoing) and decompressor (incoming). Calls of each
 * direction must be made in wire order.
 */
export class SpdyFramer {
  private readonly compressor = new ZlibChannel(createDeflate({ dictionary: HEADER_DICTIONARY, level: constants.Z_BEST_COMPRESSION }));
  private readonly decompressor = new ZlibChannel(createInflate({ dictionary: HEADER_DICTIONARY }));

  async encode(frame: SpdyFrame): Promise<Buffer> {
    switch (frame.kind) {
      case "data": {
        const head = Buffer.alloc(8);
        head.writeUInt32BE(frame.streamId & 0x7fffffff, 0);
        head.writeUInt32BE((((frame.fin ? FLAG_FIN : 0) << 24) | frame.data.length) >>> 0, 4);
        return Buffer.concat([head, frame.data]);
      }
      case "synStream": {
        const fixed = Buffer.alloc(10);
        fixed.writeUInt32BE(frame.streamId & 0x7fffffff, 0);
        fixed.writeUInt32BE(frame.associatedTo & 0x7fffffff, 4);
        fixed.writeUInt8((frame.priority & 0x7) << 5, 8);
        return control(CONTROL.synStream, frame.flags, Buffer.concat([fixed, await this.compressor.run(encodeHeaderBlock(frame.headers))]));
      }
      case "synReply":
      case "headers":
        return control(frame.kind === "synReply" ? CONTROL.synReply : CONTROL.headers, frame.flags, Buffer.concat([uint32(frame.streamId & 0x7fffffff), await this.compressor.run(encodeHeaderBlock(frame.headers))]));
      case "rstStream":
        return control(CONTROL.rstStream, 0, Buffer.concat([uint32(frame.streamId & 0x7fffffff), uint32(frame.status)]));
      case "settings":
        return control(CONTROL.settings, frame.flags, Buffer.concat([uint32(frame.entries.length), ...frame.entries.flatMap((e) => [uint32(((e.flags << 24) | (e.id & 0xffffff)) >>> 0), uint32(e.value)])]));
      case "ping":
        return control(CONTROL.ping, 0, uint32(frame.id));
      case "goAway":
        return control(CONTROL.goAway, 0, Buffer.concat([uint32(frame.lastGoodStreamId & 0x7fffffff), uint32(frame.status)]));
      case "windowUpdate":
        return control(CONTROL.windowUpdate, 0, Buffer.concat([uint32(frame.streamId & 0x7fffffff), uint32(frame.delta & 0x7fffffff)]));
      case "unknown":
        throw new SpdyProtocolError(`cannot encode control frame type ${frame.type}`);
    }
  }

  async decode(raw: RawFrame): Promise<SpdyFrame> {
    const p = raw.payload;
    if (!raw.control) {
      if (raw.streamId === 0) throw new SpdyProtocolError("stream id zero is disallowed");
      return { kind: "data", streamId: raw.streamId, fin: (raw.flags & FLAG_FIN) !== 0, data: p };
    }
    if (raw.version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${raw.version}`);
    const need = (bytes: number, exact = false): void => {
      if (p.length < bytes || (exact && p.length !== bytes)) throw new SpdyProtocolError(`invalid control frame (type ${raw.type}, ${p.length} bytes)`);
    };
    const streamId = (offset: number): number => {
      const id = p.readUInt32BE(offset) & 0x7fffffff;
      if (id === 0) throw new SpdyProtocolError("stream id zero is disallowed");
      return id;
    };
    switch (raw.type) {
      case CONTROL.synStream:
        need(10);
        return {
          kind: "synStream",
          streamId: streamId(0),
          associatedTo: p.readUInt32BE(4) & 0x7fffffff,
          priority: p.readUInt8(8) >>> 5,
          flags: raw.flags,
          headers: decodeHeaderBlock(await this.decompressor.run(p.subarray(10))),
        };
      case CONTROL.synReply:
      case CONTROL.headers:
        need(4);
        return { kind: raw.type === CONTROL.synReply ? "synReply" : "headers", streamId: streamId(0), flags: raw.flags, headers: decodeHeaderBlock(await this.decompressor.run(p.subarray(4))) };
      case CONTROL.rstStream:
        need(8, true);
        return { kind: "rstStream", streamId: streamId(0), status: p.readUInt32BE(4) };
      case CONTROL.settings: {
        need(4);
        const count = p.readUInt32BE(0);
        need(4 + count * 8, true);
        const entries = Array.from({ length: count }, (_, i) => {
          const word = p.readUInt32BE(4 + i * 8);
          return { id: word & 0xffffff, flags: word >>> 24, value: p.readUInt32BE(8 + i * 8) };
        });
        return { kind: "settings", flags: raw.flags, entries };
      }
      case CONTROL.ping:
        need(4, true);
        return { kind: "ping", id: p.readUInt32BE(0) };
      case CONTROL.goAway:
        need(8, true);
        return { kind: "goAway", lastGoodStreamId: p.readUInt32BE(0) & 0x7fffffff, status: p.readUInt32BE(4) };
      case CONTROL.windowUpdate:
        need(8, true);
        return { kind: "windowUpdate", streamId: p.readUInt32BE(0) & 0x7fffffff, delta: p.readUInt32BE(4) & 0x7fffffff };
      default:
        return { kind: "unknown", type: raw.type };
    }
  }

  close(): void {
    this.compressor.close();
    this.decompressor.close();
  }
}

function control(type: number, flags: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(((flags << 24) | payload.length) >>> 0, 4);
  return Buffer.concat([head, payload]);
}
