// The simulated `sh`: runs a parsed script against a container (its
// filesystem, environment, processes, network) with busybox-like programs.
// Time goes through the container's Clock (`sleep` waits on it; Ctrl-C
// interrupts). Each program writes through `out`/`err`, reads `stdin`.
import type { Clock } from "../../clock";
import { FsError, normalize, type FileSystem } from "./fs";
import { Input, Interrupt } from "./io";
import type { ContainerNetwork } from "./network";
import { parse, ShellSyntaxError, type Command, type List, type Pipeline, type Redirect, type Word } from "./parse";
import { etcdctl, etcdutl, type EtcdConnection } from "./etcdctl";
import { perl } from "./perl";
import { tar } from "./tar";

/** What the shell needs from the container it runs in. */
export interface ShellHost {
  fs: FileSystem;
  clock: Clock;
  hostname: string;
  namespace: string;
  network: ContainerNetwork;
  /** "busybox" (busybox/alpine: ash prompt `/ # `) or "debian" (dash `# `, bash `root@host:/# `). */
  flavour: "busybox" | "debian";
  /** Program names this image has on its PATH (besides shell builtins). */
  programs: ReadonlySet<string>;
  processes(): { pid: number; command: string }[];
  /** Register a running process (for ps); returns its pid and the function that ends it. */
  spawn(command: string): { pid: number; exit(): void };
  kernel: string;
  /** The cluster's etcd as this container reaches it (etcdctl), if it runs in the etcd image. */
  etcd?: EtcdConnection;
  /** Take memory (stress --vm): counts against the container's limit; returns the release. */
  allocate?(bytes: number): () => void;
}

export interface ProcIO {
  stdin: Input;
  out: (text: string) => void;
  err: (text: string) => void;
  interrupt: Interrupt;
  /** stdout is a terminal (ls prints columns, the shell prompts). */
  tty: boolean;
  /** The terminal's job control: a fresh interrupt (Ctrl-C) per foreground command. */
  jobs?: { foreground(): Interrupt; idle(): void };
}

/** `exit N` unwinds the whole shell. */
class ExitSignal extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

type Program = (sh: Shell, argv: string[], io: ProcIO) => Promise<number> | number;

export class Shell {
  cwd = "/";
  lastStatus = 0;
  readonly vars = new Map<string, string>();
  readonly exported = new Set<string>();

  constructor(
    readonly host: ShellHost,
    env: Record<string, string>,
    /** The name it was started as (`sh`, `bash`), for error prefixes. */
    readonly name = "sh",
  ) {
    for (const [k, v] of Object.entries(env)) {
      this.vars.set(k, v);
      this.exported.add(k);
    }
    if (!this.vars.has("HOME")) this.setExported("HOME", "/root");
    this.vars.set("PWD", "/");
  }

  private setExported(name: string, value: string): void {
    this.vars.set(name, value);
    this.exported.add(name);
  }

