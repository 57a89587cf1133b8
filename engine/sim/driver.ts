// The sim ClusterDriver: one HTTPS server on 127.0.0.1 for every cluster,
// routing each request by its bearer token, plus one HTTPS unix socket per
// cluster (for a learner's sandbox) whose connections may only reach that
// cluster. Both present a certificate from the driver's own CA, which every
// lease carries: kubectl sends bearer tokens only over TLS, and every request
// is authenticated by its token. A cluster costs a store and a few watchers:
// no TCP port, no process.
import { createHash } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import { chmodSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from "node:net";
import { createSecureContext, TLSSocket, type SecureContext } from "node:tls";
import path from "node:path";
import type { Clock } from "../clock";
import type { ClusterDriver, ClusterLease, ClusterShape, ClusterStateStore } from "../cluster";
import { bearerToken, createSimCluster, sendUnauthorized, type SimCluster } from "./cluster/cluster";
import { tokenKeyId } from "./apiserver/auth/tokens";
import { createServingCertificates, type ServingCertificates } from "./tls";
import type { Duplex } from "node:stream";
import { refuseUpgrade } from "./apiserver/streams/exec";
import { errors } from "./apiserver/status";
import { SimStateKeeper, type SavedSimCluster } from "./persistence";

export interface SimDriverOptions {
  clock: Clock;
  /** Per-cluster sockets live under `${runtimeDir}/clusters/<clusterId>/api.sock`. */
  runtimeDir: string;
  /** TCP port of the shared listener on 127.0.0.1 (default: any free port). */
  port?: number;
  /** CA and serving certificate to present (default: a fresh CA made with openssl). */
  certificates?: ServingCertificates;
  /** Keeps each cluster's state across server restarts (default: none, clusters die with the process). */
  state?: ClusterStateStore;
  /** How often changed clusters are saved, in clock ms (default 10 s). */
  saveIntervalMs?: number;
  /** Where problems that must not stop the server are reported. */
  log?: (message: string, error?: unknown) => void;
}

/** The driver's shared port, and the TLS material every cluster's socket serves with. */
interface SharedListener {
  server: Server;
  url: string;
  certificates: ServingCertificates;
  secureContext: SecureContext;
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
  /** Clusters by the key id their ServiceAccount tokens are signed with. */
  private readonly byKeyId = new Map<string, Entry>();
  private http?: Promise<SharedListener>;
  private closed = false;
  private readonly keeper?: SimStateKeeper;
  private readonly log: (message: string, error?: unknown) => void;

  constructor(private readonly options: SimDriverOptions) {
    this.log = options.log ?? ((message, error) => console.error(`[sim] ${message}`, error ?? ""));
    if (options.state) this.keeper = new SimStateKeeper({ store: options.state, clock: options.clock, intervalMs: options.saveIntervalMs ?? 10_000, log: this.log });
  }

  async acquire(learnerId: string, signal?: AbortSignal): Promise<ClusterLease> {
    signal?.throwIfAborted();
    if (this.closed) throw new Error("sim driver is closed");
    let pending = this.byLearner.get(learnerId);
    if (!pending) {
      pending = this.create(learnerId, { resume: true });
      this.byLearner.set(learnerId, pending);
      pending.catch(() => this.byLearner.delete(learnerId));
    }
    return (await pending).lease;
  }

  /**
   * Give the learner a fresh cluster booted from the bytes of an etcd snapshot
   * (`etcdctl snapshot save`), replacing any cluster it had: its objects come
   * back and the new cluster's kubelets run their pods again.
   */
  async restore(learnerId: string, snapshot: string | Uint8Array, signal?: AbortSignal): Promise<ClusterLease> {
    signal?.throwIfAborted();
    if (this.closed) throw new Error("sim driver is closed");
    await this.release(learnerId);
    const pending = this.create(learnerId, { restoreFrom: snapshot });
    this.byLearner.set(learnerId, pending);
    pending.catch(() => this.byLearner.delete(learnerId));
    return (await pending).lease;
  }

  /** The learner's live cluster, e.g. to snapshot it. */
  async cluster(learnerId: string): Promise<SimCluster | undefined> {
    return (await this.byLearner.get(learnerId))?.cluster;
  }

  async ensureShape(learnerId: string, shape: ClusterShape): Promise<void> {
    await this.acquire(learnerId);
    const drills = (await this.cluster(learnerId))?.drills;
    while (drills && drills.workers.length < shape.workers) drills.joinWorker();
  }

  /** Save every cluster changed since its last save, now (the keeper also does so every `saveIntervalMs`). */
  async saveChanged(): Promise<void> {
    await this.keeper?.saveChanged();
  }

  async release(learnerId: string): Promise<void> {
    const pending = this.byLearner.get(learnerId);
    if (!pending) return;
    this.byLearner.delete(learnerId);
    await this.keeper?.forget(learnerId);
    await this.dispose(await pending);
  }

  async close(): Promise<void> {
    this.closed = true;
    // Save before disposing: a restart must find every cluster as it was.
    await this.keeper?.close();
    const entries = await Promise.allSettled([...this.byLearner.values()]);
    this.byLearner.clear();
    await Promise.all(entries.flatMap((e) => (e.status === "fulfilled" ? [this.dispose(e.value)] : [])));
    if (this.http) {
      const { server } = await this.http;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  private listen(): Promise<SharedListener> {
    this.http ??= (async () => {
      const certificates = this.options.certificates ?? (await createServingCertificates());
      return new Promise((resolve, reject) => {
        const server = createServer({ key: certificates.key, cert: certificates.cert }, (req, res) => this.route(req, res));
        server.on("error", reject);
        server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
        server.listen(this.options.port ?? 0, "127.0.0.1", () => {
          const { port } = server.address() as AddressInfo;
          // Parsing the key and certificate takes a millisecond or more: every cluster's socket shares this one context.
          resolve({ server, url: `https://127.0.0.1:${port}`, certificates, secureContext: createSecureContext({ key: certificates.key, cert: certificates.cert }) });
        });
      });
    })();
    return this.http;
  }

  /** The shared port: the token says which cluster (its admin token, or the `kid` of a ServiceAccount token). */
  private route(req: IncomingMessage, res: ServerResponse): void {
    const token = bearerToken(req);
    if (token === undefined) return sendUnauthorized(res);
    const kid = tokenKeyId(token);
    const entry = this.byToken.get(token) ?? (kid === undefined ? undefined : this.byKeyId.get(kid));
    if (!entry) return sendUnauthorized(res);
    entry.cluster.handle(req, res);
  }

  /** exec/attach websockets on the shared port, routed like `route`. */
  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on("error", () => socket.destroy());
    const token = bearerToken(req);
    const kid = token === undefined ? undefined : tokenKeyId(token);
    const entry = token === undefined ? undefined : (this.byToken.get(token) ?? (kid === undefined ? undefined : this.byKeyId.get(kid)));
    if (!entry) return refuseUpgrade(socket, errors.unauthorized().status);
    entry.cluster.upgrade(req, socket, head);
  }

  /**
   * A new cluster for the learner: booted from `restoreFrom`, else (with
   * `resume`) from the learner's saved state, else fresh.
   */
  private async create(learnerId: string, from: { restoreFrom?: string | Uint8Array; resume?: boolean }): Promise<Entry> {
    const { url, certificates, secureContext } = await this.listen();
    const id = `c${createHash("sha256").update(learnerId).digest("hex").slice(0, 16)}`;
    const dir = path.join(this.options.runtimeDir, "clusters", id);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const socketPath = path.join(dir, "api.sock");
    await rm(socketPath, { force: true });
    const saved = from.resume ? await this.keeper?.load(learnerId) : undefined;
    const cluster = this.boot(learnerId, from.restoreFrom, saved);
    this.keeper?.track(learnerId, cluster, from.restoreFrom !== undefined);
    const sockets = new Set<Socket>();
    // The socket's own HTTPS server: whatever arrives here can only reach this cluster.
    const api = createHttpServer((req, res) => entry.cluster.handle(req, res)).on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on("error", () => socket.destroy());
      entry.cluster.upgrade(req, socket, head);
    });
    const entry: Entry = {
      id,
      cluster,
      sockets,
      socketServer: createNetServer((socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
        const secure = new TLSSocket(socket, { isServer: true, secureContext });
        secure.on("error", () => secure.destroy());
        api.emit("connection", secure);
      }),
      lease: { id, access: { server: url, token: cluster.token, socketPath, ca: certificates.ca } },
    };
    await new Promise<void>((resolve, reject) => {
      entry.socketServer.once("error", reject);
      entry.socketServer.listen(socketPath, () => resolve());
    });
    // A sandboxed learner uid connects through a bind mount of this one file.
    chmodSync(socketPath, 0o666);
    this.byToken.set(cluster.token, entry);
    this.byKeyId.set(cluster.tokenKeyId, entry);
    return entry;
  }

  private boot(learnerId: string, restoreFrom: string | Uint8Array | undefined, saved: SavedSimCluster | undefined): SimCluster {
    if (saved) {
      try {
        return createSimCluster({ clock: this.options.clock, token: saved.token, restoreFrom: saved.etcd });
      } catch (error) {
        // A bad saved state costs the learner their cluster, never the server.
        this.log(`saved cluster of ${learnerId} could not be restored; starting a fresh one`, error);
      }
    }
    return createSimCluster({ clock: this.options.clock, restoreFrom });
  }

  private async dispose(entry: Entry): Promise<void> {
    this.byToken.delete(entry.cluster.token);
    this.byKeyId.delete(entry.cluster.tokenKeyId);
    entry.cluster.dispose();
    for (const socket of entry.sockets) socket.destroy();
    await new Promise<void>((resolve) => entry.socketServer.close(() => resolve()));
    await rm(path.dirname(entry.lease.access.socketPath), { recursive: true, force: true });
  }
}
