// `etcdctl` (v3.5) and `etcdutl` in the simulated containers of the etcd
// image: reads of the live store with upstream's key layout, member list,
// endpoint health/status, and snapshots (save / status / restore) in the
// format of store/snapshot-file.ts.
//
// The client side is modelled as etcdctl behaves against a kubeadm etcd,
// which serves TLS only and requires a client certificate from its CA: no
// TLS flags, the wrong CA or no client certificate and the connection never
// comes up (unary commands fail after --command-timeout, 5 s; `snapshot save`
// has no timeout unless one is given and waits until interrupted, as upstream).
// Output, exit codes and log lines follow etcdctl 3.5.16.
import { createHash } from "node:crypto";
import { microTimestamp } from "../registry/format";
import type { Store } from "../store/store";
import type { KObject } from "../types";
import { etcdKey } from "../store/etcd-keys";
import { decodeSnapshot, encodeSnapshot, SnapshotFileError, snapshotStatus } from "../store/snapshot-file";
import { FsError } from "./fs";
import type { ProcIO, Shell } from "./shell";

export const ETCD_VERSION = "3.5.16";

export interface EtcdMember {
  /** Hex, as etcd prints member IDs. */
  id: string;
  name: string;
  peerURLs: string[];
  clientURLs: string[];
}

/** What a PEM file in the node's etcd PKI is, by its content. */
export interface PkiFile {
  kind: "cert" | "key";
  /** The key pair it belongs to (a cert and its key share it). */
  pair: string;
}

/** The cluster's etcd as seen from one container. */
export interface EtcdConnection {
  store: Store;
  member: EtcdMember;
  clusterId: string;
  /** The etcd PKI (ca, server, peer, healthcheck-client): file content -> what it is. */
  pki: ReadonlyMap<string, PkiFile>;
  /** What answers at host:port from this container: etcd's client port, nothing (refused), or no route (timeout). */
  dial(host: string, port: number): "etcd" | "refused" | "timeout";
}

// Exit codes of pkg/cobrautl.
const EXIT_ERROR = 1;
const EXIT_BAD_FEATURE = 4;
const EXIT_INTERRUPTED = 5;
const EXIT_BAD_ARGS = 128;

class CtlError extends Error {
  constructor(
    message: string,
    readonly code: number = EXIT_ERROR,
  ) {
    super(message);
  }
}

// ---- flags (pflag style: --name=value, --name value, -w table, env ETCDCTL_<NAME>) ----

type FlagKind = "string" | "bool" | "duration";
interface FlagSpec {
  kind: FlagKind;
  short?: string;
  /** Commands that take it (global when absent). */
  commands?: string[];
  default?: string;
}

const CTL_FLAGS: Record<string, FlagSpec> = {
  endpoints: { kind: "string", default: "127.0.0.1:2379" },
  cacert: { kind: "string" },
  cert: { kind: "string" },
  key: { kind: "string" },
  "write-out": { kind: "string", short: "w", default: "simple" },
  hex: { kind: "bool" },
  debug: { kind: "bool" },
  "dial-timeout": { kind: "duration", default: "2s" },
  "command-timeout": { kind: "duration", default: "5s" },
  "keepalive-time": { kind: "duration", default: "2s" },
  "keepalive-timeout": { kind: "duration", default: "6s" },
  "insecure-transport": { kind: "bool", default: "true" },
  "insecure-skip-tls-verify": { kind: "bool" },
  "insecure-discovery": { kind: "bool", default: "true" },
  user: { kind: "string" },
  password: { kind: "string" },
  "discovery-srv": { kind: "string", short: "d" },
  "discovery-srv-name": { kind: "string" },
  prefix: { kind: "bool", commands: ["get"] },
  "from-key": { kind: "bool", commands: ["get"] },
  "keys-only": { kind: "bool", commands: ["get"] },
  "count-only": { kind: "bool", commands: ["get"] },
  "print-value-only": { kind: "bool", commands: ["get"] },
  limit: { kind: "string", commands: ["get"], default: "0" },
  rev: { kind: "string", commands: ["get"], default: "0" },
  consistency: { kind: "string", commands: ["get"], default: "l" },
  order: { kind: "string", commands: ["get"] },
  "sort-by": { kind: "string", commands: ["get"] },
  cluster: { kind: "bool", commands: ["endpoint health", "endpoint status"] },
  ...restoreFlags(["snapshot restore"]),
};

const UTL_FLAGS: Record<string, FlagSpec> = {
  "write-out": { kind: "string", short: "w", default: "simple" },
  ...restoreFlags(["snapshot restore"]),
};