  env(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name of this.exported) {
      const v = this.vars.get(name);
      if (v !== undefined) out[name] = v;
    }
    return out;
  }

  /** Run a script; returns its exit status (an `exit N` inside ends it with N). */
  async run(source: string, io: ProcIO): Promise<number> {
    let list: List;
    try {
      list = parse(source);
    } catch (error) {
      if (!(error instanceof ShellSyntaxError)) throw error;
      io.err(`${this.errPrefix()}${error.message}\n`);
      return (this.lastStatus = 2);
    }
    try {
      return await this.list(list, io);
    } catch (error) {
      if (error instanceof ExitSignal) return (this.lastStatus = error.code);
      throw error;
    }
  }

  /** Like `run`, but `exit` propagates (interactive sessions end on it). */
  async runLine(source: string, io: ProcIO): Promise<{ status: number; exited: boolean }> {
    try {
      const list = parse(source);
      return { status: await this.list(list, io), exited: false };
    } catch (error) {
      if (error instanceof ExitSignal) return { status: (this.lastStatus = error.code), exited: true };
      if (error instanceof ShellSyntaxError) {
        io.err(`${this.errPrefix()}${error.message}\n`);
        return { status: (this.lastStatus = 2), exited: false };
      }
      throw error;
    }
  }

  errPrefix(): string {
    if (this.name === "bash") return "bash: ";
    return this.host.flavour === "debian" ? `${this.name}: 1: ` : `${this.name}: `;
  }

  private async list(list: List, io: ProcIO): Promise<number> {
    let status = 0;
    for (const item of list.items) {
      if (io.interrupt.fired) return (this.lastStatus = 130);
      if (item.background) {
        // Background jobs run detached; their status is not waited for.
        void this.andOr(item.andOr, { ...io, interrupt: new Interrupt(), stdin: Input.of("") }).catch(() => undefined);
        status = this.lastStatus = 0;
        continue;
      }
      status = await this.andOr(item.andOr, io);
    }
    return status;
  }

  private async andOr(node: List["items"][number]["andOr"], io: ProcIO): Promise<number> {
    let status = await this.pipeline(node.first, io);
    for (const { op, pipeline } of node.rest) {
      if (io.interrupt.fired) break;
      if ((op === "&&" && status === 0) || (op === "||" && status !== 0)) status = await this.pipeline(pipeline, io);
    }
    return status;
  }

  private async pipeline(p: Pipeline, io: ProcIO): Promise<number> {
    let status = 0;
    if (p.commands.length === 1) status = await this.command(p.commands[0] as Command, io);
    else {
      // Stages run one after the other, each reading the previous one's whole output.
      let input = io.stdin;
      for (const [index, command] of p.commands.entries()) {
        const last = index === p.commands.length - 1;
        let buffer = "";
        const stageIo: ProcIO = { ...io, stdin: input, tty: last ? io.tty : false, out: last ? io.out : (t) => void (buffer += t) };
        status = await this.command(command, stageIo);
        input = Input.of(buffer);
      }
    }
    if (p.bang) status = status === 0 ? 1 : 0;
    return (this.lastStatus = status);
  }

  private async command(command: Command, io: ProcIO): Promise<number> {
    const redirected = await this.applyRedirects(command.redirects, io);
    if (typeof redirected === "number") return redirected;
    const rio = redirected.io;
    try {
      switch (command.t) {
        case "simple":
          return await this.simple(command, rio);
        case "group": {
          if (!command.subshell) return await this.list(command.body, rio);
          const saved = { cwd: this.cwd, vars: new Map(this.vars), exported: new Set(this.exported) };
          try {
            return await this.list(command.body, rio);
          } catch (error) {
            if (error instanceof ExitSignal) return error.code;
            throw error;
          } finally {
            this.cwd = saved.cwd;
            this.vars.clear();
            for (const [k, v] of saved.vars) this.vars.set(k, v);
          }
        }
        case "if": {
          for (const clause of command.clauses) {
            if ((await this.list(clause.cond, rio)) === 0) return await this.list(clause.body, rio);
          }
          return command.otherwise ? await this.list(command.otherwise, rio) : 0;
        }
        case "while": {
          let status = 0;
          for (;;) {
            if (rio.interrupt.fired) return 130;
            const cond = await this.list(command.cond, rio);
            if ((cond === 0) === command.until || rio.interrupt.fired) break;
            status = await this.list(command.body, rio);
            // A loop without any waiting would spin forever on a simulated clock.
            await Promise.resolve();
          }
          return status;
        }
        case "for": {
          const values = command.words ? (await Promise.all(command.words.map((w) => this.expandWord(w, rio)))).flat() : [];
          let status = 0;
          for (const value of values) {
            if (rio.interrupt.fired) return 130;
            this.vars.set(command.name, value);
            status = await this.list(command.body, rio);
          }
          return status;
        }
      }
    } finally {
      redirected.close();
    }
  }

  private async applyRedirects(redirects: Redirect[], io: ProcIO): Promise<{ io: ProcIO; close(): void } | number> {
    let current = io;
    for (const r of redirects) {
      const target = (await this.expandWord(r.target, io)).join(" ");
      if (r.op === ">&") {
        const to = target === "1" ? current.out : target === "2" ? current.err : undefined;
        if (!to) continue;
        current = r.fd === 2 ? { ...current, err: to } : { ...current, out: to, tty: false };
        continue;
      }
      const path = normalize(this.cwd, target);
      try {
        if (r.op === "<") {
          current = { ...current, stdin: Input.of(this.host.fs.readFile(path)) };
          continue;
        }
        this.host.fs.writeFile(path, "", r.op === ">>");
      } catch (error) {
        if (!(error instanceof FsError)) throw error;
        io.err(`${this.errPrefix()}${r.op === "<" ? "can't open" : "can't create"} ${target}: ${error.text}\n`);
        return 1;
      }
      const write = (text: string): void => {
        try {
          this.host.fs.writeFile(path, text, true);
        } catch {
          // The file went away meanwhile (rm): the output is lost, as with an unlinked file.
        }
      };
      current = r.fd === 2 ? { ...current, err: write } : { ...current, out: write, tty: false };
    }
    return { io: current, close: () => undefined };
  }

  private async simple(command: Extract<Command, { t: "simple" }>, io: ProcIO): Promise<number> {
    const argv: string[] = [];
    for (const word of command.words) argv.push(...(await this.expandWord(word, io)));
    const assigns: [string, string][] = [];
    for (const [name, word] of command.assigns) assigns.push([name, (await this.expandWord(word, io, false)).join(" ")]);
    if (argv.length === 0) {
      for (const [name, value] of assigns) this.vars.set(name, value);
      return 0;
    }
    const saved = assigns.map(([name]) => [name, this.vars.get(name), this.exported.has(name)] as const);
    for (const [name, value] of assigns) this.setExported(name, value);
    try {
      return await this.exec(argv, io);
    } finally {
      if (assigns.length) {
        for (const [name, value, wasExported] of saved) {
          if (value === undefined) this.vars.delete(name);
          else this.vars.set(name, value);
          if (!wasExported) this.exported.delete(name);
        }
      }
    }
  }

  /** Run one command by name: a builtin, a program of the image, or `not found` (127). */
  async exec(argv: string[], io: ProcIO): Promise<number> {
    const [name, ...args] = argv as [string, ...string[]];
    const builtin = BUILTINS[name];
    if (builtin) return builtin(this, argv, io);
    const base = name.includes("/") ? name.slice(name.lastIndexOf("/") + 1) : name;
    const program = PROGRAMS[base];
    if (program && this.host.programs.has(base) && (!name.includes("/") || this.host.fs.stat(normalize(this.cwd, name)))) {
      const proc = this.host.spawn([name, ...args].join(" "));
      try {
        return await program(this, argv, io);
      } finally {
        proc.exit();
      }
    }
    if (name.includes("/")) {
      const node = this.host.fs.stat(normalize(this.cwd, name));
      io.err(`${this.errPrefix()}${name}: ${node ? "Permission denied" : "not found"}\n`);
      return node ? 126 : 127;
    }
    io.err(this.name === "bash" ? `bash: ${name}: command not found\n` : `${this.errPrefix()}${name}: not found\n`);
    return 127;
  }

  /** Expand `$VAR`, `$(...)`, globs; split unquoted expansions on whitespace. */
  async expandWord(word: Word, io: ProcIO, split = true): Promise<string[]> {
    let text = "";
    let splittable = false;
    let glob = false;
    for (const part of word) {
      if (part.q === 1) {
        text += part.text;
        continue;
      }
      if (part.sub) {
        let captured = "";
        const sub = new Shell(this.host, this.env(), this.name);
        sub.cwd = this.cwd;
        for (const [k, v] of this.vars) sub.vars.set(k, v);
        await sub.run(part.text, { ...io, out: (t) => void (captured += t), tty: false });
        text += captured.replace(/\n+$/, "");
        splittable ||= part.q === 0;
        continue;
      }
      const expanded = this.expandVars(part.text);
      if (part.q === 0 && expanded !== part.text) splittable = true;
      if (part.q === 0 && /[*?]/.test(part.text)) glob = true;
      text += expanded;
    }
    if (glob) {
      const matches = this.glob(text);
      if (matches.length) return matches;
    }
    if (split && splittable) return text.split(/[ \t\n]+/).filter((s) => s.length > 0);
    return [text];
  }

  expandVars(text: string): string {
    return text.replace(/\\\$|\$\(\((.*?)\)\)|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*|[?$#0-9])/g, (match, arith?: string, braced?: string, fallback?: string, plain?: string) => {
      if (match === "\\$") return "$";
      if (arith !== undefined) return String(arithmetic(this.expandVars(arith.replace(/\b([A-Za-z_][A-Za-z0-9_]*)\b/g, (v: string) => this.vars.get(v) ?? "0"))));
      const name = braced ?? plain ?? "";
      if (name === "?") return String(this.lastStatus);
      if (name === "$") return "1";
      if (name === "#") return "0";
      if (name === "0") return this.name;
      const value = this.vars.get(name);
      return value === undefined || value === "" ? (fallback ?? "") : value;
    });
  }

  private glob(pattern: string): string[] {
    const slash = pattern.lastIndexOf("/");
    const dir = slash === -1 ? "" : pattern.slice(0, slash + 1);
    const base = slash === -1 ? pattern : pattern.slice(slash + 1);
    if (/[*?]/.test(dir)) return [];
    const re = new RegExp(`^${base.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
    try {
      return this.host.fs
        .list(normalize(this.cwd, dir || "."))
        .map(([name]) => name)
        .filter((name) => re.test(name) && (!name.startsWith(".") || base.startsWith(".")))
        .map((name) => dir + name);
    } catch {
      return [];
    }
  }

  /** The interactive prompt, as this image's shell prints it. */
  prompt(): string {
    if (this.name === "bash") return `root@${this.host.hostname}:${this.cwd === "/root" ? "~" : this.cwd}# `;
    return this.host.flavour === "busybox" ? `${this.cwd === "/root" ? "~" : this.cwd} # ` : "# ";
  }

  /** Wait `ms` of clock time; false when interrupted. */
  wait(ms: number, interrupt: Interrupt): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = this.host.clock.schedule(ms, () => {
        off();
        resolve(true);
      });
      const off = interrupt.on(() => {
        timer.cancel();
        resolve(false);
      });
    });
  }

  fail(io: ProcIO, program: string, message: string, code = 1): number {
    io.err(`${program}: ${message}\n`);
    return code;
  }

  path(arg: string): string {
    return normalize(this.cwd, arg);
  }
}

