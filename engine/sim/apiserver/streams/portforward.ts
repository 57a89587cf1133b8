// pods/portforward: the API server and kubelet roles in one. kubectl 1.32
// first asks for a websocket with subprotocol `SPDY/3.1+portforward.k8s.io`
// and runs SPDY/3.1 inside its binary messages; if that is refused it falls
// back to a plain `Upgrade: SPDY/3.1` on the same URL. Either way the SPDY
// connection carries, per local TCP connection, two streams with the same
// `requestID` header: `streamType: error` (server -> client error text) and
// `streamType: data` (the bytes of the connection to `port` inside the pod).
// The pod's side is the simulated network: a connection to 127.0.0.1:<port>
// in the pod's network namespace, answered as HTTP by whatever listens there.
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import type { Network, NetworkOrigin } from "../../network";
import type { Registry, ResourceType } from "../../registry";
import type { Pod } from "../../types";
import type { ResourceService } from "../service";
import { ApiError, errors } from "../status";
import { refuseUpgrade } from "./exec";
import { HttpConnection, type Serve } from "./http-connection";
import { headerValue, type HeaderBlock } from "./spdy";
import { SpdySession, type ByteTransport, type SpdyStream, type StreamHandler } from "./spdy-session";
import { uuidFromHex } from "../uid";

export const PORT_FORWARD_PROTOCOL = "portforward.k8s.io";
/** The websocket subprotocol of SPDY tunnelled in websocket (client-go's tunnelling prefix + the SPDY protocol). */
export const TUNNELED_PORT_FORWARD_PROTOCOL = `SPDY/3.1+${PORT_FORWARD_PROTOCOL}`;

export interface PortForwardDeps {
  service: ResourceService;
  registry: Registry;
  network: Network;
}

/** The pod a port-forward upgrade is for, or undefined when the path is not pods/portforward. */
export function portForwardTarget(url: URL): { namespace: string; pod: string } | undefined {
  const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward\/?$/.exec(url.pathname);
  if (!m) return undefined;
  return { namespace: decodeURIComponent(m[1] as string), pod: decodeURIComponent(m[2] as string) };
}

export class PortForwardServer {
  private readonly wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has(TUNNELED_PORT_FORWARD_PROTOCOL) ? TUNNELED_PORT_FORWARD_PROTOCOL : false),
  });
  private readonly podType: ResourceType;
  private readonly sessions = new Set<SpdySession>();

  constructor(private readonly deps: PortForwardDeps) {
    this.podType = deps.registry.find("", "v1", "pods") as ResourceType;
  }

  /** Connections still open (each kubectl port-forward process holds one). */
  get openSessions(): number {
    return this.sessions.size;
  }

  /** Handle one (already authenticated and authorized) upgrade request. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    try {
      const target = portForwardTarget(new URL(req.url ?? "/", "https://sim"));
      if (!target) throw errors.pathNotFound();
      const pod = this.deps.service.get(this.podType, target.namespace, target.pod) as Pod;
      if (!pod.spec.nodeName) throw errors.badRequest(`pod ${target.pod} does not have a host assigned`);
      const forwarder = new PodPortForwarder(pod, this.deps.network);
      const upgradeHeader = String(req.headers.upgrade ?? "").toLowerCase();
      if (upgradeHeader === "websocket") {
        const offered = String(req.headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim());
        if (!offered.includes(TUNNELED_PORT_FORWARD_PROTOCOL)) throw errors.badRequest(`unable to upgrade connection: requested protocols [${offered.join(" ")}] are not supported, expected ${TUNNELED_PORT_FORWARD_PROTOCOL}`);
        this.wss.handleUpgrade(req, socket, head, (ws) => {
          const session = this.session({ send: (bytes) => ws.send(bytes, { binary: true }), close: () => ws.close(1000) }, forwarder);
          ws.on("message", (data: Buffer, isBinary: boolean) => (isBinary ? session.receive(data) : session.close()));
          ws.on("close", () => session.close());
          ws.on("error", () => session.close());
        });
        return;
      }
      if (upgradeHeader.includes("spdy/3.1")) return this.spdyUpgrade(req, socket, head, forwarder);
      throw errors.badRequest("Upgrade request required");
    } catch (error) {
      const failure = error instanceof ApiError ? error : errors.internal(String(error));
      refuseUpgrade(socket, failure.status);
    }
  }

  closeAll(): void {
    for (const session of [...this.sessions]) session.close();
  }

  /** The plain SPDY upgrade: a 101 naming the protocol, then SPDY frames on the socket itself. */
  private spdyUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, forwarder: PodPortForwarder): void {
    const offered = String(req.headers["x-stream-protocol-version"] ?? "").split(",").map((p) => p.trim()).filter(Boolean);
    // A client naming no protocol is an old one; it gets the only protocol there is.
    if (offered.length && !offered.includes(PORT_FORWARD_PROTOCOL)) {
      const message = `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(" ")}], server accepts [${PORT_FORWARD_PROTOCOL}]`;
      socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(message)}\r\nConnection: close\r\n\r\n${message}`);
      return;
    }
    const agreed = offered.length ? `X-Stream-Protocol-Version: ${PORT_FORWARD_PROTOCOL}\r\n` : "";
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n${agreed}\r\n`);
    const transport: ByteTransport = { send: (bytes) => socket.write(bytes), close: () => socket.end() };
    const session = this.session(transport, forwarder);
    socket.on("data", (bytes: Buffer) => session.receive(bytes));
    // The client's EOF ends the connection (spdystream stops at its read loop's end); servers keep sockets half open.
    socket.on("end", () => session.close());
    socket.on("close", () => session.close());
    socket.on("error", () => socket.destroy());
    if (head.length) session.receive(head);
  }

  private session(transport: ByteTransport, forwarder: PodPortForwarder): SpdySession {
    const session: SpdySession = new SpdySession(transport, forwarder, () => this.sessions.delete(session));
    this.sessions.add(session);
    return session;
  }
}