function restoreFlags(commands: string[]): Record<string, FlagSpec> {
  return {
    "data-dir": { kind: "string", commands },
    "wal-dir": { kind: "string", commands },
    "initial-cluster": { kind: "string", commands, default: "default=http://localhost:2380" },
    "initial-cluster-token": { kind: "string", commands, default: "etcd-cluster" },
    "initial-advertise-peer-urls": { kind: "string", commands, default: "http://localhost:2380" },
    name: { kind: "string", commands, default: "default" },
    "skip-hash-check": { kind: "bool", commands },
  };
}

interface Parsed {
  words: string[];
  values: Map<string, string>;
}

function parseArgs(args: string[], specs: Record<string, FlagSpec>): Parsed {
  const values = new Map<string, string>();
  const words: string[] = [];
  const byShort = new Map(Object.entries(specs).flatMap(([name, s]) => (s.short ? [[s.short, name] as const] : [])));
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "--") {
      words.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      words.push(arg);
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith("--")) {
      [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
      if (!specs[name]) throw new CtlError(`unknown flag: --${name}`);
    } else {
      const letter = arg.slice(1, 2);
      const long = byShort.get(letter);
      if (!long) throw new CtlError(`unknown shorthand flag: '${letter}' in ${arg}`);
      name = long;
      const rest = arg.slice(2);
      inline = rest === "" ? undefined : rest.replace(/^=/, "");
    }
    const spec = specs[name] as FlagSpec;
    if (spec.kind === "bool") {
      values.set(name, inline ?? "true");
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined) throw new CtlError(`flag needs an argument: --${name}`);
    if (spec.kind === "duration" && goDurationMillis(value) === undefined) throw new CtlError(`invalid argument "${value}" for "--${name}" flag: time: invalid duration "${value}"`);
    values.set(name, value);
  }
  return { words, values };
}

