// One simulated cluster: a store, an API server over it, and the components
// that reconcile it (scheduler, namespace controller, one kubelet per node).
// It serves HTTP through `handle`; who listens where is the driver's job.
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";
import { ScaledClock, type Clock } from "../../clock";
import { ApiHttp } from "../apiserver/http";
import { ResourceService } from "../apiserver/service";
import { errors } from "../apiserver/status";
import { EventRecorder } from "../controllers/events";
import { NamespaceController } from "../controllers/namespace";
import { ReplicaSetController } from "../controllers/replicaset";
import { DeploymentController } from "../controllers/deployment";
import { batchAndStorageControllers } from "../controllers/batch-storage";
import { GarbageCollector } from "../controllers/garbage-collector";
import { EndpointsController } from "../controllers/endpoints";
import { EndpointSliceController } from "../controllers/endpointslice";
import { ClusterNetwork, podNetwork } from "../network";
import { ContainerRuntime } from "../container/runtime";
import { refuseUpgrade, StreamServer } from "../apiserver/streams/exec";
import { podLogs } from "../apiserver/streams/logs";
import { PortForwardServer, portForwardTarget } from "../apiserver/streams/portforward";
import type { Duplex } from "node:stream";
import { seedSystemWorkloads } from "./system-workloads";
import { Kubelet } from "../kubelet/kubelet";
import { NodeHeartbeat } from "../kubelet/heartbeat";
import { NodeLifecycleController } from "../controllers/node-lifecycle";
import { Drills } from "./drills";
import type { NodeConfig } from "../kubelet/node";
import type { Node } from "../types";
import { defaultRegistry, type Registry, type ResourceType } from "../registry";
import { Scheduler } from "../scheduler/scheduler";
import { Store, type StoreSnapshot } from "../store/store";
import { decodeSnapshot } from "../store/snapshot-file";
import { EtcdServer } from "./etcd";
import { StaticPods } from "./static-pods";
import { ControllerManager } from "./controller-manager";
import { bootstrap, controlPlaneNode, DEFAULT_NODES, SYSTEM_IMAGES, SYSTEM_NAMESPACES } from "./bootstrap";
import { seedApiEndpoints, seedKubeadmObjects, seedPolicy, seedStorage } from "./seed";
import { LeaderElected } from "./leader-election";
import { Gate } from "../apiserver/auth/gate";
import { RbacAuthorizer, type Authorizer, type BindingObject, type RoleObject } from "../apiserver/auth/rbac";
import { TokenIssuer } from "../apiserver/auth/tokens";
import { ADMIN_USER, type UserInfo } from "../apiserver/auth/user";
import { reviewExtension } from "../apiserver/auth/reviews";
import { combineExtensions } from "../apiserver/extension";
import { scaleExtension } from "../apiserver/scale";
import { metricsExtension } from "../apiserver/metrics";
import { evictionExtension } from "../apiserver/eviction";
import { componentStatusExtension } from "../apiserver/component-status";
import { proxyExtension } from "../apiserver/proxy";
import { ApiError, type Status } from "../apiserver/status";

export interface SimClusterOptions {
  clock: Clock;
  /** Bearer token `handle` requires; a random one when left out. */
  token?: string;
  /** Resume from a snapshot instead of bootstrapping a fresh cluster. */
  snapshot?: StoreSnapshot;
  /** Boot from the bytes of an etcd snapshot file (`etcdctl snapshot save`, store/snapshot-file.ts) instead. */
  restoreFrom?: string | Uint8Array;
  nodes?: NodeConfig[];
  /** Most events of watch history the store keeps (older watches get 410 Gone); it keeps 75 s of clock time below that. */
  historyLimit?: number;
}

export interface SimCluster {
  readonly token: string;
  readonly store: Store;
  readonly registry: Registry;
  readonly service: ResourceService;
  /**
   * Serve one HTTP request: authenticate its bearer token (the admin token or
   * a ServiceAccount token this cluster issued), apply impersonation, check
   * RBAC, then answer. 401 / 403 as upstream. Never throws.
   */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** An HTTP upgrade (exec/attach websockets): authenticated and authorized as `handle` does, then streamed. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** The container runtime behind the kubelets (processes, filesystems, logs). */
  readonly containers: ContainerRuntime;
  /** Serve a trusted in-process request as the admin, skipping authentication. */
  handleAuthenticated(req: IncomingMessage, res: ServerResponse): void;
  /** `kid` in the header of the ServiceAccount tokens this cluster signs (to route them). */
  readonly tokenKeyId: string;
  /** The authorizer behind 403s and access reviews (RBAC; system:masters always allowed). */
  readonly authorizer: Authorizer;
  /** The kube-proxy / DNS view of this cluster (what a container's curl, nslookup and ping reach). */
  readonly network: ClusterNetwork;
  /** The whole cluster state as plain JSON, for `createSimCluster({ snapshot })`. */
  snapshot(): StoreSnapshot;
  /** Failure drills for lessons: nodes down/up, control-plane components stopped, full nodes, time scale. */
  readonly drills: Drills;
  dispose(): void;
}

