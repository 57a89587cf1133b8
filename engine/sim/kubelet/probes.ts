// The kubelet's prober: one worker per probe of a running container, ticking
// every periodSeconds from the container's start on the injected clock,
// skipped before initialDelaySeconds, liveness/readiness held back until the
// startup probe passes. A probe's result only changes after successThreshold
// / failureThreshold identical results in a row, as upstream's worker counts
// them. The checks themselves (exec in the container's shell, HTTP GET and TCP
// connect through the simulated network) answer with upstream's wording.
import { randomBytes } from "node:crypto";
import type { Clock, Timer } from "../../clock";
import type { SimContainer } from "../container/runtime";
import type { ConnectError, Network } from "../network";
import { listenersOf } from "../network/servers";
import { PROBE_DEFAULTS } from "../registry/pods";
import type { Container, Pod } from "../types";

export type ProbeKind = "startup" | "liveness" | "readiness";

export interface ProbeSpec {
  exec?: { command?: string[] };
  httpGet?: { path?: string; port: number | string; host?: string; scheme?: string; httpHeaders?: { name: string; value: string }[] };
  tcpSocket?: { port: number | string; host?: string };
  grpc?: { port: number; service?: string };
  initialDelaySeconds?: number;
  timeoutSeconds?: number;
  periodSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
  terminationGracePeriodSeconds?: number;
}

/** A check's answer: passed, failed (output goes into the Unhealthy event), or could not run (thrown away, as upstream). */
export type ProbeOutcome = { result: "success" } | { result: "failure"; output: string } | { result: "error"; message: string };

/** What the HTTP, TCP and gRPC checks reach the pod through (the cluster network, as the kubelet on the node sees it). */
export type ProbeNetwork = Pick<Network, "http" | "connect">;

export interface ProbeContext {
  pod: Pod;
  container: Container;
  clock: Clock;
  network?: ProbeNetwork;
  /** The container's running process, for exec checks. */
  process?: SimContainer;
}

const KINDS: ProbeKind[] = ["startup", "liveness", "readiness"];
const LABEL: Record<ProbeKind, string> = { startup: "Startup", liveness: "Liveness", readiness: "Readiness" };
const FIELD: Record<ProbeKind, "startupProbe" | "livenessProbe" | "readinessProbe"> = { startup: "startupProbe", liveness: "livenessProbe", readiness: "readinessProbe" };
const PROBE_USER_AGENT = "kube-probe/1.32";

/** The container's probe of `kind` with upstream's defaults filled in (objects written before defaulting lack them). */
export function probeOf(container: Container, kind: ProbeKind): (ProbeSpec & typeof PROBE_DEFAULTS) | undefined {
  const spec = container[FIELD[kind]] as ProbeSpec | undefined;
  return spec ? { ...PROBE_DEFAULTS, ...spec } : undefined;
}

export function hasProbes(container: Container): boolean {
  return KINDS.some((kind) => probeOf(container, kind));
}

/** A probe port: a number, a container port name, or a number written as a string (upstream's last resort). */
function resolveProbePort(port: number | string, container: Container): { port: number } | { error: string } {
  let value: number;
  if (typeof port === "number") value = port;
  else {
    const named = container.ports?.find((p) => p.name === port)?.containerPort;
    if (named !== undefined) value = named;
    else if (/^[+-]?\d+$/.test(port)) value = Number(port);
    else return { error: `strconv.Atoi: parsing ${JSON.stringify(port)}: invalid syntax` };
  }
  return value > 0 && value < 65536 ? { port: value } : { error: `invalid port number: ${value}` };
}

/** Resolves after `ms` of clock time. */
function delay(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.schedule(ms, resolve));
}

