// The container runtime behind the kubelets: one SimContainer per started
// container (fresh root filesystem from its image, the pod's volumes mounted,
// env from the spec), its main process run by the simulated shell with its
// output in the container log, and `exec`/`attach` for the API server.
// Memory its processes hold (stress --vm) counts against the container's
// memory limit: going over it kills the whole container (OOMKilled, 137).
import type { Clock } from "../../clock";
import type { Container, Pod } from "../types";
import { FileSystem, newDir, treeFrom, type FileContent, type FsDir, type Mount } from "./fs";
import { fieldValue, objectData, specEnvironment, type ObjectLookup } from "./env";
import { hasExecutable, imageContent, startFailure, type ImageContent } from "./images";
import { Input, Interrupt } from "./io";
import { ContainerLog } from "./logs";
import { NO_NETWORK, type ContainerNetwork, type ServiceEnv } from "./network";
import { Shell, type ProcIO } from "./shell";
import type { EtcdConnection } from "./etcdctl";
import { parseImage } from "../kubelet/images";
import { quantityValue } from "../scheduler/quantity";

export interface RuntimeDeps {
  clock: Clock;
  /** A ConfigMap or Secret of the cluster (for volumes and env). */
  lookup: ObjectLookup;
  /** A token of ServiceAccount `name` in `namespace`, issued at `nowMs`, for a pod's projected token volume. */
  token?(account: { namespace: string; name: string }, nowMs: number): string;
  /** The network as seen from `pod` (the networking part's `podNetwork`); none: nothing resolves. */
  network?(pod: Pod): ContainerNetwork;
  serviceEnv?: ServiceEnv;
  /** The cluster's etcd as `pod` reaches it (etcdctl in the etcd image); none: nothing answers. */
  etcd?(pod: Pod): EtcdConnection | undefined;
}

/** The standard streams of one exec/attach session, as the API server's stream protocol sees them. */
export interface Session {
  stdin?: Input;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  tty: boolean;
}

/** A terminal between a client and a process: echo, line editing, Ctrl-C / Ctrl-D, \n -> \r\n. */
export class Terminal {
  readonly input = new Input();
  private line = "";
  private job = new Interrupt();
  private busy = false;

  constructor(private readonly echo: (text: string) => void) {}

  foreground(): Interrupt {
    this.job = new Interrupt();
    this.busy = true;
    return this.job;
  }

  idle(): void {
    this.busy = false;
  }

  get interrupt(): Interrupt {
    return this.job;
  }

  /** Keys from the client. */
  feed(data: string): void {
    for (const ch of data) {
      if (ch === "\r" || ch === "\n") {
        this.echo("\r\n");
        this.input.push(`${this.line}\n`);
        this.line = "";
      } else if (ch === "\x03") {
        this.echo("^C\r\n");
        this.line = "";
        // A running command is interrupted; an idle prompt gets a fresh one, as sh does on SIGINT.
        if (this.busy) this.job.fire();
        else this.input.push("\n");
      } else if (ch === "\x04") {
        if (!this.line) this.input.end();
      } else if (ch === "\x7f" || ch === "\b") {
        if (this.line) {
          this.line = this.line.slice(0, -1);
          this.echo("\b \b");
        }
      } else if (ch >= " " || ch === "\t") {
        this.line += ch;
        this.echo(ch);
      }
    }
  }

  static output(text: string): string {
    return text.replace(/\r?\n/g, "\r\n");
  }
}

let nextContainerId = 1;

/** How the main process ended: its code, and the runtime's reason when the runtime ended it (OOMKilled). */
export type ExitListener = (code: number, reason?: "OOMKilled") => void;

