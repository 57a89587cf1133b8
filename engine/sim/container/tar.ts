// `tar` for the simulated containers: create (c), extract (x) and list (t)
// ustar archives, on stdin/stdout (`f -`) or a file, with `-C dir`. Enough
// for `kubectl cp`, which runs `tar cf - <path>` to copy out of a container
// and `tar -xmf - -C <dir>` to copy in. File contents are the filesystem's
// strings as UTF-8; archives from Go's archive/tar (PAX long names) and GNU
// tar (././@LongLink) are read too.
import { FsError, normalize, splitPath, type FsNode } from "./fs";
import type { ProcIO, Shell } from "./shell";

const BLOCK = 512;

interface TarOptions {
  mode?: "c" | "x" | "t";
  file?: string;
  dir?: string;
  verbose: boolean;
  keepTimes: boolean;
  operands: string[];
}

class TarError extends Error {}

/** Parse `cf -`, `-xmf - -C /dir`, `--no-same-owner`, `--file=x`, ... */
function parseArgs(args: string[]): TarOptions {
  const options: TarOptions = { verbose: false, keepTimes: true, operands: [] };
  const takeValue = (i: number, flag: string): string => {
    const value = args[i];
    if (value === undefined) throw new TarError(`option requires an argument -- '${flag}'`);
    return value;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg.startsWith("--")) {
      const [name, inline] = arg.slice(2).split("=", 2) as [string, string | undefined];
      if (name === "file") options.file = inline ?? takeValue(++i, "f");
      else if (name === "directory") options.dir = inline ?? takeValue(++i, "C");
      else if (!["no-same-permissions", "no-same-owner", "touch", "verbose"].includes(name)) throw new TarError(`unrecognized option '${arg}'`);
      if (name === "touch") options.keepTimes = false;
      if (name === "verbose") options.verbose = true;
      continue;
    }
    // The first argument may bundle letters without a dash (`cf`), later ones need one.
    const bundle = arg.startsWith("-") ? arg.slice(1) : i === 0 ? arg : undefined;
    if (bundle === undefined || bundle === "") {
      options.operands.push(arg);
      continue;
    }
    for (const letter of bundle) {
      if (letter === "c" || letter === "x" || letter === "t") options.mode = letter;
      else if (letter === "f") options.file = takeValue(++i, "f");
      else if (letter === "C") options.dir = takeValue(++i, "C");
      else if (letter === "v") options.verbose = true;
      else if (letter === "m") options.keepTimes = false;
      else if (letter !== "o" && letter !== "p") throw new TarError(`invalid option -- '${letter}'`);
    }
  }
  return options;
}

// ---- writing ----

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, "0")}\0`;
}

function header(name: string, node: FsNode, size: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  let path = name;
  let prefix = "";
  if (Buffer.byteLength(path) > 100) {
    // ustar splits a long name at a slash: up to 155 bytes of prefix, 100 of name.
    const cut = path.lastIndexOf("/", path.length - 2);
    prefix = path.slice(0, cut);
    path = path.slice(cut + 1);
  }
  block.write(path, 0, 100, "utf8");
  block.write(octal(node.mode & 0o7777, 8), 100, "ascii");
  block.write(octal(0, 8), 108, "ascii");
  block.write(octal(0, 8), 116, "ascii");
  block.write(octal(size, 12), 124, "ascii");
  block.write(octal(Math.floor(node.mtime / 1000), 12), 136, "ascii");
  block.write(" ".repeat(8), 148, "ascii");
  block.write(node.kind === "dir" ? "5" : "0", 156, "ascii");
  block.write("ustar\x0000", 257, "ascii");
  block.write("root", 265, "ascii");
  block.write("root", 297, "ascii");
  block.write(prefix, 345, 155, "utf8");
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "ascii");
  return block;
}

function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

/** The archive of `name` (a path inside the container) and everything below it. */
function archive(name: string, node: FsNode, parts: Buffer[]): void {
  if (node.kind === "file") {
    const data = Buffer.from(node.data, "utf8");
    parts.push(header(name, node, data.length), data, padding(data.length));
    return;
  }
  const dirName = name.endsWith("/") ? name : `${name}/`;
  parts.push(header(dirName, node, 0));
  for (const child of [...node.children.keys()].sort()) archive(`${dirName}${child}`, node.children.get(child) as FsNode, parts);
}

function create(sh: Shell, options: TarOptions, io: ProcIO, cwd: string): number {
  if (!options.operands.length) return sh.fail(io, "tar", "empty archive", 1);
  const parts: Buffer[] = [];
  let status = 0;
  let warned = false;
  for (const operand of options.operands) {
    const node = sh.host.fs.stat(normalize(cwd, operand));
    if (!node) {
      io.err(sh.host.flavour === "debian" ? `tar: ${operand}: Cannot stat: No such file or directory\n` : `tar: can't open '${operand}': No such file or directory\n`);
      status = sh.host.flavour === "debian" ? 2 : 1;
      continue;
    }
    if (operand.startsWith("/") && !warned) {
      io.err(sh.host.flavour === "debian" ? "tar: Removing leading `/' from member names\n" : "tar: removing leading '/' from member names\n");
      warned = true;
    }
    const name = splitPath(operand).join("/") || ".";
    archive(node.kind === "dir" && name === "." ? "./" : name, node, parts);
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  if (status && sh.host.flavour === "debian") io.err("tar: Exiting with failure status due to previous errors\n");
  const bytes = Buffer.concat(parts).toString("utf8");
  if (!options.file || options.file === "-") io.out(bytes);
  else sh.host.fs.writeFile(normalize(sh.cwd, options.file), bytes);
  return status;
}