function arithmetic(expression: string): number {
  const tokens = expression.match(/\d+|[-+*/%()]/g) ?? [];
  let pos = 0;
  const primary = (): number => {
    const t = tokens[pos++];
    if (t === "(") {
      const v = sum();
      pos++;
      return v;
    }
    if (t === "-") return -primary();
    return Number(t ?? 0);
  };
  const product = (): number => {
    let v = primary();
    while (["*", "/", "%"].includes(tokens[pos] ?? "")) {
      const op = tokens[pos++];
      const r = primary();
      v = op === "*" ? v * r : op === "/" ? Math.trunc(v / (r || 1)) : v % (r || 1);
    }
    return v;
  };
  const sum = (): number => {
    let v = product();
    while (tokens[pos] === "+" || tokens[pos] === "-") v = tokens[pos++] === "+" ? v + product() : v - product();
    return v;
  };
  return sum();
}

// ---- builtins (always there, whatever the image) ----

const BUILTINS: Record<string, Program> = {
  true: () => 0,
  false: () => 1,
  ":": () => 0,
  exit(sh, [, code]) {
    throw new ExitSignal(code === undefined ? sh.lastStatus : Number(code) & 255);
  },
  cd(sh, [, dir], io) {
    const target = sh.path(dir ?? sh.vars.get("HOME") ?? "/");
    const node = sh.host.fs.stat(target);
    if (!node) return sh.fail(io, `${sh.errPrefix()}cd`, `can't cd to ${dir}: No such file or directory`, sh.host.flavour === "debian" ? 2 : 1);
    if (node.kind !== "dir") return sh.fail(io, `${sh.errPrefix()}cd`, `can't cd to ${dir}: Not a directory`, 1);
    sh.cwd = target;
    sh.vars.set("PWD", target);
    return 0;
  },
  pwd(sh, _argv, io) {
    io.out(`${sh.cwd}\n`);
    return 0;
  },
  export(sh, [, ...args], io) {
    if (!args.length) {
      for (const [k, v] of Object.entries(sh.env()).sort()) io.out(`export ${k}='${v}'\n`);
      return 0;
    }
    for (const arg of args) {
      const eq = arg.indexOf("=");
      const name = eq === -1 ? arg : arg.slice(0, eq);
      if (eq !== -1) sh.vars.set(name, arg.slice(eq + 1));
      sh.exported.add(name);
    }
    return 0;
  },
  unset(sh, [, ...names]) {
    for (const n of names) {
      sh.vars.delete(n);
      sh.exported.delete(n);
    }
    return 0;
  },
  echo(_sh, [, ...args], io) {
    let newline = true;
    if (args[0] === "-n") {
      newline = false;
      args.shift();
    } else if (args[0] === "-e") args.shift();
    io.out(args.join(" ").replace(/\\n/g, "\n").replace(/\\t/g, "\t") + (newline ? "\n" : ""));
    return 0;
  },
  printf(_sh, [, format = "", ...args], io) {
    let i = 0;
    const text = format.replace(/\\n/g, "\n").replace(/\\t/g, "\t").replace(/%[sd%]/g, (m) => (m === "%%" ? "%" : (args[i++] ?? (m === "%d" ? "0" : ""))));
    io.out(text);
    return 0;
  },
  test: (sh, [, ...args]) => (testExpression(sh, args) ? 0 : 1),
  "[": (sh, [, ...args], io) => {
    if (args[args.length - 1] !== "]") return sh.fail(io, "[", "missing ]", 2);
    return testExpression(sh, args.slice(0, -1)) ? 0 : 1;
  },
  read: async (sh, [, ...names], io) => {
    const line = await readLine(io);
    if (line === null) return 1;
    const fields = line.trim().split(/\s+/);
    names.forEach((n, i) => sh.vars.set(n, i === names.length - 1 ? fields.slice(i).join(" ") : (fields[i] ?? "")));
    return 0;
  },
};