export class SimContainer {
  readonly id = nextContainerId++;
  private filesystem?: FileSystem;
  readonly log: ContainerLog;
  readonly env: Record<string, string>;
  readonly image: ImageContent;
  private pid = 1;
  private readonly procs = new Map<number, string>();
  private readonly kill = new Interrupt();
  running = true;
  /** The main process's stdin (attach writes here) and its live output subscribers (attach reads). */
  readonly mainInput = new Input();
  private readonly attached = new Set<Session>();
  terminal?: Terminal;
  private resolveStopped: (code: number) => void = () => undefined;
  /** Resolves with the main process's exit code when the container stops. */
  readonly stopped = new Promise<number>((resolve) => (this.resolveStopped = resolve));
  /** Hears the main process's end, or the OOM kill (not a `stop` from outside). */
  onExit?: ExitListener;
  private held = 0;

  constructor(
    readonly pod: Pod,
    readonly spec: Container,
    private readonly makeFilesystem: () => FileSystem,
    /** Its volumes (a server's start-up reads its config from them without building the filesystem). */
    private readonly mounts: Mount[],
    env: Record<string, string>,
    image: ImageContent,
    private readonly deps: RuntimeDeps,
  ) {
    this.log = new ContainerLog(() => deps.clock.now());
    this.env = env;
    this.image = image;
  }

  /** Made on first use (exec, a probe, the network serving its files): most containers are never looked into. */
  get fs(): FileSystem {
    return (this.filesystem ??= this.makeFilesystem());
  }

  get hostname(): string {
    return this.pod.metadata.name ?? "";
  }

  private host(): Shell["host"] {
    return {
      fs: this.fs,
      clock: this.deps.clock,
      hostname: this.hostname,
      namespace: this.pod.metadata.namespace ?? "default",
      network: this.deps.network?.(this.pod) ?? NO_NETWORK,
      flavour: this.image.flavour,
      programs: new Set(this.image.programs),
      kernel: "5.15.0-131-generic",
      processes: () => [...this.procs.entries()].sort(([a], [b]) => a - b).map(([pid, command]) => ({ pid, command })),
      spawn: (command) => {
        const pid = this.pid === 1 && !this.procs.has(1) ? 1 : (this.pid += 6);
        if (pid === 1) this.pid = 1;
        this.procs.set(pid, command);
        return { pid, exit: () => this.procs.delete(pid) };
      },
      allocate: (bytes) => this.allocate(bytes),
      etcd: this.deps.etcd?.(this.pod),
    };
  }

  /** Bytes its processes hold beyond what the image's own process uses (metrics add it to their figure). */
  get memoryBytes(): number {
    return this.held;
  }