/** Registries hold no per-cluster state, so every cluster shares one. */
const sharedRegistry = defaultRegistry();

export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith("Bearer ") ? header.slice(7).trim() : undefined;
}

export function sendUnauthorized(res: ServerResponse): void {
  sendStatus(res, errors.unauthorized().status);
}

function sendStatus(res: ServerResponse, status: Status): void {
  const body = JSON.stringify(status);
  res.writeHead(status.code, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

/** The nodes a saved cluster had, read back from its Node objects (undefined when it has none). */
function nodesOf(snapshot: StoreSnapshot): NodeConfig[] | undefined {
  const nodes = snapshot.objects
    .filter(([key]) => key.startsWith("/core/nodes/"))
    .map(([, object]): NodeConfig => {
      const node = object as Node;
      return {
        name: node.metadata.name ?? "",
        controlPlane: "node-role.kubernetes.io/control-plane" in (node.metadata.labels ?? {}),
        internalIP: node.status?.addresses?.find((a) => a.type === "InternalIP")?.address ?? "",
        podCIDR: node.spec?.podCIDR ?? "",
      };
    });
  return nodes.length ? nodes : undefined;
}

export function createSimCluster(options: SimClusterOptions): SimCluster {
  // Time-scale drills speed this clock up; at factor 1 it is options.clock exactly.
  const clock = new ScaledClock(options.clock);
  const token = options.token ?? randomBytes(24).toString("base64url");
  const registry = sharedRegistry;
  const snapshot = options.restoreFrom === undefined ? options.snapshot : decodeSnapshot(options.restoreFrom);
  const history = { limit: options.historyLimit, now: () => clock.now() };
  const store = snapshot ? Store.restore(snapshot, history) : new Store(history);
  const service = new ResourceService(registry, store, clock);
  const recorder = new EventRecorder(service, registry.find("", "v1", "events") as ResourceType, clock);
  // Our own copy: workers may join later. A restored cluster keeps the nodes it had.
  const nodes = [...(options.nodes ?? (snapshot ? nodesOf(snapshot) : undefined) ?? DEFAULT_NODES)];
  const network = new ClusterNetwork(service, registry, clock);
  const containers = new ContainerRuntime({
    clock,
    lookup: (kind, namespace, name) => {
      const type = registry.find("", "v1", kind);
      return type ? service.find(type, namespace, name) : undefined;
    },
    token: ({ namespace, name }, nowMs) => {
      const accounts = registry.find("", "v1", "serviceaccounts");
      const account = accounts ? service.find(accounts, namespace, name) : undefined;
      return issuer.mint({ namespace, name, uid: account?.metadata.uid ?? "", audiences: ["https://kubernetes.default.svc.cluster.local"], expirationSeconds: 3607, nowMs }).token;
    },
    network: (pod) => podNetwork(network, { namespace: pod.metadata.namespace ?? "default", pod: pod.metadata.name ?? "" }),
    serviceEnv: (namespace, links) => network.serviceEnv(namespace, links),
    etcd: (pod) => etcd.connection(pod),
  });
  const etcd = new EtcdServer(store, controlPlaneNode(nodes), token);
  etcd.install(containers);
  network.containerFiles = (pod, name, path) => {
    const node = containers.container(pod, name)?.fs.stat(path);
    return node?.kind === "file" ? node.data : undefined;
  };
  const newKubelet = (config: NodeConfig): Kubelet => {
    const kubelet = new Kubelet(config, { service, registry, recorder, clock, containers, network });
    kubelet.preload(SYSTEM_IMAGES);
    return kubelet;
  };
  const kubelets = nodes.map(newKubelet);
  const newHeartbeat = (config: NodeConfig): NodeHeartbeat => new NodeHeartbeat(config, { service, registry, recorder, clock });
  const heartbeats = nodes.map(newHeartbeat);
  const namespaces = new NamespaceController(service, registry, clock);
  const leaderElection = { service, registry, clock, node: controlPlaneNode(nodes).name };
  const scheduler = new LeaderElected("kube-scheduler", new Scheduler({ service, registry, recorder, clock }), leaderElection);
  const deps = { service, registry, recorder, clock };
  // kube-controller-manager's controllers, built afresh whenever the drill starts it again.
  const controllerManager = new LeaderElected("kube-controller-manager", new ControllerManager(() => [
    new NamespaceController(service, registry, clock),
    new NodeLifecycleController(deps),
    new ReplicaSetController(deps),
    ReplicaSetController.forReplicationControllers(deps),
    new DeploymentController(deps),
    ...batchAndStorageControllers(deps),
    new GarbageCollector(service, registry, clock),
    new EndpointsController({ service, registry, clock }),
    new EndpointSliceController({ service, registry, clock }),
  ]), leaderElection);
  const drills = new Drills({ service, registry, clock, nodes, kubelets, heartbeats, newKubelet, newHeartbeat, components: { "kube-scheduler": scheduler, "kube-controller-manager": controllerManager }, containers, onNodeUp: () => staticPods.sync() });
  const staticPods = new StaticPods({ service, registry, clock, nodes, clusterSeed: token, isNodeUp: (node) => drills.isNodeUp(node) });

  if (!snapshot) {
    bootstrap(service, registry, nodes, clock.now(), token);
    for (const ns of SYSTEM_NAMESPACES) namespaces.populate(ns);
    seedStorage(service, registry);
    seedApiEndpoints(service, registry, nodes.find((n) => n.controlPlane)?.internalIP ?? nodes[0]?.internalIP ?? "127.0.0.1");
    for (const kubelet of kubelets) kubelet.register();
  }
  // At every start, as upstream's API server reconciles its bootstrap policy: a restored cluster gets what it lacks.
  seedPolicy(service);
  // Before the kubelets start: the system pods mount these ConfigMaps and use these ServiceAccounts.
  seedKubeadmObjects(service, registry, controlPlaneNode(nodes), clock.now(), token);
  for (const kubelet of kubelets) kubelet.start();
  for (const heartbeat of heartbeats) heartbeat.start();
  // The kube-system pods' owners must exist before the garbage collector looks at them.
  seedSystemWorkloads(service, registry, clock.now());
  controllerManager.start();
  scheduler.start();
  staticPods.start();

  const findType = (group: string, plural: string): ResourceType | undefined => registry.types.find((t) => t.group === group && t.plural === plural);
  const policyType = (plural: string): ResourceType | undefined => findType("rbac.authorization.k8s.io", plural);
  const listPolicy = <T>(plural: string, namespace?: string): T[] => {
    const type = policyType(plural);
    return type ? (store.list(registry.key(type, namespace)) as unknown as T[]) : [];
  };
  const getPolicy = <T>(plural: string, namespace: string | undefined, name: string): T | undefined => {
    const type = policyType(plural);
    return type ? (store.get(registry.key(type, namespace, name)) as unknown as T | undefined) : undefined;
  };
  const authorizer = new RbacAuthorizer({
    clusterRoleBindings: () => listPolicy<BindingObject>("clusterrolebindings"),
    roleBindings: (namespace) => listPolicy<BindingObject>("rolebindings", namespace),
    clusterRole: (name) => getPolicy<RoleObject>("clusterroles", undefined, name),
    role: (namespace, name) => getPolicy<RoleObject>("roles", namespace, name),
  });
  const issuer = new TokenIssuer(token);
  const serviceAccounts = findType("", "serviceaccounts");
  const gate = new Gate({
    adminToken: token,
    issuer,
    now: () => clock.now(),
    authorizer,
    serviceAccount: (namespace, name) => (serviceAccounts ? service.find(serviceAccounts, namespace, name) : undefined),
  });
  const users = new WeakMap<IncomingMessage, UserInfo>();
  const extension = combineExtensions(
    reviewExtension({ service, authorizer, gate, issuer, now: () => clock.now(), userOf: (req) => users.get(req) }),
    scaleExtension(service),
    metricsExtension(service, registry, (pod, name) => containers.container(pod, name)?.memoryBytes ?? 0),
    evictionExtension(service, registry),
    componentStatusExtension(service, registry),
    proxyExtension({ service, registry, network }),
  );
  const api = new ApiHttp(service, registry, clock, podLogs(containers), extension);
  const streams = new StreamServer({ service, registry, runtime: containers });
  const portForwards = new PortForwardServer({ service, registry, network });
  let disposed = false;
  const serve = (req: IncomingMessage, res: ServerResponse): void => {
    void api.handle(req, res);
  };
  return {
    token,
    store,
    registry,
    service,
    tokenKeyId: issuer.keyId,
    network,
    authorizer,
    handle(req, res) {
      if (disposed) return sendUnauthorized(res);
      try {
        users.set(req, gate.admit(req).user);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        return sendStatus(res, error.status);
      }
      serve(req, res);
    },
    containers,
    upgrade(req, socket, head) {
      if (disposed) return refuseUpgrade(socket, errors.unauthorized().status);
      try {
        users.set(req, gate.admit(req).user);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        return refuseUpgrade(socket, error.status);
      }
      if (portForwardTarget(new URL(req.url ?? "/", "https://sim"))) portForwards.upgrade(req, socket, head);
      else streams.upgrade(req, socket, head);
    },
    handleAuthenticated(req, res) {
      if (disposed) return sendUnauthorized(res);
      users.set(req, ADMIN_USER);
      serve(req, res);
    },
    snapshot: () => store.snapshot(),
    drills,
    dispose() {
      if (disposed) return;
      disposed = true;
      api.closeStreams();
      streams.closeAll();
      portForwards.closeAll();
      scheduler.stop();
      for (const heartbeat of heartbeats) heartbeat.stop();
      controllerManager.stop();
      staticPods.stop();
      for (const kubelet of kubelets) kubelet.stop();
    },
  };
}
