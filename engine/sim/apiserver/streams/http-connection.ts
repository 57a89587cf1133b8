// One TCP connection to a simulated server, seen from the server: bytes in
// are HTTP/1.x requests (pipelined or split anywhere), each answered in
// order; the connection stays open as HTTP/1.1 keep-alive says (HTTP/1.0
// only with `Connection: keep-alive`). Bytes that are not HTTP, or a server
// that does not speak HTTP, end the connection without an answer.

export interface HttpRequestHead {
  method: string;
  /** The request target as sent (`/path?query`). */
  target: string;
  version: "1.0" | "1.1";
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
}

export interface HttpAnswer {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: string;
}

/** The server's answer to one request, or `close` when it hangs up instead. */
export type Serve = (request: HttpRequestHead) => HttpAnswer | "close";

export interface ConnectionSink {
  write(bytes: Buffer): void;
  /** The server closes the connection. */
  close(): void;
}

/** nginx refuses request heads larger than its large_client_header_buffers; we stop reading at this. */
const MAX_HEAD_BYTES = 64 * 1024;

type BodyState = { kind: "length"; remaining: number } | { kind: "chunked"; phase: "size" | "data" | "data-crlf" | "trailer"; remaining: number };

export class HttpConnection {
  private buffered: Buffer = Buffer.alloc(0);
  private request: HttpRequestHead | undefined;
  private body: BodyState | undefined;
  private closed = false;

  constructor(
    private readonly serve: Serve,
    private readonly sink: ConnectionSink,
  ) {}

  receive(bytes: Buffer): void {
    if (this.closed) return;
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, bytes]) : bytes;
    while (!this.closed && this.step()) {
      // Each step consumed something; go on while whole pieces remain.
    }
  }

  /** The client closed its side: anything unanswered stays unanswered. */
  end(): void {
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sink.close();
  }

  /** Parse what the buffer holds next (a head, some body); false when more bytes are needed. */
  private step(): boolean {
    if (!this.request) return this.readHead();
    if (this.body) return this.readBody(this.body);
    this.respond(this.request);
    return true;
  }

  private readHead(): boolean {
    // Stray CRLFs between requests are allowed (RFC 9112 2.2).
    let start = 0;
    while (this.buffered[start] === 0x0d || this.buffered[start] === 0x0a) start++;
    const end = this.buffered.indexOf("\r\n\r\n", start);
    if (end < 0) {
      if (this.buffered.length - start > MAX_HEAD_BYTES) this.close();
      return false;
    }
    const lines = this.buffered.subarray(start, end).toString("latin1").split("\r\n");
    this.buffered = this.buffered.subarray(end + 4);
    const requestLine = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/(1\.[01])$/.exec(lines[0] ?? "");
    if (!requestLine) {
      this.close();
      return false;
    }
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(":");
      if (colon <= 0) {
        this.close();
        return false;
      }
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    this.request = { method: requestLine[1] as string, target: requestLine[2] as string, version: requestLine[3] as "1.0" | "1.1", headers };
    if (/\bchunked\b/i.test(headers["transfer-encoding"] ?? "")) this.body = { kind: "chunked", phase: "size", remaining: 0 };
    else {
      const length = Number(headers["content-length"] ?? 0);
      if (!Number.isSafeInteger(length) || length < 0) {
        this.close();
        return false;
      }
      if (length > 0) this.body = { kind: "length", remaining: length };
    }
    return true;
  }

  /** Skip the body (no simulated server reads one); true once something was consumed or the body is done. */
  private readBody(body: BodyState): boolean {
    if (body.kind === "length") {
      const taken = Math.min(body.remaining, this.buffered.length);
      this.buffered = this.buffered.subarray(taken);
      body.remaining -= taken;
      if (body.remaining === 0) this.body = undefined;
      return taken > 0 || !this.body;
    }
    if (body.phase === "data") {
      const taken = Math.min(body.remaining, this.buffered.length);
      this.buffered = this.buffered.subarray(taken);
      body.remaining -= taken;
      if (body.remaining === 0) body.phase = "data-crlf";
      return taken > 0;
    }
    const eol = this.buffered.indexOf("\r\n");
    if (eol < 0) {
      if (this.buffered.length > MAX_HEAD_BYTES) this.close();
      return false;
    }
    const line = this.buffered.subarray(0, eol).toString("latin1");
    this.buffered = this.buffered.subarray(eol + 2);
    if (body.phase === "data-crlf") {
      body.phase = "size";
    } else if (body.phase === "size") {
      const size = parseInt(line.split(";")[0] ?? "", 16);
      if (!Number.isSafeInteger(size) || size < 0) {
        this.close();
        return false;
      }
      if (size === 0) body.phase = "trailer";
      else Object.assign(body, { phase: "data", remaining: size });
    } else if (line === "") {
      this.body = undefined;
    }
    return true;
  }

  private respond(request: HttpRequestHead): void {
    this.request = undefined;
    const answer = this.serve(request);
    if (answer === "close") return this.close();
    const clientKeepsAlive = request.version === "1.1" ? !/\bclose\b/i.test(request.headers.connection ?? "") : /\bkeep-alive\b/i.test(request.headers.connection ?? "");
    const headers = { ...answer.headers };
    const serverHeader = Object.keys(headers).find((k) => k.toLowerCase() === "connection");
    const serverCloses = serverHeader !== undefined && /\bclose\b/i.test(headers[serverHeader] ?? "");
    const keepAlive = clientKeepsAlive && !serverCloses;
    // The server's own Connection header keeps its place; others get one at the end.
    if (!keepAlive || request.version === "1.0") headers[serverHeader ?? "Connection"] = keepAlive ? "keep-alive" : "close";
    const head = [`HTTP/1.1 ${answer.status} ${answer.statusText}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), "", ""].join("\r\n");
    const body = request.method === "HEAD" ? "" : answer.body;
    this.sink.write(Buffer.concat([Buffer.from(head, "latin1"), Buffer.from(body, "utf8")]));
    if (!keepAlive) this.close();
  }
}