  /**
   * A process takes `bytes` of memory; past the container's memory limit the
   * kernel's OOM killer ends the whole container (the kubelet groups its
   * processes), as exit 137 OOMKilled. Returns the release.
   */
  allocate(bytes: number): () => void {
    this.held += bytes;
    const limit = quantityValue((this.spec.resources as { limits?: Record<string, string> } | undefined)?.limits?.memory);
    if (limit > 0 && this.held > limit) this.end(137, "OOMKilled");
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held -= bytes;
    };
  }

  /** The main process ended (or the runtime ended it): stop and tell the listener once. */
  end(code: number, reason?: "OOMKilled"): void {
    if (!this.running) return;
    this.stop(code);
    this.onExit?.(code, reason);
  }

  /** The main process: the spec's command/args, else the image's own. Resolves with its exit code (never for servers). */
  async main(): Promise<number> {
    const argv = [...(this.spec.command ?? []), ...(this.spec.args ?? [])];
    const show = (text: string): void => {
      for (const s of this.attached) s.stdout(s.tty ? Terminal.output(text) : text);
    };
    const out = (text: string): void => {
      this.log.write(text);
      show(text);
    };
    const err = (text: string): void => {
      this.log.write(text);
      for (const s of this.attached) (s.tty ? s.stdout : s.stderr)(s.tty ? Terminal.output(text) : text);
    };
    const tty = this.spec.tty === true;
    if (tty) this.terminal = new Terminal(out);
    const stdin = tty && this.terminal ? this.terminal.input : this.mainInput;
    if (this.spec.stdin !== true) stdin.end();
    const io: ProcIO = { stdin, out, err, interrupt: this.kill, tty, ...(this.terminal ? { jobs: this.terminal } : {}) };
    if (!argv.length && !this.image.startup) argv.push(this.image.init);
    // The kubelet starts no container the runtime cannot (StartError); this is what runc would exit with.
    if (startFailure(this.image, this.spec.command, this.spec.args)) return 128;
    const [first = ""] = argv;
    const base = first.slice(first.lastIndexOf("/") + 1);
    if (this.image.startup && (!this.spec.command?.length || this.image.daemons?.includes(base))) {
      // The image's own daemon: its entrypoint (with the spec's args), or under another command line (nginx -g 'daemon off;').
      this.procs.set(1, argv.length ? argv.join(" ") : this.image.init);
      const readFile = (path: string): string | undefined => {
        const node = (this.filesystem ?? new FileSystem(newDir(), this.mounts, () => this.deps.clock.now())).stat(path);
        return node?.kind === "file" ? node.data : undefined;
      };
      const start = { hostname: this.hostname, argv, podIP: this.pod.status?.podIP ?? "", readFile };
      for (const line of this.image.startup(this.deps.clock.now(), start)) {
        this.log.writeLine(line);
        show(`${line}\n`);
      }
      return new Promise<number>((resolve) => this.kill.on(() => resolve(0)));
    }
    const shell = new Shell(this.host(), this.env, "sh");
    const code = await shell.exec(argv, io);
    return this.kill.fired ? 137 : code;
  }

  /** Stop every process; the log closes. */
  stop(code = 0): void {
    if (!this.running) return;
    this.running = false;
    this.resolveStopped(code);
    this.kill.fire();
    this.mainInput.end();
    this.terminal?.input.end();
    this.log.close();
  }

  /** Whether `argv[0]` exists in this image (else exec fails before starting). */
  canExec(argv: string[]): boolean {
    return hasExecutable(this.image, argv[0] ?? "");
  }

  /** Run `argv` in this container; resolves with the exit code. */
  async exec(argv: string[], session: Session, onKill?: (interrupt: Interrupt) => void): Promise<number> {
    const shell = new Shell(this.host(), this.env, "sh");
    const interrupt = new Interrupt();
    const off = this.kill.on(() => interrupt.fire());
    onKill?.(interrupt);
    let terminal: Terminal | undefined;
    let stdin = session.stdin ?? Input.of("");
    let out = session.stdout;
    let err = session.stderr;
    if (session.tty) {
      terminal = new Terminal((t) => session.stdout(t));
      const source = stdin;
      void (async () => {
        for (let chunk = await source.read(); chunk !== null; chunk = await source.read()) terminal?.feed(chunk);
        terminal?.input.end();
      })();
      stdin = terminal.input;
      out = (t) => session.stdout(Terminal.output(t));
      err = (t) => session.stdout(Terminal.output(t));
    }
    const io: ProcIO = { stdin, out, err, interrupt: terminal ? terminal.interrupt : interrupt, tty: session.tty, ...(terminal ? { jobs: terminal } : {}) };
    if (terminal) interrupt.on(() => terminal.interrupt.fire());
    try {
      const code = await shell.exec(argv, io);
      // The container went away under it (stopped, OOM-killed): the process died by SIGKILL.
      return this.kill.fired ? 137 : code;
    } finally {
      off();
    }
  }

  /** Connect a client to the main process's streams until `detach` is called. */
  attach(session: Session): () => void {
    this.attached.add(session);
    let stop = false;
    if (session.stdin) {
      const source = session.stdin;
      void (async () => {
        for (let chunk = await source.read(); chunk !== null && !stop; chunk = await source.read()) {
          if (this.terminal) this.terminal.feed(chunk);
          else this.mainInput.push(chunk);
        }
        if (!stop && this.spec.stdinOnce === true) {
          this.mainInput.end();
          this.terminal?.input.end();
        }
      })();
    }
    return () => {
      stop = true;
      this.attached.delete(session);
    };
  }
}

