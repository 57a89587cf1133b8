// What the kube-system components print when they start, each in its own
// format: klog text lines for the Kubernetes components (kube-apiserver,
// kube-controller-manager, kube-scheduler, kube-proxy), zap JSON for etcd,
// plain lines for CoreDNS. A handful of lines each, the ones a real start
// shows at the default verbosity (kubeadm sets no --v), stamped from the
// container's start time. Every start prints them again (a restarted
// controller manager takes the leader lease again and says so).
import { createHash } from "node:crypto";
import { clusterIdOf, memberId } from "./etcdctl";
import type { ProcessStart } from "./images";

const GO_SETTINGS = '"Golang settings" GOGC="" GOMAXPROCS="" GOTRACEBACK=""';

/**
 * Times for a burst of log lines: a process writes its start-up lines a few
 * hundred microseconds apart. Deterministic, so tests can assert them.
 */
class Ticker {
  private micros: number;
  private count = 0;

  constructor(startMs: number) {
    this.micros = startMs * 1000;
  }

  next(): number {
    this.micros += this.count++ === 0 ? 0 : 40 + ((this.count * 7919) % 460);
    return this.micros;
  }
}

const pad = (n: number, width = 2): string => String(n).padStart(width, "0");

/** `MMDD hh:mm:ss.uuuuuu` in UTC, klog's header time. */
function klogTime(micros: number): string {
  const d = new Date(Math.floor(micros / 1000));
  return `${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(micros % 1_000_000, 6)}`;
}

/** RFC 3339 with microseconds, as etcd's zap logger stamps `ts`. */
function zapTime(micros: number): string {
  return `${new Date(Math.floor(micros / 1000)).toISOString().slice(0, 19)}.${pad(micros % 1_000_000, 6)}Z`;
}

type Severity = "I" | "W" | "E";

/** Lines in klog's text format: `I1122 12:00:00.123456       1 file.go:42] message` (thread id 1, padded to 7). */
function klog(startMs: number, lines: [Severity, string, string][]): string[] {
  const ticker = new Ticker(startMs);
  return lines.map(([severity, source, message]) => `${severity}${klogTime(ticker.next())} ${"1".padStart(7)} ${source}] ${message}`);
}