/** Run one check of `spec` against the container. */
export async function runProbe(spec: ProbeSpec, ctx: ProbeContext): Promise<ProbeOutcome> {
  const timeoutMs = (spec.timeoutSeconds ?? PROBE_DEFAULTS.timeoutSeconds) * 1000;
  if (spec.exec) return execProbe(spec.exec.command ?? [], timeoutMs, ctx);
  const podIP = ctx.pod.status?.podIP ?? "";
  if (spec.httpGet) {
    const resolved = resolveProbePort(spec.httpGet.port, ctx.container);
    if ("error" in resolved) return { result: "error", message: resolved.error };
    const host = spec.httpGet.host || podIP;
    const scheme = (spec.httpGet.scheme ?? "HTTP").toLowerCase() === "https" ? "https" : "http";
    const path = spec.httpGet.path || "/";
    const url = `${scheme}://${host}:${resolved.port}${path.startsWith("/") ? path : `/${path}`}`;
    const headers: Record<string, string> = { "User-Agent": PROBE_USER_AGENT, Accept: "*/*" };
    for (const h of spec.httpGet.httpHeaders ?? []) headers[h.name] = h.value;
    const answer = ctx.network?.http(host, resolved.port, path, { scheme, headers });
    if (!answer) return { result: "error", message: "no network" };
    if (!answer.ok) return { result: "failure", output: `Get "${url}": ${await connectFailure(answer.error, host, resolved.port, timeoutMs, ctx.clock)}` };
    if (answer.status >= 200 && answer.status < 400) return { result: "success" };
    return { result: "failure", output: `HTTP probe failed with statuscode: ${answer.status}` };
  }
  if (spec.tcpSocket) {
    const resolved = resolveProbePort(spec.tcpSocket.port, ctx.container);
    if ("error" in resolved) return { result: "error", message: resolved.error };
    const host = spec.tcpSocket.host || podIP;
    const connected = ctx.network?.connect(host, resolved.port);
    if (!connected) return { result: "error", message: "no network" };
    return connected.ok ? { result: "success" } : { result: "failure", output: await connectFailure(connected.error, host, resolved.port, timeoutMs, ctx.clock) };
  }
  if (spec.grpc) return grpcProbe(spec.grpc.port, podIP, timeoutMs, ctx);
  return { result: "error", message: "missing probe handler" };
}

/** Go's net/http wording for a connection that failed; a timeout takes the probe's whole timeout. */
async function connectFailure(error: ConnectError, host: string, port: number, timeoutMs: number, clock: Clock): Promise<string> {
  switch (error) {
    case "refused":
      return `dial tcp ${host}:${port}: connect: connection refused`;
    case "timeout":
      await delay(clock, timeoutMs);
      return `dial tcp ${host}:${port}: i/o timeout`;
    case "tls":
      return "http: server gave HTTP response to HTTPS client";
    default:
      return "EOF";
  }
}

async function execProbe(argv: string[], timeoutMs: number, ctx: ProbeContext): Promise<ProbeOutcome> {
  const process = ctx.process;
  if (!process?.running) return { result: "error", message: "rpc error: code = NotFound desc = failed to exec in container: container is not created or running" };
  if (!process.canExec(argv)) {
    return {
      result: "error",
      message: `rpc error: code = Unknown desc = failed to exec in container: failed to start exec "${randomBytes(32).toString("hex")}": OCI runtime exec failed: exec failed: unable to start container process: exec: "${argv[0] ?? ""}": executable file not found in $PATH: unknown`,
    };
  }
  let output = "";
  let timedOut = false;
  let timer: Timer | undefined;
  const collect = (text: string): void => void (output += text);
  const code = await process.exec(argv, { stdout: collect, stderr: collect, tty: false }, (interrupt) => {
    timer = ctx.clock.schedule(timeoutMs, () => {
      timedOut = true;
      interrupt.fire();
    });
  });
  timer?.cancel();
  if (timedOut) return { result: "failure", output: `command ${JSON.stringify(argv.join(" "))} timed out` };
  return code === 0 ? { result: "success" } : { result: "failure", output };
}

/** gRPC health checks: only etcd serves grpc.health.v1 among the simulated servers. */
async function grpcProbe(port: number, host: string, timeoutMs: number, ctx: ProbeContext): Promise<ProbeOutcome> {
  const address = `${host}:${port}`;
  const connected = ctx.network?.connect(host, port);
  if (!connected) return { result: "error", message: "no network" };
  if (!connected.ok) {
    await delay(ctx.clock, timeoutMs);
    return { result: "failure", output: `timeout: failed to connect service ${JSON.stringify(address)} within ${timeoutMs / 1000}s: context deadline exceeded` };
  }
  const listener = ctx.pod.spec.containers.flatMap(listenersOf).find((l) => l.port === port);
  if (listener?.process === "etcd") return { result: "success" };
  return { result: "failure", output: "error: this server does not implement the grpc health protocol (grpc.health.v1.Health): rpc error: code = Unimplemented desc = unknown service grpc.health.v1.Health" };
}