/** The streams of one local connection: they arrive one at a time, forwarding starts when both are there. */
interface StreamPair {
  data?: SpdyStream;
  error?: SpdyStream;
}

/** The kubelet side of one port-forward connection: pairs streams by request id and forwards each pair. */
class PodPortForwarder implements StreamHandler {
  private readonly pairs = new Map<string, StreamPair>();
  private readonly origin: NetworkOrigin;

  constructor(
    private readonly pod: Pod,
    private readonly network: Network,
  ) {
    this.origin = { namespace: pod.metadata.namespace ?? "default", pod: pod.metadata.name ?? "" };
  }

  validate(headers: HeaderBlock): string | undefined {
    const port = headerValue(headers, "port");
    if (!port) return `"port" header is required`;
    if (!/^\d+$/.test(port) || Number(port) > 65535) return `unable to parse "${port}" as a port`;
    if (Number(port) < 1) return `port "${port}" must be > 0`;
    const type = headerValue(headers, "streamType");
    if (!type) return `"streamType" header is required`;
    if (type !== "error" && type !== "data") return `invalid stream type "${type}"`;
    return undefined;
  }

  opened(stream: SpdyStream): void {
    const type = headerValue(stream.headers, "streamType") as "error" | "data";
    // Clients older than request ids open error then data streams with consecutive odd ids.
    const requestID = headerValue(stream.headers, "requestID") ?? String(type === "error" ? stream.id : stream.id - 2);
    const pair = this.pairs.get(requestID) ?? {};
    this.pairs.set(requestID, pair);
    if (pair[type]) {
      pair.error?.write(Buffer.from(`error processing stream for request ${requestID}: ${type} stream already assigned`));
      return;
    }
    pair[type] = stream;
    if (pair.data && pair.error) {
      this.pairs.delete(requestID);
      this.forward(pair.data, pair.error);
    }
  }

  private forward(data: SpdyStream, error: SpdyStream): void {
    const port = Number(headerValue(data.headers, "port"));
    const finish = (): void => {
      data.end();
      error.end();
    };
    const reached = this.network.connect("127.0.0.1", port, { from: this.origin });
    if (!reached.ok) {
      error.write(Buffer.from(this.connectFailure(port, reached.error === "timeout" ? "connection timed out" : "connection refused")));
      finish();
      return;
    }
    const serve: Serve = (request) => {
      const result = this.network.http("127.0.0.1", port, request.target, { from: this.origin, method: request.method, headers: request.headers });
      return result.ok ? result : "close";
    };
    const connection = new HttpConnection(serve, { write: (bytes) => data.write(bytes), close: finish });
    data.attach({ data: (bytes) => connection.receive(bytes), end: () => connection.end(), reset: () => connection.close() });
  }

  /** What kubelet + containerd report when nothing answers on the port inside the pod's network namespace. */
  private connectFailure(port: number, why: string): string {
    const sandbox = createHash("sha256").update(`sandbox/${this.pod.metadata.uid ?? ""}`).digest("hex");
    const netns = createHash("sha256").update(`netns/${this.pod.metadata.uid ?? ""}`).digest("hex");
    const uuid = uuidFromHex(netns);
    return `error forwarding port ${port} to pod ${sandbox}, uid : failed to execute portforward in network namespace "/var/run/netns/cni-${uuid}": failed to connect to localhost:${port} inside namespace "${sandbox}", IPv4: dial tcp4 127.0.0.1:${port}: connect: ${why} IPv6 dial tcp6: address localhost: no suitable address found `;
  }
}
