// The sim ClusterDriver: one HTTP server on 127.0.0.1 for every cluster,
// routing each request by its bearer token, plus one unix socket per cluster
// (for a learner's sandbox) whose connections may only reach that cluster.
// A cluster costs a store and a few watchers: no TCP port, no process.
import { createHash } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import { chmodSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createNetServer, type Server as NetServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { Clock } from "../clock";
import type { ClusterDriver, ClusterLease } from "../cluster";
import { bearerToken, createSimCluster, sendUnauthorized, type SimCluster } from "./cluster/cluster";

export interface SimDriverOptions {
  clock: Clock;
  /** Per-cluster sockets live under `${runtimeDir}/clusters/<clusterId>/api.sock`. */
  runtimeDir: string;
}

interface Entry {
  id: string;
  cluster: SimCluster;
  socketServer: NetServer;
  sockets: Set<Socket>;
  lease: ClusterLease;
}

export class SimDriver implements ClusterDriver {
  readonly name = "sim" as const;
  private readonly byLearner = new Map<string, Promise<Entry>>();
  private readonly byToken = new Map<string, Entry>();
  /** Connections that arrived on a cluster's unix socket, and may reach only that cluster. */
  private readonly socketOwner = new WeakMap<Socket, Entry>();
  private http?: Promise<{ server: Server; url: string }>;
  private closed = false;

  constructor(private readonly options: SimDriverOptions) {}

  async acquire(learnerId: string, signal?: AbortSignal): Promise<ClusterLease> {
    signal?.throwIfAborted();
    if (this.closed) throw new Error("sim driver is closed");
    let pending = this.byLearner.get(learnerId);
    if (!pending) {
      pending = this.create(learnerId);
      this.byLearner.set(learnerId, pending);
      pending.catch(() => this.byLearner.delete(learnerId));
    }
    return (await pending).lease;
  }

  /** The learner's live cluster, e.g. to snapshot it. */
  async cluster(learnerId: string): Promise<SimCluster | undefined> {
    return (await this.byLearner.get(learnerId))?.cluster;
  }

  async release(learnerId: string): Promise<void> {
    const pending = this.byLearner.get(learnerId);
    if (!pending) return;
    this.byLearner.delete(learnerId);
    await this.dispose(await pending);
  }

  async close(): Promise<void> {
    this.closed = true;
    const entries = await Promise.allSettled([...this.byLearner.values()]);
    this.byLearner.clear();
    await Promise.all(entries.flatMap((e) => (e.status === "fulfilled" ? [this.dispose(e.value)] : [])));
    if (this.http) {
      const { server } = await this.http;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  private listen(): Promise<{ server: Server; url: string }> {
    this.http ??= new Promise((resolve, reject) => {
      const server = createServer((req, res) => this.route(req, res));
      server.on("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo;
        resolve({ server, url: `http://127.0.0.1:${port}` });
      });
    });
    return this.http;
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const token = bearerToken(req);
    const pinned = this.socketOwner.get(req.socket);
    // On a cluster's own socket the socket is the credential: kubectl never sends a
    // bearer token over plain http (client-go attaches user auth only for https).
    // A token that is sent must still be that cluster's.
    const entry = pinned ?? (token === undefined ? undefined : this.byToken.get(token));
    if (!entry || (token !== undefined && token !== entry.cluster.token)) return sendUnauthorized(res);
    entry.cluster.handleAuthenticated(req, res);
  }

  private async create(learnerId: string): Promise<Entry> {
    const { server, url } = await this.listen();
    const id = `c${createHash("sha256").update(learnerId).digest("hex").slice(0, 16)}`;
    const dir = path.join(this.options.runtimeDir, "clusters", id);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const socketPath = path.join(dir, "api.sock");
    await rm(socketPath, { force: true });
    const cluster = createSimCluster({ clock: this.options.clock });
    const sockets = new Set<Socket>();
    const entry: Entry = {
      id,
      cluster,
      sockets,
      socketServer: createNetServer((socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
        this.socketOwner.set(socket, entry);
        server.emit("connection", socket);
      }),
      lease: { id, access: { server: url, token: cluster.token, socketPath } },
    };
    await new Promise<void>((resolve, reject) => {
      entry.socketServer.once("error", reject);
      entry.socketServer.listen(socketPath, () => resolve());
    });
    // A sandboxed learner uid connects through a bind mount of this one file.
    chmodSync(socketPath, 0o666);
    this.byToken.set(cluster.token, entry);
    return entry;
  }

  private async dispose(entry: Entry): Promise<void> {
    this.byToken.delete(entry.cluster.token);
    entry.cluster.dispose();
    for (const socket of entry.sockets) socket.destroy();
    await new Promise<void>((resolve) => entry.socketServer.close(() => resolve()));
    await rm(path.dirname(entry.lease.access.socketPath), { recursive: true, force: true });
  }
}
