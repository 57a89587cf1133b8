// The one interface every cluster driver (sim, docker) offers to the rest of
// the system. The checker, the terminal and the app see only this.

/** How to reach one learner's cluster. */
export interface ClusterAccess {
  /** API server URL reachable from the engine host, e.g. https://127.0.0.1:41234. */
  server: string;
  /** Bearer token with cluster-admin rights on this cluster only. */
  token: string;
  /**
   * A unix socket that serves the same API; a learner's sandbox gets this one
   * file bound in, so it can reach its own cluster and nothing else.
   */
  socketPath: string;
  /**
   * PEM of the CA that signed the API server's certificate (on the TCP port
   * and the socket alike). Present when the server speaks HTTPS, which it
   * must for kubectl to send the token at all.
   */
  ca?: string;
}

export interface ClusterLease {
  /** Stable per learner: the same learner gets the same cluster back. */
  readonly id: string;
  readonly access: ClusterAccess;
}

/** The nodes a lesson needs; clusters start with one control-plane node and two workers. */
export interface ClusterShape {
  workers: number;
}

export interface ClusterDriver {
  readonly name: "sim" | "docker";
  /** The learner's cluster, created on first need; later calls return the same one. */
  acquire(learnerId: string, signal?: AbortSignal): Promise<ClusterLease>;
  /**
   * Grow the learner's cluster to at least `shape`: missing workers join as
   * with `kubeadm join`. Never removes a node or anything the learner made.
   */
  ensureShape(learnerId: string, shape: ClusterShape): Promise<void>;
  /** Tear the learner's cluster down. */
  release(learnerId: string): Promise<void>;
  /** Stop every cluster and listener. */
  close(): Promise<void>;
}

/** A driver's saved state of one learner's cluster: opaque bytes only that driver reads. */
export interface SavedClusterState {
  driver: string;
  /** Increases with every change the state holds (the sim: its store revision). */
  revision: number;
  data: Uint8Array;
}

/**
 * Where a driver keeps its clusters' state so a server restart loses no
 * learner work. The server backs it with the database.
 */
export interface ClusterStateStore {
  load(learnerId: string, driver: string): Promise<SavedClusterState | undefined>;
  save(learnerId: string, state: SavedClusterState): Promise<void>;
  remove(learnerId: string): Promise<void>;
}

/**
 * A kubeconfig (YAML) for `kubectl`, pointing at `server` with the lease's
 * token; with `ca`, the CA is embedded as `certificate-authority-data` (the
 * server URL should then be https://).
 */
export function renderKubeconfig(options: { server: string; token: string; ca?: string; name?: string; namespace?: string }): string {
  const name = options.name ?? "course";
  const namespace = options.namespace ?? "default";
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    `- name: ${name}`,
    "  cluster:",
    `    server: ${JSON.stringify(options.server)}`,
    ...(options.ca ? [`    certificate-authority-data: ${Buffer.from(options.ca).toString("base64")}`] : []),
    "contexts:",
    `- name: ${name}`,
    "  context:",
    `    cluster: ${name}`,
    `    user: learner`,
    `    namespace: ${namespace}`,
    `current-context: ${name}`,
    "users:",
    "- name: learner",
    "  user:",
    `    token: ${JSON.stringify(options.token)}`,
    "",
  ].join("\n");
}
