// The images a simulated node can pull. Data, not code: a fuller catalogue
// (sizes, tags, what each image does when it runs) grows here.
import { createHash } from "node:crypto";

export interface ImageInfo {
  /** Bytes, as the Pulled event reports them. */
  size: number;
  /** Tags that exist; a pull of any other tag fails with "not found". */
  tags: string[];
  /** What the image's default command does: keep serving, or exit at once (busybox runs `sh`). */
  behaviour: "serves" | "exits";
  /** PID 1 exits on SIGTERM; if not (sleep in busybox), deletion waits out the grace period. */
  stopsOnSigterm: boolean;
}

const LIBRARY: Record<string, ImageInfo> = {
  nginx: { size: 72_099_410, tags: ["latest", "1.27", "1.27.3", "1.26", "1.25", "1.24", "alpine", "stable", "1.27-alpine"], behaviour: "serves", stopsOnSigterm: true },
  httpd: { size: 58_166_372, tags: ["latest", "2.4", "alpine", "2.4-alpine"], behaviour: "serves", stopsOnSigterm: true },
  busybox: { size: 2_166_802, tags: ["latest", "1.36", "1.37", "1.28", "stable"], behaviour: "exits", stopsOnSigterm: false },
  alpine: { size: 3_653_068, tags: ["latest", "3.20", "3.21", "3.19"], behaviour: "exits", stopsOnSigterm: false },
  redis: { size: 45_024_590, tags: ["latest", "7", "7.4", "alpine", "7-alpine"], behaviour: "serves", stopsOnSigterm: true },
  postgres: { size: 158_311_426, tags: ["latest", "17", "16", "15", "alpine"], behaviour: "serves", stopsOnSigterm: true },
  mysql: { size: 173_041_123, tags: ["latest", "8", "8.4", "9"], behaviour: "serves", stopsOnSigterm: true },
  ubuntu: { size: 29_754_311, tags: ["latest", "24.04", "22.04", "noble", "jammy"], behaviour: "exits", stopsOnSigterm: false },
  perl: { size: 336_217_093, tags: ["latest", "5.34.0", "5.34", "5.40", "slim"], behaviour: "exits", stopsOnSigterm: false },
  "registry.k8s.io/etcd": { size: 57_680_541, tags: ["3.5.16-0", "3.5.15-0", "3.5.12-0"], behaviour: "serves", stopsOnSigterm: true },
  "registry.k8s.io/pause": { size: 320_368, tags: ["3.10", "3.9"], behaviour: "serves", stopsOnSigterm: true },
  // The kube-system images (nodes have them already; a recreated kube-proxy or CoreDNS pod finds them, a new node pulls them).
  "registry.k8s.io/kube-apiserver": { size: 28_670_731, tags: ["v1.32.3", "v1.32.2", "v1.32.1", "v1.32.0"], behaviour: "serves", stopsOnSigterm: true },
  "registry.k8s.io/kube-controller-manager": { size: 26_259_392, tags: ["v1.32.3", "v1.32.2", "v1.32.1", "v1.32.0"], behaviour: "serves", stopsOnSigterm: true },
  "registry.k8s.io/kube-scheduler": { size: 20_657_902, tags: ["v1.32.3", "v1.32.2", "v1.32.1", "v1.32.0"], behaviour: "serves", stopsOnSigterm: true },
  "registry.k8s.io/kube-proxy": { size: 30_907_858, tags: ["v1.32.3", "v1.32.2", "v1.32.1", "v1.32.0"], behaviour: "serves", stopsOnSigterm: true },
  "registry.k8s.io/coredns/coredns": { size: 18_562_039, tags: ["v1.11.3", "v1.11.1", "v1.12.0"], behaviour: "serves", stopsOnSigterm: true },
  // Echo servers (what they answer: network/servers.ts).
  "docker.io/hashicorp/http-echo": { size: 3_468_236, tags: ["latest", "1.0", "1.0.0", "0.2.3"], behaviour: "serves", stopsOnSigterm: true },
  "docker.io/ealen/echo-server": { size: 49_811_512, tags: ["latest", "0.9.2", "0.8.12"], behaviour: "serves", stopsOnSigterm: true },
  "registry.k8s.io/echoserver": { size: 46_234_887, tags: ["1.10", "1.4"], behaviour: "serves", stopsOnSigterm: true },
  "registry.k8s.io/e2e-test-images/agnhost": { size: 52_740_126, tags: ["2.53", "2.52", "2.47", "2.40", "2.39"], behaviour: "serves", stopsOnSigterm: true },
  // The probe and memory tutorials' images (what they serve or use: network/servers.ts, container/shell.ts stress).
  "registry.k8s.io/busybox": { size: 1_144_547, tags: ["latest", "1.27.2", "1.27", "1.24"], behaviour: "exits", stopsOnSigterm: false },
  "registry.k8s.io/goproxy": { size: 2_525_402, tags: ["0.1"], behaviour: "serves", stopsOnSigterm: true },
  "docker.io/polinux/stress": { size: 4_041_857, tags: ["latest", "1.0.4"], behaviour: "exits", stopsOnSigterm: false },
  // The "Learn Kubernetes Basics" app (v2 is the tutorial's update; v10 does not exist). PID 1 is
  // `/bin/sh -c node server.js`, which ignores SIGTERM: deletion waits out the grace period.
  "gcr.io/google-samples/kubernetes-bootcamp": { size: 83_642_968, tags: ["v1"], behaviour: "serves", stopsOnSigterm: false },
  "docker.io/jocatalin/kubernetes-bootcamp": { size: 83_652_871, tags: ["v1", "v2"], behaviour: "serves", stopsOnSigterm: false },
};