/** The value of `--name=value` on a command line. */
function flag(argv: string[], name: string): string | undefined {
  const prefix = `--${name}=`;
  return argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

const leaderElection = (lease: string): [Severity, string, string][] => [
  ["I", "leaderelection.go:257", `attempting to acquire leader lease kube-system/${lease}...`],
  ["I", "leaderelection.go:271", `successfully acquired lease kube-system/${lease}`],
];

function kubeApiserver(version: string, now: number, start: ProcessStart): string[] {
  const host = flag(start.argv, "advertise-address") ?? start.podIP;
  const port = flag(start.argv, "secure-port") ?? "6443";
  const clientCa = flag(start.argv, "client-ca-file") ?? "/etc/kubernetes/pki/ca.crt";
  return klog(now, [
    ["I", "options.go:238", `external host was not specified, using ${host}`],
    ["I", "server.go:143", `Version: ${version}`],
    ["I", "server.go:145", GO_SETTINGS],
    ["I", "shared_informer.go:313", "Waiting for caches to sync for node_authorizer"],
    ["I", "dynamic_cafile_content.go:161", `"Starting controller" name="client-ca-bundle::${clientCa}"`],
    ["I", "secure_serving.go:213", `Serving securely on [::]:${port}`],
    ["I", "shared_informer.go:320", "Caches are synced for node_authorizer"],
    ["I", "controller.go:615", "quota admission added evaluator for: leases.coordination.k8s.io"],
    ["I", "controller.go:615", "quota admission added evaluator for: endpoints"],
    ["I", "controller.go:615", "quota admission added evaluator for: endpointslices.discovery.k8s.io"],
  ]);
}

/** The controllers whose start the log shows (the ones the sim runs; the real list is longer). */
const STARTED_CONTROLLERS = ["serviceaccount-token-controller", "namespace-controller", "endpoints-controller", "endpointslice-controller", "replicaset-controller", "deployment-controller", "node-lifecycle-controller", "garbage-collector-controller"];

function kubeControllerManager(version: string, now: number, start: ProcessStart): string[] {
  const bind = flag(start.argv, "bind-address") ?? "0.0.0.0";
  return klog(now, [
    ["I", "serving.go:386", "Generated self-signed cert in-memory"],
    ["I", "controllermanager.go:185", `"Starting" version="${version}"`],
    ["I", "controllermanager.go:187", GO_SETTINGS],
    ["I", "secure_serving.go:213", `Serving securely on ${bind}:10257`],
    ["I", "tlsconfig.go:243", '"Starting DynamicServingCertificateController"'],
    ...leaderElection("kube-controller-manager"),
    ...STARTED_CONTROLLERS.map((name): [Severity, string, string] => ["I", "controllermanager.go:765", `"Started controller" controller="${name}"`]),
    ["I", "shared_informer.go:320", "Caches are synced for garbage collector"],
  ]);
}

function kubeScheduler(version: string, now: number, start: ProcessStart): string[] {
  const bind = flag(start.argv, "bind-address") ?? "0.0.0.0";
  // At the default verbosity the scheduler says nothing per pod it binds.
  return klog(now, [
    ["I", "serving.go:386", "Generated self-signed cert in-memory"],
    ["I", "server.go:167", `"Starting Kubernetes Scheduler" version="${version}"`],
    ["I", "server.go:169", GO_SETTINGS],
    ["I", "secure_serving.go:213", `Serving securely on ${bind}:10259`],
    ["I", "tlsconfig.go:243", '"Starting DynamicServingCertificateController"'],
    ["I", "shared_informer.go:320", "Caches are synced for client-ca::kube-system::extension-apiserver-authentication::client-ca-file"],
    ...leaderElection("kube-scheduler"),
  ]);
}

/** The proxy mode its configuration file asks for (`mode:`); blank means iptables on Linux. */
function proxyMode(start: ProcessStart): "iptables" | "ipvs" | "nftables" {
  const config = flag(start.argv, "config");
  const mode = /^mode:\s*"?([a-z]*)"?\s*$/m.exec((config && start.readFile(config)) ?? "")?.[1];
  return mode === "ipvs" || mode === "nftables" ? mode : "iptables";
}

function kubeProxy(version: string, now: number, start: ProcessStart): string[] {
  const mode = proxyMode(start);
  return klog(now, [
    ...(mode === "iptables" ? [["I", "server_linux.go:66", '"Using iptables proxy"'] as [Severity, string, string]] : []),
    ["I", "server.go:698", `"Successfully retrieved node IP(s)" IPs=["${start.podIP}"]`],
    ["E", "server.go:234", '"Kube-proxy configuration may be incomplete or incorrect" err="nodePortAddresses is unset; NodePort connections will be accepted on all local IPs" suggestion="Consider using `--nodeport-addresses primary`"'],
    ["I", "server.go:243", '"kube-proxy running in single-stack mode" ipFamily="IPv4"'],
    ["I", "server_linux.go:170", `"Using ${mode} Proxier"`],
    ["I", "server.go:483", `"Version info" version="${version}"`],
    ["I", "server.go:485", GO_SETTINGS],
    ["I", "config.go:199", '"Starting service config controller"'],
    ["I", "config.go:105", '"Starting endpoint slice config controller"'],
    ["I", "config.go:329", '"Starting node config controller"'],
    ["I", "shared_informer.go:320", "Caches are synced for node config"],
    ["I", "shared_informer.go:320", "Caches are synced for service config"],
    ["I", "shared_informer.go:320", "Caches are synced for endpoint slice config"],
  ]);
}

/** The Kubernetes component an image runs (registry.k8s.io/kube-*), with its start-up lines. */
const KUBE_COMPONENTS: Record<string, (version: string, now: number, start: ProcessStart) => string[]> = {
  "kube-apiserver": kubeApiserver,
  "kube-controller-manager": kubeControllerManager,
  "kube-scheduler": kubeScheduler,
  "kube-proxy": kubeProxy,
};

/** Start-up lines of registry.k8s.io/<component>:<version>, or undefined for an image that is no Kubernetes component. */
export function kubeComponentStartup(component: string, version: string): ((now: number, start: ProcessStart) => string[]) | undefined {
  const lines = KUBE_COMPONENTS[component];
  return lines && ((now, start) => lines(version, now, start));
}

/** etcd's zap JSON lines: its member (ID as `etcdctl member list` shows it) elected leader of a one-member cluster, then serving. */
export function etcdStartup(version: string, now: number, start: ProcessStart): string[] {
  const ticker = new Ticker(now);
  const line = (caller: string, msg: string, fields: Record<string, unknown> = {}, logger?: string): string =>
    JSON.stringify({ level: "info", ts: zapTime(ticker.next()), ...(logger ? { logger } : {}), caller, msg, ...fields });
  const name = flag(start.argv, "name") ?? "default";
  const peerURLs = (flag(start.argv, "initial-advertise-peer-urls") ?? "http://localhost:2380").split(",");
  const clientURLs = (flag(start.argv, "advertise-client-urls") ?? "http://localhost:2379").split(",");
  const listen = (flag(start.argv, "listen-client-urls") ?? "http://localhost:2379").split(",");
  const id = memberId(peerURLs, "etcd-cluster");
  return [
    line("embed/etcd.go:309", "starting an etcd server", { "etcd-version": version, "go-version": "go1.22.7", "go-os": "linux", "go-arch": "amd64", name, "data-dir": flag(start.argv, "data-dir") ?? `${name}.etcd` }),
    line("etcdserver/raft.go:530", "starting local member", { "local-member-id": id, "cluster-id": clusterIdOf([id]) }),
    line("etcdserver/zap_raft.go:77", `${id} became leader at term 2`, {}, "raft"),
    line("etcdserver/server.go:2118", "published local member to cluster through raft", { "local-member-id": id, "local-member-attributes": `{Name:${name} ClientURLs:[${clientURLs.join(" ")}]}`, "cluster-id": clusterIdOf([id]), "publish-timeout": "7s" }),
    ...listen.map((url) => line("embed/serve.go:250", "serving client traffic securely", { traffic: "grpc+http", address: url.replace(/^\w+:\/\//, "") })),
    line("etcdmain/main.go:44", "notifying init daemon"),
    line("etcdmain/main.go:50", "successfully notified init daemon"),
  ];
}

/** CoreDNS: its server block, the hash of the Corefile it loaded (the reload plugin's), its version and build. */
export function corednsStartup(version: string, start: ProcessStart): string[] {
  const argv = start.argv;
  const conf = argv[argv.indexOf("-conf") + 1] ?? "Corefile";
  const corefile = (argv.includes("-conf") ? start.readFile(conf) : undefined) ?? "";
  const blocks = [...corefile.matchAll(/^(\S+)\s*\{/gm)].map((m) => m[1] ?? "");
  return [...(blocks.length ? blocks : [".:53"]), `[INFO] plugin/reload: Running configuration SHA512 = ${createHash("sha512").update(corefile).digest("hex")}`, `CoreDNS-${version}`, "linux/amd64, go1.21.11, a6338e9"];
}
