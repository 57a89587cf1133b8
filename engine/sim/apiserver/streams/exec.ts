// exec and attach over websocket, the channel protocol kubectl 1.30+ and
// client-node speak (`v5.channel.k8s.io`, also v4): the first byte of every
// binary message is the stream (0 stdin, 1 stdout, 2 stderr, 3 status JSON,
// 4 resize, 255 close-a-stream in v5). The answer ends with one status on
// channel 3: Success, or NonZeroExitCode with the code, as the kubelet sends.
//
// Closing: kubectl reads until the server closes, and its terminal-size sender
// starts only after the upgrade. On a real cluster the API server first dials
// the kubelet, which asks the runtime to start the process, so that size has
// always arrived before any command can end; a write after our close fails in
// kubectl with "Unhandled Error" err="websocket: close sent". Our commands can
// end at once, so a tty session closes after the client's first size message
// (or CLIENT_SETUP_MS of clock, for a client that sends none).
import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { Registry, ResourceType } from "../../registry";
import type { Pod } from "../../types";
import type { ResourceService } from "../service";
import { ApiError, errors, type Status } from "../status";
import type { ContainerRuntime, Session, SimContainer } from "../../container/runtime";
import { Input } from "../../container/io";

export const STREAM_PROTOCOLS = ["v5.channel.k8s.io", "v4.channel.k8s.io"];

const CHANNEL = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

/** How long a finished tty session waits for a client that never reports its terminal size. */
export const CLIENT_SETUP_MS = 1000;

type StreamOptions = { stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean };

/** One upgraded connection: the process's streams, and when the connection may be closed. */
interface Connection {
  session: Session;
  closed: Promise<void>;
  /** Resolves on the client's first terminal-size message (tty sessions), or when it goes away. */
  sized?: Promise<void>;
}

export interface StreamDeps {
  service: ResourceService;
  registry: Registry;
  runtime: ContainerRuntime;
}

/** The pod subresource an upgrade asks for, or undefined when it is not exec/attach. */
export function streamTarget(url: URL): { namespace: string; pod: string; action: "exec" | "attach" } | undefined {
  const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach)\/?$/.exec(url.pathname);
  if (!m) return undefined;
  return { namespace: decodeURIComponent(m[1] as string), pod: decodeURIComponent(m[2] as string), action: m[3] as "exec" | "attach" };
}