/** Go's time.ParseDuration for the units etcdctl users write (ms, s, m, h). */
function goDurationMillis(text: string): number | undefined {
  if (text === "0") return 0;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (!parts.length || parts.map((p) => p[0]).join("") !== text) return undefined;
  return parts.reduce((sum, p) => sum + Number(p[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[p[2] as "ms" | "s" | "m" | "h"], 0);
}

/** The commands a tool knows, matched by unique prefix as cobra does (`mem li`). */
function resolveCommand(tool: string, words: string[], tree: Record<string, string[] | null>): { command: string; args: string[] } {
  const pick = (word: string | undefined, choices: string[], parent: string): string => {
    if (word === undefined) throw new CtlError(`${parent} needs a subcommand`);
    const exact = choices.find((c) => c === word);
    const matches = exact ? [exact] : choices.filter((c) => c.startsWith(word));
    if (matches.length !== 1) throw new CtlError(`unknown command "${word}" for "${parent}"\nRun '${parent} --help' for usage.`);
    return matches[0] as string;
  };
  const top = pick(words[0], Object.keys(tree), tool);
  const subs = tree[top];
  if (!subs) return { command: top, args: words.slice(1) };
  const sub = pick(words[1], subs, `${tool} ${top}`);
  return { command: `${top} ${sub}`, args: words.slice(2) };
}

// ---- output helpers ----

/** A table as etcdctl draws it (olekukonko/tablewriter: headers upper-cased and centred, cells right-aligned). */
export function etcdTable(headers: string[], rows: string[][]): string {
  const titles = headers.map((h) => h.toUpperCase());
  const widths = titles.map((t, i) => Math.max(t.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = `+${widths.map((w) => "-".repeat(w + 2)).join("+")}+\n`;
  const centre = (text: string, width: number): string => {
    const left = Math.floor((width - text.length) / 2);
    return " ".repeat(left) + text + " ".repeat(width - text.length - left);
  };
  const head = `|${titles.map((t, i) => ` ${centre(t, widths[i] ?? 0)} `).join("|")}|\n`;
  const body = rows.map((r) => `|${widths.map((w, i) => ` ${(r[i] ?? "").padStart(w)} `).join("|")}|\n`).join("");
  return line + head + line + body + line;
}

/** go-humanize's Bytes: SI units, one decimal below 10. */
export function humanBytes(size: number): string {
  if (size < 10) return `${size} B`;
  const units = ["B", "kB", "MB", "GB", "TB"];
  const e = Math.min(units.length - 1, Math.floor(Math.log(size) / Math.log(1000)));
  const value = Math.floor((size / 1000 ** e) * 10 + 0.5) / 10;
  return `${value < 10 ? value.toFixed(1) : value.toFixed(0)} ${units[e] ?? ""}`;
}

/** A uint64 hex ID as Go's encoding/json writes the number. */
const decimal = (hex: string): string => BigInt(`0x${hex}`).toString();

// ---- the client ----

interface Client {
  sh: Shell;
  io: ProcIO;
  values: Map<string, string>;
  env: Record<string, string>;
  conn?: EtcdConnection;
}

function flag(client: Client, name: string, specs: Record<string, FlagSpec> = CTL_FLAGS): string | undefined {
  const given = client.values.get(name);
  if (given !== undefined) return given;
  // Global flags may come from ETCDCTL_<NAME> instead.
  const spec = specs[name];
  const fromEnv = spec && !spec.commands ? client.env[`ETCDCTL_${name.toUpperCase().replace(/-/g, "_")}`] : undefined;
  return fromEnv ?? spec?.default;
}

const isSet = (client: Client, name: string): boolean => flag(client, name) === "true";

function log(client: Client, level: "info" | "warn", fields: Record<string, unknown>): void {
  const { msg, caller, logger, ...rest } = fields;
  const record = { level, ts: microTimestamp(client.sh.host.clock.now()), ...(logger ? { logger } : {}), caller, msg, ...rest };
  client.io.err(`${JSON.stringify(record)}\n`);
}

interface Endpoint {
  text: string;
  scheme?: "http" | "https";
  host: string;
  port: number;
}

function parseEndpoint(text: string): Endpoint {
  const m = /^(?:(https?):\/\/)?\[?([^\]/]*?)\]?(?::(\d+))?\/?$/.exec(text);
  return { text, scheme: m?.[1] as Endpoint["scheme"], host: m?.[2] === "localhost" ? "127.0.0.1" : (m?.[2] ?? text), port: Number(m?.[3] ?? 2379) };
}

function endpoints(client: Client): Endpoint[] {
  return (flag(client, "endpoints") ?? "").split(",").filter(Boolean).map(parseEndpoint);
}

interface TlsConfig {
  enabled: boolean;
  /** The CA content to verify the server with (undefined: the system's roots). */
  ca?: string;
  cert?: string;
  skipVerify: boolean;
}

/** The client TLS config from --cacert/--cert/--key, with etcdctl's errors for missing or mismatched files. */
function tlsConfig(client: Client): TlsConfig {
  const read = (path: string): string => {
    try {
      return client.sh.host.fs.readFile(client.sh.path(path));
    } catch (error) {
      if (error instanceof FsError) throw new CtlError(`open ${path}: ${error.text.toLowerCase()}`, EXIT_BAD_ARGS);
      throw error;
    }
  };
  const [caPath, certPath, keyPath] = ["cacert", "cert", "key"].map((n) => flag(client, n) || undefined);
  let cert: string | undefined;
  if (certPath !== undefined || keyPath !== undefined) {
    if (certPath === undefined || keyPath === undefined) throw new CtlError(`KeyFile and CertFile must both be present[key: ${keyPath ?? ""}, cert: ${certPath ?? ""}]`, EXIT_BAD_ARGS);
    cert = read(certPath);
    const key = read(keyPath);
    const certInfo = client.conn?.pki.get(cert);
    const keyInfo = client.conn?.pki.get(key);
    if (!cert.includes("-----BEGIN")) throw new CtlError("tls: failed to find any PEM data in certificate input", EXIT_BAD_ARGS);
    if (!key.includes("-----BEGIN")) throw new CtlError("tls: failed to find any PEM data in key input", EXIT_BAD_ARGS);
    if (certInfo?.kind === "key" || keyInfo?.kind === "cert") throw new CtlError("tls: found a certificate rather than a key in the PEM for the private key", EXIT_BAD_ARGS);
    if (!certInfo || !keyInfo || certInfo.pair !== keyInfo.pair) throw new CtlError("tls: private key does not match public key", EXIT_BAD_ARGS);
  }
  const ca = caPath === undefined ? undefined : read(caPath);
  if (ca !== undefined && !ca.includes("-----BEGIN")) throw new CtlError(`failed to append certificates from ${caPath ?? ""}`, EXIT_BAD_ARGS);
  const enabled = ca !== undefined || cert !== undefined || flag(client, "insecure-transport") === "false";
  return { enabled, ca, cert, skipVerify: isSet(client, "insecure-skip-tls-verify") };
}

/** Why a connection to `endpoint` does not come up, or undefined when it does. */
function connectionError(client: Client, endpoint: Endpoint, tls: TlsConfig): string | undefined {
  const reached = client.conn?.dial(endpoint.host, endpoint.port) ?? (endpoint.host === "127.0.0.1" ? "refused" : "timeout");
  const address = `${endpoint.host}:${endpoint.port}`;
  if (reached === "refused") return `connection error: desc = "transport: Error while dialing: dial tcp ${address}: connect: connection refused"`;
  if (reached === "timeout") return `connection error: desc = "transport: Error while dialing: dial tcp ${address}: i/o timeout"`;
  const conn = client.conn as EtcdConnection;
  const secure = endpoint.scheme === "https" || (endpoint.scheme === undefined && tls.enabled);
  if (!secure) return 'connection error: desc = "error reading server preface: EOF"';
  const trusted = tls.skipVerify || (tls.ca !== undefined && ["ca", "server"].includes(conn.pki.get(tls.ca)?.pair ?? ""));
  if (!trusted) return 'connection error: desc = "transport: authentication handshake failed: tls: failed to verify certificate: x509: certificate signed by unknown authority"';
  if (tls.cert === undefined) return 'connection error: desc = "error reading server preface: remote error: tls: certificate required"';
  if (!conn.pki.get(tls.cert)) return 'connection error: desc = "error reading server preface: remote error: tls: bad certificate"';
  return undefined;
}

/** Wait out the command timeout, logging the failed attempt as clientv3 does, then fail. */
async function deadline(client: Client, endpoint: Endpoint, why: string, timeoutMs: number | undefined): Promise<never> {
  if (timeoutMs === undefined) await new Promise<void>((resolve) => client.io.interrupt.on(resolve));
  else await client.sh.wait(timeoutMs, client.io.interrupt);
  if (client.io.interrupt.fired) throw new CtlError("context canceled", 130);
  log(client, "warn", {
    logger: "etcd-client",
    caller: `v3@v${ETCD_VERSION}/retry_interceptor.go:63`,
    msg: "retrying of unary invoker failed",
    target: `etcd-endpoints://0xc000${client.sh.host.clock.now().toString(16).slice(-6)}/${endpoint.text}`,
    attempt: 0,
    error: `rpc error: code = DeadlineExceeded desc = latest balancer error: last connection error: ${why}`,
  });
  throw new CtlError("context deadline exceeded");
}

/** Connect for a unary request: the first endpoint that comes up, else a timeout. */
async function connect(client: Client): Promise<{ conn: EtcdConnection; endpoint: Endpoint }> {
  const tls = tlsConfig(client);
  const list = endpoints(client);
  for (const endpoint of list) if (!connectionError(client, endpoint, tls)) return { conn: client.conn as EtcdConnection, endpoint };
  const first = list[0] ?? { text: "", host: "", port: 0 };
  return deadline(client, first, connectionError(client, first, tls) ?? "", goDurationMillis(flag(client, "command-timeout") ?? "5s"));
}

function outputFormat(client: Client, supported: string[]): string {
  const format = flag(client, "write-out") ?? "simple";
  if (!["simple", "json", "table", "fields", "protobuf"].includes(format)) throw new CtlError("unsupported output format", EXIT_BAD_FEATURE);
  if (!supported.includes(format)) throw new CtlError(`${format} not supported as output format`, EXIT_BAD_FEATURE);
  return format;
}

function header(conn: EtcdConnection): string {
  return `{"cluster_id":${decimal(conn.clusterId)},"member_id":${decimal(conn.member.id)},"revision":${conn.store.revision},"raft_term":2}`;
}

// ---- commands ----

async function get(client: Client, args: string[]): Promise<number> {
  const [key, rangeEnd] = args;
  if (key === undefined) throw new CtlError("get command needs one argument as key and an optional argument as range_end", EXIT_BAD_ARGS);
  const prefix = isSet(client, "prefix");
  const fromKey = isSet(client, "from-key");
  if (prefix && fromKey) throw new CtlError("`--prefix` and `--from-key` cannot be set at the same time, choose one", EXIT_BAD_ARGS);
  if (isSet(client, "keys-only") && isSet(client, "count-only")) throw new CtlError("`--keys-only` and `--count-only` cannot be set at the same time, choose one", EXIT_BAD_ARGS);
  if (rangeEnd !== undefined && (prefix || fromKey)) throw new CtlError("too many arguments, only accept one argument when `--prefix` or `--from-key` is set", EXIT_BAD_ARGS);
  outputFormat(client, ["simple"]);
  if (isSet(client, "count-only")) throw new CtlError("--count-only is only for `--write-out=fields`", EXIT_BAD_ARGS);
  const { conn } = await connect(client);
  const rev = Number(flag(client, "rev") ?? "0");
  if (rev > conn.store.revision) throw new CtlError("etcdserver: mvcc: required revision is a future revision");
  if (rev > 0 && rev < conn.store.revision) throw new CtlError("etcdserver: mvcc: required revision has been compacted");
  const inRange = (k: string): boolean => (prefix ? k.startsWith(key) : fromKey ? k >= key : rangeEnd !== undefined ? k >= key && k < rangeEnd : k === key);
  const entries = conn.store
    .snapshot()
    .objects.map(([storeKey, object]) => ({ key: etcdKey(storeKey), object }))
    .filter((e) => inRange(e.key))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const order = (flag(client, "order") ?? "").toUpperCase();
  if (order === "DESCEND") entries.reverse();
  const limit = Number(flag(client, "limit") ?? "0");
  const shown = limit > 0 ? entries.slice(0, limit) : entries;
  const keysOnly = isSet(client, "keys-only");
  const valueOnly = isSet(client, "print-value-only");
  for (const { key: k, object } of shown) {
    if (!valueOnly) client.io.out(`${k}\n`);
    client.io.out(`${keysOnly ? "" : storedValue(object)}\n`);
  }
  return 0;
}

/** The value kube-apiserver stores: the object without its resourceVersion (etcd's mod revision is that). */
function storedValue(object: KObject): string {
  const { resourceVersion: _dropped, ...metadata } = object.metadata;
  return JSON.stringify({ ...object, metadata });
}

async function memberList(client: Client): Promise<number> {
  const format = outputFormat(client, ["simple", "table", "json"]);
  const { conn } = await connect(client);
  const m = conn.member;
  const row = [m.id, "started", m.name, m.peerURLs.join(","), m.clientURLs.join(","), "false"];
  if (format === "table") client.io.out(etcdTable(["ID", "Status", "Name", "Peer Addrs", "Client Addrs", "Is Learner"], [row]));
  else if (format === "json") client.io.out(`{"header":${header(conn).replace(/,"revision":\d+/, "")},"members":[{"ID":${decimal(m.id)},"name":${JSON.stringify(m.name)},"peerURLs":${JSON.stringify(m.peerURLs)},"clientURLs":${JSON.stringify(m.clientURLs)}}]}\n`);
  else client.io.out(`${row.join(", ")}\n`);
  return 0;
}

/** A small, stable request latency (Go's duration text) for health and status. */
function took(conn: EtcdConnection): string {
  return `${(4 + (conn.store.revision % 97) / 19).toFixed(6).replace(/0+$/, "")}ms`;
}

function clusterEndpoints(client: Client): Endpoint[] {
  // --cluster asks the member list for the endpoints (only when it can be read).
  if (!isSet(client, "cluster") || !client.conn) return endpoints(client);
  return client.conn.member.clientURLs.map(parseEndpoint);
}

async function endpointHealth(client: Client): Promise<number> {
  const format = outputFormat(client, ["simple", "table", "json"]);
  const tls = tlsConfig(client);
  const results: { ep: string; health: boolean; took: string; error: string }[] = [];
  for (const endpoint of clusterEndpoints(client)) {
    const why = connectionError(client, endpoint, tls);
    if (why === undefined) {
      results.push({ ep: endpoint.text, health: true, took: took(client.conn as EtcdConnection), error: "" });
      continue;
    }
    const timeoutMs = goDurationMillis(flag(client, "command-timeout") ?? "5s") ?? 5000;
    try {
      await deadline(client, endpoint, why, timeoutMs);
    } catch (error) {
      if (!(error instanceof CtlError) || error.code === 130) throw error;
      results.push({ ep: endpoint.text, health: false, took: `${timeoutMs / 1000}s`, error: "context deadline exceeded" });
    }
  }
  if (format === "table") client.io.out(etcdTable(["endpoint", "health", "took", "error"], results.map((r) => [r.ep, String(r.health), r.took, r.error])));
  else if (format === "json") client.io.out(`${JSON.stringify(results.map((r) => ({ endpoint: r.ep, health: r.health, took: r.took, ...(r.error ? { error: r.error } : {}) })))}\n`);
  else {
    for (const r of results) {
      if (r.health) client.io.out(`${r.ep} is healthy: successfully committed proposal: took = ${r.took}\n`);
      else client.io.err(`${r.ep} is unhealthy: failed to commit proposal: ${r.error}\n`);
    }
  }
  if (results.some((r) => !r.health)) throw new CtlError("unhealthy cluster");
  return 0;
}

async function endpointStatus(client: Client): Promise<number> {
  const format = outputFormat(client, ["simple", "table", "json"]);
  const { conn } = await connect(client);
  const size = Buffer.byteLength(encodeSnapshot(conn.store.snapshot()));
  const index = conn.store.revision + 3;
  const rows = clusterEndpoints(client).map((e) => [e.text, conn.member.id, ETCD_VERSION, humanBytes(size), "true", "false", "2", String(index), String(index), ""]);
  if (format === "table") client.io.out(etcdTable(["endpoint", "ID", "version", "db size", "is leader", "is learner", "raft term", "raft index", "raft applied index", "errors"], rows));
  else if (format === "json") {
    const items = rows.map((r) => `{"Endpoint":${JSON.stringify(r[0])},"Status":{"header":${header(conn)},"version":"${ETCD_VERSION}","dbSize":${size},"leader":${decimal(conn.member.id)},"raftIndex":${index},"raftTerm":2,"raftAppliedIndex":${index},"dbSizeInUse":${size}}}`);
    client.io.out(`[${items.join(",")}]\n`);
  } else for (const r of rows) client.io.out(`${r.join(", ")}\n`);
  return 0;
}

async function snapshotSave(client: Client, args: string[]): Promise<number> {
  if (args.length !== 1) throw new CtlError("snapshot save expects one argument", EXIT_BAD_ARGS);
  const path = args[0] as string;
  const list = endpoints(client);
  if (list.length !== 1) throw new CtlError(`snapshot must be requested to one selected node, not multiple [${list.map((e) => e.text).join(" ")}]`, EXIT_INTERRUPTED);
  const endpoint = list[0] as Endpoint;
  const tls = tlsConfig(client);
  const fs = client.sh.host.fs;
  const part = `${path}.part`;
  try {
    fs.writeFile(client.sh.path(part), "");
  } catch (error) {
    if (error instanceof FsError) throw new CtlError(`could not open ${part} (open ${part}: ${error.text.toLowerCase()})`, EXIT_INTERRUPTED);
    throw error;
  }
  log(client, "info", { caller: "snapshot/v3_snapshot.go:65", msg: "created temporary db file", path: part });
  const why = connectionError(client, endpoint, tls);
  if (why !== undefined) {
    // No --command-timeout: the stream retries for ever (until Ctrl-C), as upstream.
    const timeout = client.values.has("command-timeout") ? goDurationMillis(client.values.get("command-timeout") ?? "") : undefined;
    try {
      await deadline(client, endpoint, why, timeout);
    } catch (error) {
      fs.remove(client.sh.path(part));
      if (error instanceof CtlError && error.code !== 130) throw new CtlError(error.message, EXIT_INTERRUPTED);
      throw error;
    }
  }
  const conn = client.conn as EtcdConnection;
  log(client, "info", { logger: "client", caller: `v3@v${ETCD_VERSION}/maintenance.go:212`, msg: "opened snapshot stream; downloading" });
  log(client, "info", { caller: "snapshot/v3_snapshot.go:73", msg: "fetching snapshot", endpoint: endpoint.text });
  const bytes = encodeSnapshot(conn.store.snapshot());
  fs.writeFile(client.sh.path(part), bytes);
  log(client, "info", { logger: "client", caller: `v3@v${ETCD_VERSION}/maintenance.go:220`, msg: "completed snapshot read; closing" });
  log(client, "info", { caller: "snapshot/v3_snapshot.go:88", msg: "fetched snapshot", endpoint: endpoint.text, size: humanBytes(Buffer.byteLength(bytes)), took: "now" });
  fs.remove(client.sh.path(part));
  fs.writeFile(client.sh.path(path), bytes);
  const node = fs.stat(client.sh.path(path));
  if (node) node.mode = 0o600;
  log(client, "info", { caller: "snapshot/v3_snapshot.go:97", msg: "saved", path });
  client.io.out(`Snapshot saved at ${path}\n`);
  return 0;
}

function readSnapshotFile(client: Client, path: string, verb: "stat" | "open"): string {
  try {
    return client.sh.host.fs.readFile(client.sh.path(path));
  } catch (error) {
    if (error instanceof FsError) throw new CtlError(`${verb} ${path}: ${error.text.toLowerCase()}`);
    throw error;
  }
}

function snapshotStatusCommand(client: Client, args: string[], specs: Record<string, FlagSpec>): number {
  if (args.length !== 1) throw new CtlError("snapshot status requires exactly one argument", EXIT_BAD_ARGS);
  const format = flag(client, "write-out", specs) ?? "simple";
  if (!["simple", "json", "table", "fields", "protobuf"].includes(format)) throw new CtlError("unsupported output format", EXIT_BAD_FEATURE);
  if (format !== "simple" && format !== "table" && format !== "json") throw new CtlError(`${format} not supported as output format`, EXIT_BAD_FEATURE);
  const status = snapshotStatus(readSnapshotFile(client, args[0] as string, "stat"));
  const row = [status.hash.toString(16), String(status.revision), String(status.totalKey), humanBytes(status.totalSize)];
  if (format === "table") client.io.out(etcdTable(["hash", "revision", "total keys", "total size"], [row]));
  else if (format === "json") client.io.out(`${JSON.stringify(status)}\n`);
  else client.io.out(`${row.join(", ")}\n`);
  return 0;
}

/** The first 8 bytes of a sha1 as a uint64 in hex (no leading zeros, as etcd prints IDs). */
const sha1Id = (data: string | Buffer): string => BigInt(`0x${createHash("sha1").update(data).digest("hex").slice(0, 16)}`).toString(16);

/** etcd's member ID: from the sorted peer URLs and the cluster token. */
export function memberId(peerURLs: string[], token: string): string {
  return sha1Id([...peerURLs].sort().join("") + token);
}

/** etcd's cluster ID: from its members' IDs. */
export function clusterIdOf(memberIds: string[]): string {
  return sha1Id(Buffer.concat(memberIds.map((id) => Buffer.from(id.padStart(16, "0"), "hex"))));
}

/** A zap console line, as etcdutl logs (RFC 3339 time, tab separated, spaced JSON fields). */
function consoleLog(client: Client, caller: string, msg: string, fields?: Record<string, unknown>): void {
  const time = new Date(client.sh.host.clock.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
  const context = fields ? `\t{${Object.entries(fields).map(([k, v]) => `"${k}": ${JSON.stringify(v).replace(/","/g, '", "')}`).join(", ")}}` : "";
  client.io.err(`${time}\tinfo\t${caller}\t${msg}${context}\n`);
}

function snapshotRestore(client: Client, args: string[], specs: Record<string, FlagSpec>): number {
  if (args.length !== 1) throw new CtlError("snapshot restore requires exactly one argument", EXIT_BAD_ARGS);
  const path = args[0] as string;
  const value = (name: string): string => flag(client, name, specs) ?? "";
  const name = value("name");
  const peerURLs = value("initial-advertise-peer-urls").split(",");
  const token = value("initial-cluster-token");
  const cluster = new Map<string, string[]>();
  for (const entry of value("initial-cluster").split(",").filter(Boolean)) {
    const [member, url] = entry.split("=", 2);
    if (!member || !url) throw new CtlError(`failed to parse initial-cluster ${JSON.stringify(entry)}`);
    cluster.set(member, [...(cluster.get(member) ?? []), url]);
  }
  const own = cluster.get(name);
  if (!own) throw new CtlError(`couldn't find local name "${name}" in the initial cluster configuration`);
  if ([...own].sort().join(",") !== [...peerURLs].sort().join(",")) throw new CtlError(`--initial-cluster has ${name}=${own.join(",")} but missing from --initial-advertise-peer-urls=${peerURLs.join(",")}`);
  const fs = client.sh.host.fs;
  const dataDir = value("data-dir") || `${name}.etcd`;
  const existing = fs.stat(client.sh.path(dataDir));
  if (existing && (existing.kind !== "dir" || existing.children.size > 0)) throw new CtlError(`data-dir "${dataDir}" not empty or could not be read`);
  const walDir = value("wal-dir") || `${dataDir}/member/wal`;
  if (value("wal-dir") && fs.stat(client.sh.path(walDir))) throw new CtlError(`wal-dir "${walDir}" exists`);
  const snapDir = `${dataDir}/member/snap`;
  const where = { path, "wal-dir": walDir, "data-dir": dataDir, "snap-dir": snapDir, "initial-memory-map-size": 0 };
  consoleLog(client, "snapshot/v3_snapshot.go:265", "restoring snapshot", where);
  let bytes: string;
  try {
    bytes = readSnapshotFile(client, path, "open");
    decodeSnapshot(bytes, { skipHashCheck: isSet(client, "skip-hash-check") });
  } catch (error) {
    if (error instanceof SnapshotFileError) throw new CtlError(error.message);
    throw error;
  }
  const ids = [...cluster.values()].map((urls) => memberId(urls, token));
  const clusterId = clusterIdOf(ids);
  const ownId = memberId(peerURLs, token);
  fs.mkdir(client.sh.path(snapDir), true);
  fs.mkdir(client.sh.path(walDir), true);
  const dataNode = fs.stat(client.sh.path(dataDir));
  if (dataNode) dataNode.mode = 0o700;
  fs.writeFile(client.sh.path(`${snapDir}/db`), bytes);
  consoleLog(client, "membership/store.go:141", "Trimming membership information from the backend...");
  for (const [, urls] of cluster) {
    consoleLog(client, "membership/cluster.go:421", "added member", { "cluster-id": clusterId, "local-member-id": "0", "added-peer-id": memberId(urls, token), "added-peer-peer-urls": urls });
  }
  fs.writeFile(client.sh.path(`${snapDir}/0000000000000001-${String(cluster.size).padStart(16, "0")}.snap`), `${JSON.stringify({ term: 1, index: cluster.size, members: ids })}\n`);
  fs.writeFile(client.sh.path(`${walDir}/0000000000000000-0000000000000000.wal`), `${JSON.stringify({ member: ownId, cluster: clusterId, term: 1, commit: cluster.size })}\n`);
  consoleLog(client, "snapshot/v3_snapshot.go:293", "restored snapshot", where);
  return 0;
}

// ---- entry points ----

const CTL_COMMANDS: Record<string, string[] | null> = {
  get: null,
  member: ["list"],
  endpoint: ["health", "status"],
  snapshot: ["save", "status", "restore"],
  version: null,
};

const UTL_COMMANDS: Record<string, string[] | null> = {
  snapshot: ["status", "restore"],
  version: null,
};

/** Run one tool's command, turning CtlError into `Error: ...` and the exit code, as cobrautl.ExitWithError does. */
async function run(io: ProcIO, body: () => Promise<number> | number): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (!(error instanceof CtlError)) throw error;
    if (error.code !== 130) io.err(`Error: ${error.message}\n`);
    return error.code;
  }
}

/** The commands this simulation of the tool offers (etcdctl without a command prints its usage). */
function usage(io: ProcIO, tool: string, commands: Record<string, string[] | null>): number {
  const lines = Object.entries(commands).flatMap(([top, subs]) => (subs ? subs.map((s) => `\t${top} ${s}`) : [`\t${top}`]));
  io.out(`NAME:\n\t${tool} - the etcd ${tool === "etcdctl" ? "client" : "offline utility"}, version ${ETCD_VERSION}\n\nUSAGE:\n\t${tool} [flags] <command>\n\nCOMMANDS:\n${lines.join("\n")}\n`);
  return 0;
}

function checkLocalFlags(values: Map<string, string>, specs: Record<string, FlagSpec>, command: string): void {
  for (const name of values.keys()) {
    const scope = specs[name]?.commands;
    if (scope && !scope.includes(command)) throw new CtlError(`unknown flag: --${name}`);
  }
}

export function etcdctl(sh: Shell, [, ...args]: string[], io: ProcIO): Promise<number> {
  return run(io, async () => {
    const env = sh.env();
    const api = env.ETCDCTL_API ?? "";
    if (api !== "" && api !== "3") {
      io.err(`unsupported API version: ${api}\n`);
      return EXIT_ERROR;
    }
    const { words, values } = parseArgs(args, CTL_FLAGS);
    if (!words.length) return usage(io, "etcdctl", CTL_COMMANDS);
    const { command, args: rest } = resolveCommand("etcdctl", words, CTL_COMMANDS);
    checkLocalFlags(values, CTL_FLAGS, command);
    const client: Client = { sh, io, values, env, conn: sh.host.etcd };
    switch (command) {
      case "version":
        io.out(`etcdctl version: ${ETCD_VERSION}\nAPI version: 3.5\n`);
        return 0;
      case "get":
        return get(client, rest);
      case "member list":
        return memberList(client);
      case "endpoint health":
        return endpointHealth(client);
      case "endpoint status":
        return endpointStatus(client);
      case "snapshot save":
        return snapshotSave(client, rest);
      case "snapshot status":
        io.err("Deprecated: Use `etcdutl snapshot status` instead.\n\n");
        return snapshotStatusCommand(client, rest, CTL_FLAGS);
      default:
        io.err("Deprecated: Use `etcdutl snapshot restore` instead.\n\n");
        return snapshotRestore(client, rest, CTL_FLAGS);
    }
  });
}

export function etcdutl(sh: Shell, [, ...args]: string[], io: ProcIO): Promise<number> {
  return run(io, () => {
    const { words, values } = parseArgs(args, UTL_FLAGS);
    if (!words.length) return usage(io, "etcdutl", UTL_COMMANDS);
    const { command, args: rest } = resolveCommand("etcdutl", words, UTL_COMMANDS);
    checkLocalFlags(values, UTL_FLAGS, command);
    const client: Client = { sh, io, values, env: {} };
    if (command === "version") {
      io.out(`etcdutl version: ${ETCD_VERSION}\nAPI version: 3.5\n`);
      return 0;
    }
    if (command === "snapshot status") return snapshotStatusCommand(client, rest, UTL_FLAGS);
    if (!values.has("data-dir")) throw new CtlError('required flag(s) "data-dir" not set');
    return snapshotRestore(client, rest, UTL_FLAGS);
  });
}
