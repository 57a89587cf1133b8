// The server end of one SPDY/3.1 connection, behaving as the Go spdystream
// package the kubelet uses: the client opens streams (odd ids) with
// SYN_STREAM, the server accepts each with an empty SYN_REPLY (or refuses it
// with RST_STREAM), either side half-closes with FIN, PINGs from the client
// are echoed. No flow control: spdystream neither sends nor honours window
// updates, so neither do we.
import { FLAG_FIN, FrameReader, RST_STATUS, SpdyFramer, type HeaderBlock, type SpdyFrame } from "./spdy";

/** Bytes in and out: a socket after a SPDY upgrade, or a websocket carrying SPDY in binary messages. */
export interface ByteTransport {
  send(bytes: Buffer): void;
  close(): void;
}

export interface StreamListener {
  data(bytes: Buffer): void;
  /** The client half-closed the stream (FIN). */
  end(): void;
  /** The stream was reset, or the connection went away. */
  reset(): void;
}

export interface StreamHandler {
  /** Why a new stream is refused (it is reset), or undefined to accept it. */
  validate(headers: HeaderBlock): string | undefined;
  /** An accepted stream, after its SYN_REPLY is queued. */
  opened(stream: SpdyStream): void;
}

/** Data frames carry at most this much, so one websocket message stays small. */
const MAX_CHUNK = 32 * 1024;

export class SpdyStream {
  private listener: StreamListener | undefined;
  /** Data that arrived before anyone attached. */
  private early: Buffer[] = [];
  private localClosed = false;
  private remoteClosed: boolean;

  constructor(
    readonly id: number,
    readonly headers: HeaderBlock,
    private readonly session: SpdySession,
    fin: boolean,
  ) {
    this.remoteClosed = fin;
  }

  /** Who receives this stream's incoming data (what came before is handed over first). */
  attach(listener: StreamListener): void {
    this.listener = listener;
    for (const bytes of this.early.splice(0)) listener.data(bytes);
    if (this.remoteClosed) listener.end();
  }

  write(bytes: Buffer): void {
    if (this.localClosed) return;
    for (let at = 0; at < bytes.length; at += MAX_CHUNK) this.session.send({ kind: "data", streamId: this.id, fin: false, data: bytes.subarray(at, at + MAX_CHUNK) });
  }

  /** Half-close our side (an empty data frame with FIN). */
  end(): void {
    if (this.localClosed) return;
    this.localClosed = true;
    this.session.send({ kind: "data", streamId: this.id, fin: true, data: Buffer.alloc(0) });
    this.session.settle(this);
  }

  get closed(): boolean {
    return this.localClosed && this.remoteClosed;
  }

  /** Frames from the session. */
  received(frame: { data: Buffer; fin: boolean }): void {
    if (this.remoteClosed) return;
    if (frame.data.length) {
      if (this.listener) this.listener.data(frame.data);
      else this.early.push(frame.data);
    }
    if (frame.fin) {
      this.remoteClosed = true;
      this.listener?.end();
    }
  }

  dropped(): void {
    this.localClosed = true;
    this.remoteClosed = true;
    this.listener?.reset();
  }
}

export class SpdySession {
  private readonly framer = new SpdyFramer();
  private readonly reader = new FrameReader();
  private readonly streams = new Map<number, SpdyStream>();
  private inbox: Promise<void> = Promise.resolve();
  private outbox: Promise<void> = Promise.resolve();
  private lastRemoteId = 0;
  private goneAway = false;
  private ended = false;

  constructor(
    private readonly transport: ByteTransport,
    private readonly handler: StreamHandler,
    private readonly onClose: () => void = () => undefined,
  ) {}

  /** Bytes from the client, in order. */
  receive(bytes: Buffer): void {
    if (this.ended) return;
    for (const raw of this.reader.push(bytes)) {
      this.inbox = this.inbox.then(async () => {
        if (this.ended) return;
        this.handle(await this.framer.decode(raw));
      });
    }
    // A frame we cannot read ends the connection, as spdystream's read loop does.
    this.inbox = this.inbox.catch(() => this.close());
  }

  /** Queue a frame; frames go out in the order they were queued. */
  send(frame: SpdyFrame): void {
    this.outbox = this.outbox
      .then(async () => {
        if (this.ended) return;
        const bytes = await this.framer.encode(frame);
        if (!this.ended) this.transport.send(bytes);
      })
      .catch(() => this.close());
  }

  /** Forget a stream once both sides have closed it. */
  settle(stream: SpdyStream): void {
    if (stream.closed) this.streams.delete(stream.id);
  }

  get openStreams(): number {
    return this.streams.size;
  }

  /** Close the transport (if still open) and drop every stream; safe to call again. */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.transport.close();
    this.framer.close();
    const streams = [...this.streams.values()];
    this.streams.clear();
    for (const stream of streams) stream.dropped();
    this.onClose();
  }

  private handle(frame: SpdyFrame): void {
    switch (frame.kind) {
      case "synStream":
        return this.open(frame.streamId, frame.headers, (frame.flags & FLAG_FIN) !== 0);
      case "data": {
        const stream = this.streams.get(frame.streamId);
        if (!stream) return;
        stream.received(frame);
        this.settle(stream);
        return;
      }
      case "rstStream": {
        const stream = this.streams.get(frame.streamId);
        if (!stream) return;
        this.streams.delete(frame.streamId);
        stream.dropped();
        return;
      }
      case "ping":
        // Client pings have odd ids; echo them. Ours would be even (we send none).
        if (frame.id % 2 === 1) this.send(frame);
        return;
      case "goAway":
        this.goneAway = true;
        return;
      default:
        // SYN_REPLY (we open no streams), SETTINGS, WINDOW_UPDATE, HEADERS and unknown types change nothing here.
        return;
    }
  }

  private open(id: number, headers: HeaderBlock, fin: boolean): void {
    if (this.goneAway) return;
    if (id % 2 === 0 || id <= this.lastRemoteId) {
      this.send({ kind: "rstStream", streamId: id, status: RST_STATUS.protocolError });
      return;
    }
    this.lastRemoteId = id;
    const refusal = this.handler.validate(headers);
    if (refusal !== undefined) {
      this.send({ kind: "rstStream", streamId: id, status: RST_STATUS.cancel });
      return;
    }
    const stream = new SpdyStream(id, headers, this, fin);
    this.streams.set(id, stream);
    this.send({ kind: "synReply", streamId: id, flags: 0, headers: {} });
    this.handler.opened(stream);
  }
}