/** Answer an upgrade that will not happen with a plain HTTP Status, then close the socket. */
export function refuseUpgrade(socket: Duplex, status: Status): void {
  const body = JSON.stringify(status);
  socket.end(`HTTP/1.1 ${status.code} ${httpReason(status.code)}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/**
 * What the kubelet answers when it cannot stream (no running container): plain
 * text with a 500, passed through by the API server. Not being a Status,
 * kubectl prints it after `unable to upgrade connection: `, as on a real cluster.
 */
class KubeletRefusal extends Error {}

function refuseAsKubelet(socket: Duplex, text: string): void {
  socket.end(`HTTP/1.1 500 ${httpReason(500)}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
}

function httpReason(code: number): string {
  return { 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 500: "Internal Server Error" }[code] ?? "Error";
}

export class StreamServer {
  private readonly wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => STREAM_PROTOCOLS.find((p) => protocols.has(p)) ?? false,
  });
  private readonly podType: ResourceType;
  private readonly open = new Set<WebSocket>();

  constructor(private readonly deps: StreamDeps) {
    this.podType = deps.registry.find("", "v1", "pods") as ResourceType;
  }

  /** Handle one (already authenticated and authorized) upgrade request. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? "/", "https://sim");
    try {
      const target = streamTarget(url);
      if (!target) throw errors.pathNotFound();
      const pod = this.deps.service.get(this.podType, target.namespace, target.pod) as Pod;
      const q = url.searchParams;
      const names = pod.spec.containers.map((c) => c.name);
      const name = q.get("container") || (names.length === 1 ? names[0] : undefined);
      if (!name) throw errors.badRequest(`a container name must be specified for pod ${target.pod}, choose one of: [${names.join(" ")}]`);
      if (!names.includes(name) && !pod.spec.initContainers?.some((c) => c.name === name)) throw errors.badRequest(`container ${name} is not valid for pod ${target.pod}`);
      const phase = pod.status?.phase;
      if (phase === "Succeeded" || phase === "Failed") throw errors.badRequest(`cannot ${target.action === "exec" ? "exec into" : "attach to"} a container in a completed pod; current phase is ${phase}`);
      const container = this.deps.runtime.container(pod, name);
      if (!container?.running) throw new KubeletRefusal(`container not found ("${name}")`);
      const protocols = String(req.headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim());
      if (!STREAM_PROTOCOLS.some((p) => protocols.includes(p)) || String(req.headers.upgrade ?? "").toLowerCase() !== "websocket") {
        throw errors.badRequest("unable to upgrade connection: this server speaks websocket v4/v5.channel.k8s.io only");
      }
      const options = {
        stdin: q.get("stdin") === "true" || q.get("stdin") === "1",
        stdout: q.get("stdout") !== "false" && q.get("stdout") !== "0",
        stderr: q.get("stderr") !== "false" && q.get("stderr") !== "0",
        tty: q.get("tty") === "true" || q.get("tty") === "1",
        command: q.getAll("command"),
      };
      if (target.action === "exec" && !options.command.length) throw errors.badRequest("you must specify at least 1 command");
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        this.open.add(ws);
        ws.on("close", () => this.open.delete(ws));
        if (target.action === "exec") this.exec(ws, container, options);
        else this.attach(ws, container, options);
      });
    } catch (error) {
      if (error instanceof KubeletRefusal) return refuseAsKubelet(socket, error.message);
      const failure = error instanceof ApiError ? error : errors.internal(String(error));
      refuseUpgrade(socket, failure.status);
    }
  }

  closeAll(): void {
    for (const ws of this.open) ws.terminate();
    this.open.clear();
  }

  private connection(ws: WebSocket, options: StreamOptions): Connection {
    const send = (channel: number, text: string): void => {
      if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), Buffer.from(text, "utf8")]));
    };
    const stdin = options.stdin ? new Input() : undefined;
    let resized = (): void => undefined;
    const sized = new Promise<void>((resolve) => (resized = resolve));
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data as unknown as ArrayBuffer);
      // v4 clients may send base64 text frames; kubectl and client-node send binary.
      const frame = isBinary ? bytes : Buffer.from(bytes.toString("utf8"), "utf8");
      const channel = frame[0];
      const payload = frame.subarray(1);
      if (channel === CHANNEL.stdin) stdin?.push(payload.toString("utf8"));
      else if (channel === CHANNEL.resize) resized();
      else if (channel === CHANNEL.close && payload[0] === CHANNEL.stdin) stdin?.end();
    });
    const closed = new Promise<void>((resolve) => ws.on("close", () => {
      stdin?.end();
      resized();
      resolve();
    }));
    return {
      session: {
        stdin,
        tty: options.tty,
        stdout: (text) => {
          if (options.stdout) send(CHANNEL.stdout, text);
        },
        stderr: (text) => {
          if (options.stderr) send(CHANNEL.stderr, text);
        },
      },
      closed,
      ...(options.tty ? { sized } : {}),
    };
  }

  /** Send the final status; close once the client can take the close (see the top of this file). */
  private finish(ws: WebSocket, connection: Connection, status: object): void {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(Buffer.concat([Buffer.from([CHANNEL.error]), Buffer.from(JSON.stringify(status), "utf8")]));
    const close = (): void => {
      if (ws.readyState === ws.OPEN) ws.close(1000);
    };
    if (!connection.sized) return close();
    const timeout = this.deps.runtime.deps.clock.schedule(CLIENT_SETUP_MS, close);
    void connection.sized.then(() => {
      timeout.cancel();
      close();
    });
  }

  private exec(ws: WebSocket, container: SimContainer, options: StreamOptions & { command: string[] }): void {
    const connection = this.connection(ws, options);
    const { session, closed } = connection;
    if (!container.canExec(options.command)) {
      const id = randomBytes(32).toString("hex");
      this.finish(ws, connection, {
        metadata: {},
        status: "Failure",
        message: `Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "${id}": OCI runtime exec failed: exec failed: unable to start container process: exec: "${options.command[0] ?? ""}": executable file not found in $PATH: unknown`,
        reason: "InternalError",
        details: { causes: [{ message: `error executing command in container: failed to exec in container: failed to start exec "${id}": OCI runtime exec failed: exec failed: unable to start container process: exec: "${options.command[0] ?? ""}": executable file not found in $PATH: unknown` }] },
        code: 500,
      });
      return;
    }
    let kill: (() => void) | undefined;
    void closed.then(() => kill?.());
    void container
      .exec(options.command, session, (interrupt) => {
        kill = () => interrupt.fire();
      })
      .then(
        (code) => this.finish(ws, connection, exitStatus(options.command, code)),
        (error: unknown) => this.finish(ws, connection, { metadata: {}, status: "Failure", message: String(error), reason: "InternalError", code: 500 }),
      );
  }

  private attach(ws: WebSocket, container: SimContainer, options: StreamOptions): void {
    const connection = this.connection(ws, options);
    const { session, closed } = connection;
    const detach = container.attach(session);
    void closed.then(detach);
    void container.stopped.then((code) => {
      detach();
      this.finish(ws, connection, exitStatus(container.spec.command ?? container.spec.args ?? [], code));
    });
  }
}

/** The status the kubelet sends on channel 3 when the process ends. */
export function exitStatus(command: string[], code: number): object {
  if (code === 0) return { metadata: {}, status: "Success" };
  return {
    metadata: {},
    status: "Failure",
    message: `command terminated with non-zero exit code: error executing command [${command.join(" ")}], exit code ${code}`,
    reason: "NonZeroExitCode",
    details: { causes: [{ reason: "ExitCode", message: String(code) }] },
  };
}