export interface ProbeHooks {
  clock: Clock;
  /** Run one check of the `kind` probe (runProbe against the live pod and process). */
  run(spec: ProbeSpec, kind: ProbeKind): Promise<ProbeOutcome>;
  /** A failed or errored check: the Unhealthy event's message. */
  unhealthy(message: string): void;
  /** `kind`'s result changed after its threshold: readiness flips ready, startup success marks started, a liveness/startup failure kills. */
  settled(kind: ProbeKind, ok: boolean): void;
}

interface Worker {
  kind: ProbeKind;
  spec: ProbeSpec & typeof PROBE_DEFAULTS;
  /** The result the kubelet acts on: readiness starts failed, liveness passed, startup unknown. */
  result: boolean | undefined;
  last?: boolean;
  run: number;
  /** After a liveness/startup failure: no more checks for this container instance. */
  onHold: boolean;
  busy: boolean;
  timer?: Timer;
}

/** The probe workers of one running container instance; `stop` when it exits. */
export class ContainerProbes {
  private readonly workers: Worker[] = [];
  private started: boolean;
  private stopped = false;

  constructor(
    container: Container,
    private readonly startedAt: number,
    private readonly hooks: ProbeHooks,
    /** The container already passed its startup probe (a restored pod). */
    alreadyStarted = false,
  ) {
    for (const kind of KINDS) {
      const spec = probeOf(container, kind);
      if (spec) this.workers.push({ kind, spec, result: kind === "readiness" ? false : kind === "liveness" ? true : undefined, run: 0, onHold: false, busy: false });
    }
    this.started = alreadyStarted || !this.workers.some((w) => w.kind === "startup");
    for (const w of this.workers) this.plan(w, 0);
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.workers) w.timer?.cancel();
  }

  /** Next tick of `w`: the first multiple of its period from the container's start at or after `fromMs`. */
  private plan(w: Worker, fromMs: number): void {
    const period = w.spec.periodSeconds * 1000;
    const tick = Math.ceil(fromMs / period) * period;
    w.timer = this.hooks.clock.schedule(this.startedAt + tick - this.hooks.clock.now(), () => void this.tick(w, tick));
  }

  private async tick(w: Worker, at: number): Promise<void> {
    if (this.stopped) return;
    const due = at >= w.spec.initialDelaySeconds * 1000 && (w.kind === "startup" ? !this.started : this.started);
    if (due && !w.onHold && !w.busy) await this.check(w);
    if (!this.stopped) this.plan(w, Math.max(at + 1, this.hooks.clock.now() - this.startedAt));
  }

  private async check(w: Worker): Promise<void> {
    w.busy = true;
    const outcome = await this.hooks.run(w.spec, w.kind);
    w.busy = false;
    if (this.stopped) return;
    if (outcome.result === "error") {
      this.hooks.unhealthy(`${LABEL[w.kind]} probe errored and resulted in unknown state: ${outcome.message}`);
      return;
    }
    if (outcome.result === "failure") this.hooks.unhealthy(`${LABEL[w.kind]} probe failed: ${outcome.output}`);
    const ok = outcome.result === "success";
    w.run = w.last === ok ? w.run + 1 : 1;
    w.last = ok;
    if (w.run < (ok ? w.spec.successThreshold : w.spec.failureThreshold)) return;
    if (!ok && w.kind !== "readiness") {
      w.onHold = true;
      w.run = 0;
    }
    if (w.result === ok) return;
    w.result = ok;
    if (w.kind === "startup" && ok) this.started = true;
    this.hooks.settled(w.kind, ok);
    // Once started, readiness is checked at once rather than at its next tick (upstream triggers it).
    const readiness = this.workers.find((r) => r.kind === "readiness");
    if (w.kind === "startup" && ok && readiness && !readiness.busy && this.hooks.clock.now() - this.startedAt >= readiness.spec.initialDelaySeconds * 1000) await this.check(readiness);
  }
}