async function readLine(io: ProcIO): Promise<string | null> {
  const chunk = await io.stdin.read(io.interrupt);
  return chunk === null ? null : (chunk.split("\n")[0] ?? "");
}

function testExpression(sh: Shell, args: string[]): boolean {
  if (args[0] === "!") return !testExpression(sh, args.slice(1));
  if (args.length === 1) return (args[0] ?? "") !== "";
  if (args.length === 2) {
    const [op, arg = ""] = args;
    const node = sh.host.fs.stat(sh.path(arg));
    switch (op) {
      case "-f":
        return node?.kind === "file";
      case "-d":
        return node?.kind === "dir";
      case "-e":
        return !!node;
      case "-s":
        return node?.kind === "file" && node.data.length > 0;
      case "-z":
        return arg === "";
      case "-n":
        return arg !== "";
    }
    return false;
  }
  const [a = "", op, b = ""] = args;
  switch (op) {
    case "=":
    case "==":
      return a === b;
    case "!=":
      return a !== b;
    case "-eq":
      return Number(a) === Number(b);
    case "-ne":
      return Number(a) !== Number(b);
    case "-lt":
      return Number(a) < Number(b);
    case "-le":
      return Number(a) <= Number(b);
    case "-gt":
      return Number(a) > Number(b);
    case "-ge":
      return Number(a) >= Number(b);
  }
  return false;
}

// ---- programs (present when the image has them) ----