// ---- reading ----

interface Entry {
  name: string;
  type: "file" | "dir" | "other";
  mode: number;
  mtime: number;
  data: Buffer;
}

const field = (block: Buffer, start: number, length: number): string => {
  const raw = block.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? length : end).toString("utf8");
};
const number = (block: Buffer, start: number, length: number): number => parseInt(field(block, start, length).trim() || "0", 8);

/** PAX extended header records: `<length> <key>=<value>\n`. */
function paxPath(data: Buffer): string | undefined {
  for (const record of data.toString("utf8").split("\n")) {
    const m = /^\d+ path=(.*)$/.exec(record);
    if (m) return m[1];
  }
  return undefined;
}

function entries(bytes: Buffer): Entry[] {
  if (bytes.length < BLOCK) throw new TarError("short read");
  const result: Entry[] = [];
  let longName: string | undefined;
  for (let offset = 0; offset + BLOCK <= bytes.length; ) {
    const block = bytes.subarray(offset, offset + BLOCK);
    if (block.every((b) => b === 0)) break;
    if (!field(block, 257, 6).startsWith("ustar")) throw new TarError("invalid tar magic");
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (block[i] as number);
    if (sum !== number(block, 148, 8)) throw new TarError("invalid tar header checksum");
    const size = number(block, 124, 12);
    const data = bytes.subarray(offset + BLOCK, offset + BLOCK + size);
    offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    const typeflag = String.fromCharCode(block[156] ?? 0);
    if (typeflag === "x" || typeflag === "L") {
      longName = typeflag === "x" ? paxPath(data) : data.toString("utf8").replace(/\0+$/, "");
      continue;
    }
    const prefix = field(block, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(block, 0, 100)}` : field(block, 0, 100));
    longName = undefined;
    const type = typeflag === "5" || name.endsWith("/") ? "dir" : typeflag === "0" || typeflag === "\0" ? "file" : "other";
    result.push({ name, type, mode: number(block, 100, 8), mtime: number(block, 136, 12) * 1000, data });
  }
  return result;
}

async function readArchive(sh: Shell, options: TarOptions, io: ProcIO): Promise<Buffer> {
  const text = !options.file || options.file === "-" ? await io.stdin.readAll(io.interrupt) : sh.host.fs.readFile(normalize(sh.cwd, options.file));
  return Buffer.from(text, "utf8");
}

function extract(sh: Shell, options: TarOptions, list: Entry[], io: ProcIO, cwd: string): number {
  for (const entry of list) {
    const relative = splitPath(entry.name).join("/");
    if (!relative) continue;
    const path = normalize(cwd, relative);
    if (options.verbose) io.out(`${entry.name}\n`);
    if (entry.type === "other") continue;
    const parent = path.slice(0, path.lastIndexOf("/")) || "/";
    sh.host.fs.mkdir(parent, true);
    if (entry.type === "dir") {
      if (!sh.host.fs.stat(path)) sh.host.fs.mkdir(path);
    } else sh.host.fs.writeFile(path, entry.data.toString("utf8"));
    const node = sh.host.fs.stat(path);
    if (node) {
      node.mode = entry.mode & 0o7777;
      if (options.keepTimes) node.mtime = entry.mtime;
    }
  }
  return 0;
}

export async function tar(sh: Shell, [, ...args]: string[], io: ProcIO): Promise<number> {
  try {
    const options = parseArgs(args);
    const cwd = options.dir === undefined ? sh.cwd : normalize(sh.cwd, options.dir);
    if (options.dir !== undefined && sh.host.fs.stat(cwd)?.kind !== "dir") {
      return sh.fail(io, "tar", sh.host.flavour === "debian" ? `${options.dir}: Cannot open: No such file or directory` : `can't change directory to '${options.dir}': No such file or directory`, 2);
    }
    if (options.mode === "c") return create(sh, options, io, cwd);
    if (options.mode === undefined) return sh.fail(io, "tar", sh.host.flavour === "debian" ? "You must specify one of the '-Acdtrux', '--delete' or '--test-label' options" : "need to specify one of -c, -x or -t", 2);
    const list = entries(await readArchive(sh, options, io));
    if (options.mode === "t") {
      for (const entry of list) io.out(`${entry.name}\n`);
      return 0;
    }
    return extract(sh, options, list, io, cwd);
  } catch (error) {
    if (error instanceof TarError) return sh.fail(io, "tar", error.message, sh.host.flavour === "debian" ? 2 : 1);
    if (error instanceof FsError) return sh.fail(io, "tar", error.message, sh.host.flavour === "debian" ? 2 : 1);
    throw error;
  }
}
