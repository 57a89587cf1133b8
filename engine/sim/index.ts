// The sim cluster driver: an in-process Kubernetes API emulator. Code outside
// engine/sim imports only these names.
export { SimDriver, type SimDriverOptions } from "./driver";
export { createSimCluster, type SimCluster, type SimClusterOptions } from "./cluster/cluster";
export { Store, StoreError, type StoreEvent, type StoreSnapshot, type Watch } from "./store/store";
export { decodeSnapshot, encodeSnapshot, snapshotStatus, SnapshotFileError, type SnapshotStatus } from "./store/snapshot-file";
export { defaultRegistry, humanDuration, summarizePod, type ResourceType } from "./registry";
export { DEFAULT_NODES } from "./cluster/bootstrap";
export type { NodeConfig } from "./kubelet/node";
export type { Authorizer, Decision } from "./apiserver/auth/rbac";
export type { Attributes } from "./apiserver/auth/attributes";
export type { UserInfo } from "./apiserver/auth/user";
export { createServingCertificates, type ServingCertificates } from "./tls";