/** Split `-la` style flags off the operands. */
function flags(args: string[]): { set: Set<string>; operands: string[] } {
  const set = new Set<string>();
  const operands: string[] = [];
  for (const a of args) {
    if (a.startsWith("-") && a.length > 1 && !/^-\d/.test(a)) for (const c of a.slice(1)) set.add(c);
    else operands.push(a);
  }
  return { set, operands };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

export function dateString(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, "0");
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

function modeString(kind: "file" | "dir", mode: number): string {
  let s = kind === "dir" ? "d" : "-";
  for (let shift = 6; shift >= 0; shift -= 3) {
    const bits = (mode >> shift) & 7;
    s += (bits & 4 ? "r" : "-") + (bits & 2 ? "w" : "-") + (bits & 1 ? "x" : "-");
  }
  return s;
}

function catFiles(sh: Shell, files: string[], io: ProcIO, program: string): { text?: string; status: number } {
  let status = 0;
  let text = "";
  if (!files.length || (files.length === 1 && files[0] === "-")) return { status, text: undefined };
  for (const f of files) {
    try {
      text += sh.host.fs.readFile(sh.path(f));
    } catch (error) {
      if (!(error instanceof FsError)) throw error;
      io.err(`${program}: ${sh.host.flavour === "debian" ? `${f}: ${error.text}` : `can't open '${f}': ${error.text}`}\n`);
      status = 1;
    }
  }
  return { text, status };
}

/** The text a filter (grep, head, wc) reads: its files, else all of stdin. */
/**
 * `act` on each operand's path; one the filesystem refuses prints `complaint`
 * (nothing when that answers undefined) and makes the exit status 1, and the
 * rest still run, as coreutils and busybox do.
 */
function eachOperand(sh: Shell, io: ProcIO, program: string, operands: string[], act: (path: string) => void, complaint: (operand: string, error: FsError) => string | undefined): number {
  let status = 0;
  for (const operand of operands) {
    try {
      act(sh.path(operand));
    } catch (error) {
      if (!(error instanceof FsError)) throw error;
      const message = complaint(operand, error);
      if (message !== undefined) status = sh.fail(io, program, message);
    }
  }
  return status;
}

async function filterInput(sh: Shell, files: string[], io: ProcIO, program: string): Promise<{ text: string; status: number }> {
  const { text, status } = catFiles(sh, files, io, program);
  return { text: text ?? (await io.stdin.readAll(io.interrupt)), status };
}

const lines = (text: string): string[] => {
  const all = text.split("\n");
  if (all[all.length - 1] === "") all.pop();
  return all;
};

const PROGRAMS: Record<string, Program> = {
  sh: (sh, argv, io) => runShell(sh, argv, io),
  bash: (sh, argv, io) => runShell(sh, argv, io),
  tar,
  perl,
  etcdctl,
  etcdutl,
  async cat(sh, [, ...files], io) {
    const { text, status } = catFiles(sh, files, io, "cat");
    if (text !== undefined) {
      io.out(text);
      return status;
    }
    for (let chunk = await io.stdin.read(io.interrupt); chunk !== null; chunk = await io.stdin.read(io.interrupt)) io.out(chunk);
    return io.interrupt.fired ? 130 : 0;
  },
  ls(sh, [, ...args], io) {
    const { set, operands } = flags(args);
    const targets = operands.length ? operands : ["."];
    let status = 0;
    const now = sh.host.clock.now();
    const long = (name: string, node: { kind: "file" | "dir"; mtime: number; mode: number; data?: string }): string => {
      const d = new Date(node.mtime || now);
      const recent = Math.abs(now - d.getTime()) < 180 * 86_400_000;
      const when = `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${recent ? `${String(d.getUTCHours()).padStart(2, "0")}:${String(d.getUTCMinutes()).padStart(2, "0")}` : ` ${d.getUTCFullYear()}`}`;
      const size = node.kind === "dir" ? 4096 : Buffer.byteLength(node.data ?? "");
      return `${modeString(node.kind, node.mode)}    ${node.kind === "dir" ? 2 : 1} root     root     ${String(size).padStart(9, " ")} ${when} ${name}`;
    };
    const print = (names: string[]): void => {
      if (!names.length) return;
      io.out(io.tty && !set.has("1") ? `${names.join("  ")}\n` : `${names.join("\n")}\n`);
    };
    targets.forEach((target, index) => {
      const abs = sh.path(target);
      const node = sh.host.fs.stat(abs);
      if (!node) {
        io.err(`ls: ${sh.host.flavour === "debian" ? `cannot access '${target}'` : target}: No such file or directory\n`);
        status = sh.host.flavour === "debian" ? 2 : 1;
        return;
      }
      if (node.kind === "file" || set.has("d")) {
        if (set.has("l")) io.out(`${long(target, node)}\n`);
        else print([target]);
        return;
      }
      if (targets.length > 1) io.out(`${index ? "\n" : ""}${target}:\n`);
      let entries = sh.host.fs.list(abs).filter(([name]) => set.has("a") || set.has("A") || !name.startsWith("."));
      if (set.has("a")) entries = [[".", node], ["..", sh.host.fs.stat(normalize(abs, "..")) ?? node], ...entries];
      if (set.has("l")) {
        io.out(`total ${entries.length * 4}\n`);
        for (const [name, child] of entries) io.out(`${long(name, child)}\n`);
      } else print(entries.map(([name]) => name));
    });
    return status;
  },
  env(sh, [, ...rest], io) {
    if (rest.length) return sh.exec(rest, io);
    for (const [k, v] of Object.entries(sh.env())) io.out(`${k}=${v}\n`);
    return 0;
  },
  printenv(sh, [, ...names], io) {
    const env = sh.env();
    if (!names.length) {
      for (const [k, v] of Object.entries(env)) io.out(`${k}=${v}\n`);
      return 0;
    }
    let status = 0;
    for (const n of names) {
      if (env[n] === undefined) status = 1;
      else io.out(`${env[n]}\n`);
    }
    return status;
  },
  hostname(sh, _argv, io) {
    io.out(`${sh.host.hostname}\n`);
    return 0;
  },
  whoami(_sh, _argv, io) {
    io.out("root\n");
    return 0;
  },
  id(_sh, _argv, io) {
    io.out("uid=0(root) gid=0(root) groups=0(root),10(wheel)\n");
    return 0;
  },
  date(sh, _argv, io) {
    io.out(`${dateString(sh.host.clock.now())}\n`);
    return 0;
  },
  uname(sh, [, ...args], io) {
    const { set } = flags(args);
    io.out(set.has("a") ? `Linux ${sh.host.hostname} ${sh.host.kernel} #141-Ubuntu SMP Fri Jan 10 21:18:28 UTC 2025 x86_64 GNU/Linux\n` : set.has("r") ? `${sh.host.kernel}\n` : "Linux\n");
    return 0;
  },
  ps(sh, _argv, io) {
    io.out("PID   USER     TIME  COMMAND\n");
    for (const p of sh.host.processes()) io.out(`${String(p.pid).padStart(5, " ")} root      0:00 ${p.command}\n`);
    return 0;
  },
  async sleep(sh, [, arg = ""], io) {
    const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(arg);
    if (!m) {
      if (arg === "infinity") return (await sh.wait(Number.MAX_SAFE_INTEGER / 4, io.interrupt)) ? 0 : 130;
      return sh.fail(io, "sleep", `invalid number '${arg}'`);
    }
    const unit = { "": 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as "" | "s" | "m" | "h" | "d"];
    return (await sh.wait(Number(m[1]) * unit, io.interrupt)) ? 0 : 130;
  },
  df(sh, [, ...args], io) {
    const human = flags(args).set.has("h");
    io.out(human ? "Filesystem                Size      Used Available Use% Mounted on\n" : "Filesystem           1K-blocks      Used Available Use% Mounted on\n");
    const row = (source: string, blocks: number, used: number, on: string): void => {
      const h = (k: number): string => (k >= 1048576 ? `${(k / 1048576).toFixed(1)}G` : k >= 1024 ? `${(k / 1024).toFixed(1)}M` : `${k}K`);
      const pct = blocks ? `${Math.round((used / blocks) * 100)}%` : "0%";
      if (human) io.out(`${source.padEnd(20)}${h(blocks).padStart(10)}${h(used).padStart(10)}${h(blocks - used).padStart(10)} ${pct.padStart(4)} ${on}\n`);
      else io.out(`${source.padEnd(20)}${String(blocks).padStart(10)}${String(used).padStart(10)}${String(blocks - used).padStart(10)} ${pct.padStart(4)} ${on}\n`);
    };
    row("overlay", 19_660_736, 5_123_456, "/");
    row("tmpfs", 65_536, 0, "/dev");
    for (const m of [...sh.host.fs.mountTable()].reverse()) row(m.source, m.type === "tmpfs" ? 3_956_852 : 19_660_736, m.type === "tmpfs" ? 12 : 5_123_456, m.path);
    return 0;
  },
  mount(sh, _argv, io) {
    io.out("overlay on / type overlay (rw,relatime,lowerdir=/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/1/fs,upperdir=/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/2/fs)\n");
    io.out("proc on /proc type proc (rw,nosuid,nodev,noexec,relatime)\ntmpfs on /dev type tmpfs (rw,nosuid,size=65536k,mode=755)\n");
    for (const m of [...sh.host.fs.mountTable()].reverse()) io.out(`${m.source} on ${m.path} type ${m.type} (${m.readOnly ? "ro" : "rw"},relatime)\n`);
    return 0;
  },
  touch(sh, [, ...files], io) {
    return eachOperand(sh, io, "touch", files, (path) => sh.host.fs.touch(path), (f, error) => `${f}: ${error.text}`);
  },
  mkdir(sh, [, ...args], io) {
    const { set, operands } = flags(args);
    const cannot = sh.host.flavour === "debian" ? "cannot" : "can't";
    return eachOperand(sh, io, "mkdir", operands, (path) => sh.host.fs.mkdir(path, set.has("p")), (d, error) => `${cannot} create directory '${d}': ${error.text}`);
  },
  rm(sh, [, ...args], io) {
    const { set, operands } = flags(args);
    const cannot = sh.host.flavour === "debian" ? "cannot" : "can't";
    return eachOperand(
      sh,
      io,
      "rm",
      operands,
      (path) => sh.host.fs.remove(path, set.has("r") || set.has("R")),
      // -f: a missing file is no error.
      (f, error) => (error.code === "ENOENT" && set.has("f") ? undefined : `${cannot} remove '${f}': ${error.text}`),
    );
  },
  async grep(sh, [, ...args], io) {
    const { set, operands } = flags(args);
    const [pattern = "", ...files] = operands;
    const { text, status } = await filterInput(sh, files, io, "grep");
    let re: RegExp;
    try {
      re = new RegExp(pattern, set.has("i") ? "i" : "");
    } catch {
      re = new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), set.has("i") ? "i" : "");
    }
    const matched = lines(text).filter((l) => re.test(l) !== set.has("v"));
    if (set.has("c")) io.out(`${matched.length}\n`);
    else if (!set.has("q")) for (const l of matched) io.out(`${l}\n`);
    return status || (matched.length ? 0 : 1);
  },
  async head(sh, [, ...args], io) {
    let n = 10;
    const rest: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i] as string;
      if (a === "-n") n = Number(args[++i]);
      else if (/^-\d+$/.test(a)) n = Number(a.slice(1));
      else if (/^-n\d+$/.test(a)) n = Number(a.slice(2));
      else rest.push(a);
    }
    const { text, status } = await filterInput(sh, rest, io, "head");
    for (const l of lines(text).slice(0, n)) io.out(`${l}\n`);
    return status;
  },
  async tail(sh, [, ...args], io) {
    let n = 10;
    const rest: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i] as string;
      if (a === "-n") n = Number(args[++i]);
      else if (/^-\d+$/.test(a)) n = Number(a.slice(1));
      else rest.push(a);
    }
    const { text, status } = await filterInput(sh, rest, io, "tail");
    for (const l of lines(text).slice(-n)) io.out(`${l}\n`);
    return status;
  },
  async wc(sh, [, ...args], io) {
    const { set, operands } = flags(args);
    const { text, status } = await filterInput(sh, operands, io, "wc");
    const counts = { l: (text.match(/\n/g) ?? []).length, w: text.split(/\s+/).filter(Boolean).length, c: Buffer.byteLength(text) };
    const chosen = (["l", "w", "c"] as const).filter((k) => set.has(k));
    const shown = (chosen.length ? chosen : (["l", "w", "c"] as const)).map((k) => (chosen.length === 1 ? String(counts[k]) : String(counts[k]).padStart(7, " ")));
    io.out(`${shown.join(chosen.length === 1 ? "" : " ")}${operands.length ? ` ${operands.join(" ")}` : ""}\n`);
    return status;
  },
  wget: (sh, argv, io) => wget(sh, argv, io),
  curl: (sh, argv, io) => curl(sh, argv, io),
  nslookup(sh, [, name = ""], io) {
    io.out(`Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n`);
    // A DNS client: it asks the cluster DNS only, never /etc/hosts (so localhost is NXDOMAIN, as CoreDNS says).
    const ips = sh.host.network.resolve(name, sh.host.namespace);
    const fqdn = name.includes(".") ? name : `${name}.${sh.host.namespace}.svc.cluster.local`;
    if (!ips.length) {
      // busybox asks A, then AAAA, for a dotless name under every search domain; each answer is NXDOMAIN.
      const queried = name.includes(".") ? [name] : searchDomains(sh).map((domain) => `${name}.${domain}`);
      for (const query of [...queried, ...queried]) io.out(`** server can't find ${query}: NXDOMAIN\n\n`);
      return 1;
    }
    for (const ip of ips) io.out(`Name:\t${fqdn}\nAddress: ${ip}\n`);
    io.out("\n");
    return 0;
  },
  async ping(sh, [, ...args], io) {
    let count = Infinity;
    const rest: string[] = [];
    for (let i = 0; i < args.length; i++) {
      if (args[i] === "-c") count = Number(args[++i]);
      else rest.push(args[i] as string);
    }
    const host = rest[0] ?? "";
    const ip = addressOf(sh, host);
    if (!ip) return sh.fail(io, "ping", `bad address '${host}'`);
    io.out(`PING ${host} (${ip}): 56 data bytes\n`);
    const answers = await sh.host.network.ping(ip);
    let sent = 0;
    let received = 0;
    while (sent < count) {
      if (answers) {
        io.out(`64 bytes from ${ip}: seq=${sent} ttl=64 time=0.081 ms\n`);
        received++;
      }
      sent++;
      if (sent < count && !(await sh.wait(1000, io.interrupt))) break;
    }
    io.out(`\n--- ${host} ping statistics ---\n${sent} packets transmitted, ${received} packets received, ${Math.round(((sent - received) / Math.max(sent, 1)) * 100)}% packet loss\n`);
    if (received) io.out("round-trip min/avg/max = 0.081/0.081/0.081 ms\n");
    return received ? 0 : 1;
  },
  async stress(sh, [name = "stress", ...args], io) {
    const counts = { cpu: 0, io: 0, vm: 0, hdd: 0 };
    let vmBytes = 256 * 1024 ** 2;
    let timeoutSeconds: number | undefined;
    const short: Record<string, keyof typeof counts | "timeout"> = { c: "cpu", i: "io", m: "vm", d: "hdd", t: "timeout" };
    for (let i = 0; i < args.length; i++) {
      const [flag = "", inline] = (args[i] as string).split("=", 2);
      const option = flag.startsWith("--") ? flag.slice(2) : (short[flag.slice(1)] ?? flag);
      if (!["cpu", "io", "vm", "hdd", "timeout", "vm-bytes", "vm-hang", "vm-stride", "hdd-bytes", "backoff"].includes(option)) continue;
      const value = inline ?? args[++i] ?? "";
      if (option === "vm-bytes") vmBytes = stressBytes(value);
      else if (option === "timeout") timeoutSeconds = stressSeconds(value);
      else if (option in counts) counts[option as keyof typeof counts] = Number.parseInt(value, 10) || 0;
    }
    const pid = sh.host.processes().filter((p) => p.command.startsWith(name)).at(-1)?.pid ?? 1;
    io.out(`stress: info: [${pid}] dispatching hogs: ${counts.cpu} cpu, ${counts.io} io, ${counts.vm} vm, ${counts.hdd} hdd\n`);
    // Each vm worker keeps about --vm-bytes touched (it frees and reallocates in a loop).
    const release = counts.vm > 0 ? sh.host.allocate?.(counts.vm * vmBytes) : undefined;
    try {
      const finished = await sh.wait(timeoutSeconds === undefined ? Number.MAX_SAFE_INTEGER / 4 : timeoutSeconds * 1000, io.interrupt);
      if (!finished) return 130;
      io.out(`stress: info: [${pid}] successful run completed in ${timeoutSeconds ?? 0}s\n`);
      return 0;
    } finally {
      release?.();
    }
  },
};

