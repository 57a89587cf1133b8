// One simulated cluster: a store, an API server over it, and the components
// that reconcile it (scheduler, namespace controller, one kubelet per node).
// It serves HTTP through `handle`; who listens where is the driver's job.
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Clock } from "../../clock";
import { ApiHttp } from "../apiserver/http";
import { ResourceService } from "../apiserver/service";
import { errors } from "../apiserver/status";
import { EventRecorder } from "../controllers/events";
import { NamespaceController } from "../controllers/namespace";
import { Kubelet } from "../kubelet/kubelet";
import type { NodeConfig } from "../kubelet/node";
import { defaultRegistry, type Registry, type ResourceType } from "../registry";
import { Scheduler } from "../scheduler/scheduler";
import { Store, type StoreSnapshot } from "../store/store";
import { bootstrap, DEFAULT_NODES, SYSTEM_IMAGES, SYSTEM_NAMESPACES } from "./bootstrap";

export interface SimClusterOptions {
  clock: Clock;
  /** Bearer token `handle` requires; a random one when left out. */
  token?: string;
  /** Resume from a snapshot instead of bootstrapping a fresh cluster. */
  snapshot?: StoreSnapshot;
  nodes?: NodeConfig[];
  /** Watch history kept by the store (events older than this get 410 Gone). */
  historyLimit?: number;
}

export interface SimCluster {
  readonly token: string;
  readonly store: Store;
  readonly registry: Registry;
  readonly service: ResourceService;
  /** Serve one HTTP request (checks the bearer token). Never throws. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Serve a request whose token was already checked by the caller. */
  handleAuthenticated(req: IncomingMessage, res: ServerResponse): void;
  /** The whole cluster state as plain JSON, for `createSimCluster({ snapshot })`. */
  snapshot(): StoreSnapshot;
  dispose(): void;
}

/** Registries hold no per-cluster state, so every cluster shares one. */
const sharedRegistry = defaultRegistry();

export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith("Bearer ") ? header.slice(7).trim() : undefined;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function sendUnauthorized(res: ServerResponse): void {
  const body = JSON.stringify(errors.unauthorized().status);
  res.writeHead(401, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

export function createSimCluster(options: SimClusterOptions): SimCluster {
  const { clock } = options;
  const token = options.token ?? randomBytes(24).toString("base64url");
  const registry = sharedRegistry;
  const store = options.snapshot ? Store.restore(options.snapshot, options.historyLimit) : new Store(options.historyLimit);
  const service = new ResourceService(registry, store, clock);
  const recorder = new EventRecorder(service, registry.find("", "v1", "events") as ResourceType, clock);
  const nodes = options.nodes ?? DEFAULT_NODES;
  const kubelets = nodes.map((config) => new Kubelet(config, { service, registry, recorder, clock }));
  const namespaces = new NamespaceController(service, registry, clock);
  const scheduler = new Scheduler({ service, registry, recorder, clock });

  if (!options.snapshot) {
    bootstrap(service, registry, nodes, clock.now(), token);
    for (const ns of SYSTEM_NAMESPACES) namespaces.populate(ns);
    for (const kubelet of kubelets) kubelet.register();
  }
  for (const kubelet of kubelets) {
    kubelet.preload(SYSTEM_IMAGES);
    kubelet.start();
  }
  namespaces.start();
  scheduler.start();

  const api = new ApiHttp(service, registry, clock);
  let disposed = false;
  const serve = (req: IncomingMessage, res: ServerResponse): void => {
    void api.handle(req, res);
  };
  return {
    token,
    store,
    registry,
    service,
    handle(req, res) {
      const presented = bearerToken(req);
      if (disposed || !presented || !sameToken(presented, token)) return sendUnauthorized(res);
      serve(req, res);
    },
    handleAuthenticated(req, res) {
      if (disposed) return sendUnauthorized(res);
      serve(req, res);
    },
    snapshot: () => store.snapshot(),
    dispose() {
      if (disposed) return;
      disposed = true;
      api.closeStreams();
      scheduler.stop();
      namespaces.stop();
      for (const kubelet of kubelets) kubelet.stop();
    },
  };
}