export interface ImageRef {
  /** As written in the pod spec. */
  original: string;
  /** Fully qualified, as container statuses show it: docker.io/library/nginx:latest. */
  qualified: string;
  /** Repository without tag: docker.io/library/nginx. */
  repository: string;
  tag: string;
}

export function parseImage(image: string): ImageRef {
  const slash = image.lastIndexOf("/");
  const colon = image.lastIndexOf(":");
  const hasTag = colon > slash;
  let name = hasTag ? image.slice(0, colon) : image;
  const tag = hasTag ? image.slice(colon + 1) : "latest";
  const first = name.split("/")[0] ?? "";
  const hasRegistry = name.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  if (!hasRegistry) name = `docker.io/${name.includes("/") ? name : `library/${name}`}`;
  return { original: image, qualified: `${name}:${tag}`, repository: name, tag };
}

function catalogueKey(ref: ImageRef): string {
  return ref.repository.replace(/^docker\.io\/library\//, "");
}

export type PullResult = { ok: true; info: ImageInfo; digest: string } | { ok: false; message: string };

export function lookupImage(ref: ImageRef): PullResult {
  const info = LIBRARY[catalogueKey(ref)];
  if (!info) {
    return {
      ok: false,
      message: `failed to pull and unpack image "${ref.qualified}": failed to resolve reference "${ref.qualified}": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed`,
    };
  }
  // As a 1.32 node with containerd reports them: a missing tag keeps its gRPC NotFound status
  // text, a missing (or private) repository above has none.
  if (!info.tags.includes(ref.tag)) {
    return { ok: false, message: `rpc error: code = NotFound desc = failed to pull and unpack image "${ref.qualified}": failed to resolve reference "${ref.qualified}": ${ref.qualified}: not found` };
  }
  return { ok: true, info, digest: `sha256:${createHash("sha256").update(ref.qualified).digest("hex")}` };
}

/** How long pulling an image of `size` bytes takes on the simulated network (about 0.5-2.5 s). */
export function pullMillis(size: number): number {
  return Math.min(2500, 450 + Math.round(size / 50_000));
}

/** A Go-style duration as kubelet messages print it: 812ms, 1.234s, 10s, 5m0s. */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(3).replace(/\.?0+$/, "")}s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}m${goDuration(ms - minutes * 60_000).replace(/^0ms$/, "0s")}`;
}

/** How a command run by an image that exits ("exits" behaviour) ends: after `runsMs` of clock, with `exitCode`. */
export interface CommandOutcome {
  runsMs: number;
  exitCode: number;
}

/** The least time a command takes, so pods show Running for a moment. */
const COMMAND_MILLIS = 1000;

/**
 * What a container of an image that exits does with an explicit command or
 * args, read from the words (not a shell): `sleep N` adds N seconds, `exit N`
 * ends with code N, `false` with 1; loops (`while true`, `sleep infinity`,
 * `tail -f`) run forever (undefined). Anything else finishes after about a
 * second with code 0.
 */
export function commandOutcome(command: string[] | undefined, args: string[] | undefined): CommandOutcome | undefined {
  const text = [...(command ?? []), ...(args ?? [])].join(" ");
  if (/\bwhile\s+(true|:)|\bsleep\s+inf|\btail\s+-f\b|\bfor\s*\(\(\s*;;/.test(text)) return undefined;
  let runsMs = 0;
  for (const m of text.matchAll(/\bsleep\s+(\d+(?:\.\d+)?)([smhd]?)\b/g)) {
    const unit = { "": 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? ""] ?? 1000;
    runsMs += Number(m[1]) * unit;
  }
  let exitCode = 0;
  const exit = [...text.matchAll(/\bexit\s+(\d+)/g)].at(-1);
  if (exit) exitCode = Number(exit[1]) % 256;
  else if (/(^|[;&|]\s*|\s)false(\s*($|[;&|]))/.test(text) && !/\|\|\s*true\b/.test(text)) exitCode = 1;
  return { runsMs: Math.max(runsMs, COMMAND_MILLIS), exitCode };
}