/** stress's byte counts: a number with an optional b, k, m or g suffix (powers of 1024). */
function stressBytes(text: string): number {
  const m = /^(\d+)([bkmg]?)$/i.exec(text.trim());
  if (!m) return 0;
  return Number(m[1]) * 1024 ** "bkmg".indexOf((m[2] || "b").toLowerCase());
}

/** stress's --timeout: seconds, or with an s, m, h, d or y suffix. */
function stressSeconds(text: string): number {
  const m = /^(\d+)([smhdy]?)$/.exec(text.trim());
  if (!m) return 0;
  return Number(m[1]) * ({ "": 1, s: 1, m: 60, h: 3600, d: 86_400, y: 31_536_000 }[m[2] as "" | "s" | "m" | "h" | "d" | "y"] ?? 1);
}

/** `sh -c 'script'`, `sh script.sh`, or an interactive `sh` reading stdin. */
async function runShell(parent: Shell, [name = "sh", ...args]: string[], io: ProcIO): Promise<number> {
  const base = name.slice(name.lastIndexOf("/") + 1);
  const sh = new Shell(parent.host, parent.env(), base);
  sh.cwd = parent.cwd;
  const c = args.indexOf("-c");
  if (c !== -1) {
    const script = args[c + 1];
    if (script === undefined) return sh.fail(io, base, "-c requires an argument", 2);
    return sh.run(script, io);
  }
  const file = args.find((a) => !a.startsWith("-"));
  if (file) {
    try {
      return await sh.run(parent.host.fs.readFile(parent.path(file)), io);
    } catch (error) {
      if (!(error instanceof FsError)) throw error;
      return sh.fail(io, base, `can't open '${file}': ${error.text}`, 2);
    }
  }
  return interactive(sh, io);
}