/** A container of a pod: the index of one of its app containers, or the name of any container (init containers included). */
export type ContainerChoice = number | string;

function containerSpec(pod: Pod, which: ContainerChoice): Container | undefined {
  if (typeof which === "number") return pod.spec.containers[which];
  return pod.spec.initContainers?.find((c) => c.name === which) ?? pod.spec.containers.find((c) => c.name === which);
}

/** Containers of one pod (init containers among them) share its volumes: an emptyDir an init container fills is what the app container mounts. */
interface PodSandbox {
  uid: string;
  emptyDirs: Map<string, FsDir>;
  containers: Map<string, { current?: SimContainer; previous?: SimContainer }>;
}

export class ContainerRuntime {
  private readonly pods = new Map<string, PodSandbox>();
  /** Directories that outlive pods: hostPath per node path, PVC per namespace/claim. */
  private readonly durable = new Map<string, FsDir>();
  /** Image content per image reference (pure data, read only): every start of a pod's container needs it. */
  private readonly contents = new Map<string, ImageContent>();

  constructor(readonly deps: RuntimeDeps) {}

  /** What the container's image holds. */
  private contentOf(spec: Container): ImageContent {
    const image = spec.image ?? "";
    let content = this.contents.get(image);
    if (!content) {
      const ref = parseImage(image);
      this.contents.set(image, (content = imageContent(ref.repository.replace(/^docker\.io\/library\//, ""), ref.tag)));
    }
    return content;
  }

  /** A node's directory at `path`, as hostPath volumes mount it (created empty on first use). */
  hostPath(node: string, path: string): FsDir {
    const key = `host:${node}:${path}`;
    let dir = this.durable.get(key);
    if (!dir) this.durable.set(key, (dir = newDir(this.deps.clock.now(), 0o777)));
    return dir;
  }

  private sandbox(pod: Pod): PodSandbox {
    const uid = pod.metadata.uid ?? "";
    let sandbox = this.pods.get(uid);
    if (!sandbox) {
      sandbox = { uid, emptyDirs: new Map(), containers: new Map() };
      this.pods.set(uid, sandbox);
    }
    return sandbox;
  }

  /**
   * Why container `which` of `pod` cannot start, as containerd reports it to
   * the kubelet (its command is no executable of the image), or undefined.
   */
  startError(pod: Pod, which: ContainerChoice): string | undefined {
    const spec = containerSpec(pod, which);
    const why = spec && startFailure(this.contentOf(spec), spec.command, spec.args);
    return why && `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: ${why}: unknown`;
  }

  /** Start container `which` of `pod`; `exited` hears its main process's exit code (or the OOM kill). */
  start(pod: Pod, which: ContainerChoice, exited: ExitListener): SimContainer | undefined {
    const spec = containerSpec(pod, which);
    if (!spec) return undefined;
    const sandbox = this.sandbox(pod);
    const slot = sandbox.containers.get(spec.name) ?? {};
    if (slot.current) {
      slot.current.stop();
      slot.previous = slot.current;
    }
    const image = this.contentOf(spec);
    const now = this.deps.clock.now();
    // The root filesystem and the FileSystem over it are made on first use, as they would have been now.
    let rootfs: FsDir | undefined;
    const root = (): FsDir => {
      if (rootfs) return rootfs;
      rootfs = treeFrom(
        {
          ...image.files,
          "/etc/hostname": `${pod.metadata.name ?? ""}\n`,
          "/etc/hosts": `# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n${pod.status?.podIP ?? ""}\t${pod.metadata.name ?? ""}\n`,
          "/etc/resolv.conf": `search ${pod.metadata.namespace ?? "default"}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n`,
        },
        now,
      );
      installPrograms(rootfs, image.programs, now);
      return rootfs;
    };
    const mounts = this.mounts(pod, spec, sandbox, root);
    const filesystem = (): FileSystem => {
      let building = true;
      const fs = new FileSystem(root(), mounts, () => (building ? now : this.deps.clock.now()));
      building = false;
      return fs;
    };
    const container = new SimContainer(pod, spec, filesystem, mounts, this.environment(pod, spec, image), image, this.deps);
    slot.current = container;
    sandbox.containers.set(spec.name, slot);
    container.onExit = exited;
    void container.main().then((code) => container.end(code));
    return container;
  }

  /** The pod is gone (or stopped): every process ends, logs close. */
  stopPod(uid: string, forget = true): void {
    const sandbox = this.pods.get(uid);
    if (!sandbox) return;
    for (const slot of sandbox.containers.values()) slot.current?.stop();
    if (forget) this.pods.delete(uid);
  }

  /** Container `name` of `pod` dies (a crashed static pod's component): it becomes the previous instance, whose log a crashed pod shows. */
  crash(pod: Pod, name: string, code: number): void {
    const slot = this.pods.get(pod.metadata.uid ?? "")?.containers.get(name);
    if (!slot?.current) return;
    slot.current.stop(code);
    slot.previous = slot.current;
    slot.current = undefined;
  }

  container(pod: Pod, name: string, previous = false): SimContainer | undefined {
    const slot = this.pods.get(pod.metadata.uid ?? "")?.containers.get(name);
    return previous ? slot?.previous : slot?.current;
  }

  private environment(pod: Pod, spec: Container, image: ImageContent): Record<string, string> {
    const namespace = pod.metadata.namespace ?? "default";
    // The `kubernetes` Service's variables come with the Services' even when service links are off.
    const env: Record<string, string> = { ...image.env, HOSTNAME: pod.metadata.name ?? "", ...this.deps.serviceEnv?.(namespace, pod.spec.enableServiceLinks !== false) };
    // The kubelet creates no container whose references fail (CreateContainerConfigError); one
    // restored from a snapshot whose ConfigMap has gone since keeps what still resolves.
    return specEnvironment(pod, spec, this.deps.lookup, env).env;
  }

  private mounts(pod: Pod, spec: Container, sandbox: PodSandbox, rootfs: () => FsDir): Mount[] {
    type VolumeSpec = {
      name: string;
      emptyDir?: { medium?: string };
      configMap?: { name: string; items?: { key: string; path: string }[] };
      secret?: { secretName: string; items?: { key: string; path: string }[] };
      hostPath?: { path: string };
      persistentVolumeClaim?: { claimName: string };
      projected?: { sources: { serviceAccountToken?: { path: string }; configMap?: { name: string; items?: { key: string; path: string }[] }; secret?: { name: string }; downwardAPI?: { items: { path: string; fieldRef?: { fieldPath: string } }[] } }[] };
      downwardAPI?: { items: { path: string; fieldRef?: { fieldPath: string } }[] };
    };
    const namespace = pod.metadata.namespace ?? "default";
    const volumes = new Map(((pod.spec.volumes as VolumeSpec[] | undefined) ?? []).map((v) => [v.name, v]));
    const files = (kind: "configmaps" | "secrets", name: string, items?: { key: string; path: string }[]): Record<string, string> => {
      const decoded = objectData(this.deps.lookup, kind, namespace, name) ?? {};
      if (!items) return Object.fromEntries(Object.entries(decoded).map(([k, v]) => [`/${k}`, v]));
      return Object.fromEntries(items.filter((i) => decoded[i.key] !== undefined).map((i) => [`/${i.path}`, decoded[i.key] as string]));
    };
    const now = this.deps.clock.now();
    const account = { namespace, name: pod.spec.serviceAccountName ?? "default" };
    const render = (volume: VolumeSpec): { dir: FsDir; source: string; type: string; readOnly: boolean } | undefined => {
      if (volume.emptyDir) {
        let dir = sandbox.emptyDirs.get(volume.name);
        if (!dir) sandbox.emptyDirs.set(volume.name, (dir = newDir(now, 0o777)));
        return volume.emptyDir.medium === "Memory" ? { dir, source: "tmpfs", type: "tmpfs", readOnly: false } : { dir, source: "/dev/sda1", type: "ext4", readOnly: false };
      }
      if (volume.configMap) return { dir: treeFrom(files("configmaps", volume.configMap.name, volume.configMap.items), now), source: "/dev/sda1", type: "ext4", readOnly: true };
      if (volume.secret) return { dir: treeFrom(files("secrets", volume.secret.secretName, volume.secret.items), now), source: "tmpfs", type: "tmpfs", readOnly: true };
      if (volume.hostPath) return { dir: this.hostPath(pod.spec.nodeName ?? "", volume.hostPath.path), source: "/dev/sda1", type: "ext4", readOnly: false };
      if (volume.persistentVolumeClaim) {
        const key = `pvc:${namespace}/${volume.persistentVolumeClaim.claimName}`;
        let dir = this.durable.get(key);
        if (!dir) this.durable.set(key, (dir = newDir(now, 0o777)));
        return { dir, source: "/dev/sda1", type: "ext4", readOnly: false };
      }
      const rendered: Record<string, FileContent> = {};
      for (const source of volume.projected?.sources ?? []) {
        // Issued as the pod starts, signed when first read: most pods never read theirs.
        if (source.serviceAccountToken) rendered[`/${source.serviceAccountToken.path}`] = () => this.deps.token?.(account, now) ?? "";
        if (source.configMap) Object.assign(rendered, files("configmaps", source.configMap.name, source.configMap.items));
        if (source.secret) Object.assign(rendered, files("secrets", source.secret.name));
        for (const item of source.downwardAPI?.items ?? []) rendered[`/${item.path}`] = fieldValue(pod, item.fieldRef?.fieldPath ?? "") ?? "";
      }
      for (const item of volume.downwardAPI?.items ?? []) rendered[`/${item.path}`] = fieldValue(pod, item.fieldRef?.fieldPath ?? "") ?? "";
      if (volume.projected || volume.downwardAPI) return { dir: treeFrom(rendered, now), source: "tmpfs", type: "tmpfs", readOnly: true };
      return undefined;
    };
    const mounts: Mount[] = [];
    type MountSpec = { name: string; mountPath: string; readOnly?: boolean; subPath?: string };
    for (const m of (spec.volumeMounts as MountSpec[] | undefined) ?? []) {
      const volume = volumes.get(m.name);
      const rendered = volume ? render(volume) : undefined;
      if (!rendered) continue;
      let dir = rendered.dir;
      if (m.subPath) {
        const node = dir.children.get(m.subPath);
        if (node?.kind === "file") {
          // A file mounted by subPath is a copy: it does not follow later changes, as upstream.
          treeFrom({ [m.mountPath]: node.data }, now, rootfs());
          continue;
        }
        if (!node) dir.children.set(m.subPath, (dir = newDir(now, 0o777)));
        else dir = node;
      }
      mounts.push({ path: m.mountPath, dir, readOnly: rendered.readOnly || m.readOnly === true, source: rendered.source, type: rendered.type });
    }
    return mounts;
  }
}

/** The image's programs as executables in /bin and /usr/bin, so `/bin/sh -c ...` and `/usr/bin/env` resolve. */
function installPrograms(rootfs: FsDir, programs: string[], now: number): void {
  for (const dir of ["/bin", "/usr/bin"]) {
    treeFrom(Object.fromEntries(programs.map((name) => [`${dir}/${name}`, ""])), now, rootfs);
    let node: FsDir | undefined = rootfs;
    for (const part of dir.split("/").slice(1)) node = node?.children.get(part)?.kind === "dir" ? (node.children.get(part) as FsDir) : undefined;
    for (const name of programs) {
      const file = node?.children.get(name);
      if (file?.kind === "file") file.mode = 0o755;
    }
  }
}