/** Read commands from stdin until EOF or `exit`; prompt when on a terminal. */
export async function interactive(sh: Shell, io: ProcIO): Promise<number> {
  let pending = "";
  let status = 0;
  for (;;) {
    if (io.tty) io.out(sh.prompt());
    let line: string | null = null;
    while (line === null) {
      const newline = pending.indexOf("\n");
      if (newline !== -1) {
        line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        break;
      }
      const chunk = await io.stdin.read();
      if (chunk === null) {
        if (!pending) return status;
        line = pending;
        pending = "";
        break;
      }
      pending += chunk;
    }
    if (!line.trim()) continue;
    const interrupt = io.jobs?.foreground() ?? io.interrupt;
    const result = await sh.runLine(line, { ...io, interrupt });
    io.jobs?.idle();
    status = result.status;
    if (result.exited) return status;
  }
}

// ---- network clients ----

/** The container's /etc/resolv.conf `search` domains (busybox nslookup expands dotless names with them). */
function searchDomains(sh: Shell): string[] {
  const conf = readOptional(sh, "/etc/resolv.conf");
  return /^search\s+(.+)$/m.exec(conf)?.[1]?.trim().split(/\s+/) ?? [];
}

/**
 * The IPv4 address a program connects to for `host`, as getaddrinfo finds
 * it: an address literal, else the container's /etc/hosts (localhost, its own
 * hostname), else the cluster DNS.
 */
function addressOf(sh: Shell, host: string): string | undefined {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) return host;
  for (const line of readOptional(sh, "/etc/hosts").split("\n")) {
    const [ip = "", ...names] = line.replace(/#.*/, "").trim().split(/\s+/);
    if (/^\d+\.\d+\.\d+\.\d+$/.test(ip) && names.includes(host)) return ip;
  }
  return sh.host.network.resolve(host, sh.host.namespace)[0];
}

function readOptional(sh: Shell, path: string): string {
  try {
    return sh.host.fs.readFile(path);
  } catch (error) {
    if (error instanceof FsError) return "";
    throw error;
  }
}

interface Url {
  host: string;
  port: number;
  path: string;
}

function parseUrl(arg: string): Url | undefined {
  const m = /^(?:(https?):\/\/)?([^/:]+)(?::(\d+))?(\/.*)?$/.exec(arg);
  if (!m) return undefined;
  return { host: m[2] as string, port: m[3] ? Number(m[3]) : m[1] === "https" ? 443 : 80, path: m[4] ?? "/" };
}

const REASONS: Record<number, string> = { 200: "OK", 301: "Moved Permanently", 302: "Found", 403: "Forbidden", 404: "Not Found", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable" };

async function wget(sh: Shell, [, ...args]: string[], io: ProcIO): Promise<number> {
  let output: string | undefined;
  let quiet = false;
  let target: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === "-O") output = args[++i];
    else if (a.startsWith("-O")) output = a.slice(2);
    else if (a === "-q") quiet = true;
    else if (a === "-qO-" || a === "-qO" || a.startsWith("-qO")) {
      quiet = true;
      output = a === "-qO" ? args[++i] : a.slice(3);
    } else if (a === "-T" || a === "--timeout") i++;
    else if (!a.startsWith("-")) target = a;
  }
  if (!target) return sh.fail(io, "wget", "missing URL");
  const url = parseUrl(target);
  if (!url) return sh.fail(io, "wget", `bad address '${target}'`);
  const ip = addressOf(sh, url.host);
  if (!ip) return sh.fail(io, "wget", `bad address '${url.host}'`);
  if (!quiet) io.err(`Connecting to ${url.host}${url.port === 80 ? "" : `:${url.port}`} (${ip}:${url.port})\n`);
  const answer = await sh.host.network.http(ip, url.port, url.path);
  if (answer instanceof Error) return sh.fail(io, "wget", `can't connect to remote host (${ip}): ${answer.message}`);
  if (answer.status >= 400) return sh.fail(io, "wget", `server returned error: HTTP/1.1 ${answer.status} ${REASONS[answer.status] ?? ""}`.trimEnd());
  const file = output ?? (url.path.split("/").pop() || "index.html");
  if (file === "-") {
    if (!quiet) io.err("writing to stdout\n");
    io.out(answer.body);
    if (!quiet) io.err(`-                    100% |********************************|   ${Buffer.byteLength(answer.body)}  0:00:00 ETA\nwritten to stdout\n`);
    return 0;
  }
  try {
    sh.host.fs.writeFile(sh.path(file), answer.body);
  } catch (error) {
    if (!(error instanceof FsError)) throw error;
    return sh.fail(io, "wget", `can't open '${file}': ${error.text}`);
  }
  if (!quiet) io.err(`saving to '${file}'\n${file.padEnd(20)} 100% |********************************|   ${Buffer.byteLength(answer.body)}  0:00:00 ETA\n'${file}' saved\n`);
  return 0;
}

async function curl(sh: Shell, [, ...args]: string[], io: ProcIO): Promise<number> {
  let include = false;
  let output: string | undefined;
  let target: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === "-o") output = args[++i];
    else if (a === "-m" || a === "--max-time" || a === "-H" || a === "-X") i++;
    else if (a.startsWith("-")) include ||= a.includes("i") && !a.startsWith("--");
    else target = a;
  }
  if (!target) return sh.fail(io, "curl", "try 'curl --help' or 'curl --manual' for more information", 2);
  const url = parseUrl(target);
  if (!url) return sh.fail(io, "curl", `(3) URL using bad/illegal format or missing URL`, 3);
  const ip = addressOf(sh, url.host);
  if (!ip) return sh.fail(io, "curl", `(6) Could not resolve host: ${url.host}`, 6);
  const answer = await sh.host.network.http(ip, url.port, url.path);
  if (answer instanceof Error) return sh.fail(io, "curl", `(7) Failed to connect to ${url.host} port ${url.port} after 0 ms: Couldn't connect to server`, 7);
  let text = "";
  if (include) {
    text += `HTTP/1.1 ${answer.status} ${REASONS[answer.status] ?? ""}\r\n`;
    for (const [k, v] of Object.entries(answer.headers)) text += `${k}: ${v}\r\n`;
    text += "\r\n";
  }
  text += answer.body;
  if (output) {
    try {
      sh.host.fs.writeFile(sh.path(output), text);
    } catch (error) {
      if (!(error instanceof FsError)) throw error;
      return sh.fail(io, "curl", `(23) Failure writing output to destination`, 23);
    }
  } else io.out(text);
  return 0;
}

export const PROGRAM_NAMES = Object.keys(PROGRAMS);
