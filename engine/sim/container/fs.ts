// A container's filesystem: an in-memory tree for the image's root (fresh on
// every container start, so writes outside volumes are lost on restart) with
// volume directories mounted over it. A volume's directory is a shared object
// owned by the pod (emptyDir) or rendered from a ConfigMap/Secret, so two
// containers mounting the same emptyDir see each other's files.

export interface FsFile {
  kind: "file";
  data: string;
  mtime: number;
  mode: number;
}
export interface FsDir {
  kind: "dir";
  children: Map<string, FsNode>;
  mtime: number;
  mode: number;
}
export type FsNode = FsFile | FsDir;

export interface Mount {
  /** Absolute path inside the container. */
  path: string;
  dir: FsDir;
  readOnly: boolean;
  /** What `mount` / `df` print as the source and type. */
  source: string;
  type: string;
}

export class FsError extends Error {
  constructor(
    readonly code: "ENOENT" | "ENOTDIR" | "EISDIR" | "EROFS" | "EEXIST" | "ENOTEMPTY",
    path: string,
  ) {
    super(`${path}: ${FS_MESSAGES[code]}`);
  }
  /** The message busybox/coreutils print after the path. */
  get text(): string {
    return FS_MESSAGES[this.code];
  }
}

const FS_MESSAGES = {
  ENOENT: "No such file or directory",
  ENOTDIR: "Not a directory",
  EISDIR: "Is a directory",
  EROFS: "Read-only file system",
  EEXIST: "File exists",
  ENOTEMPTY: "Directory not empty",
} as const;

export function newDir(mtime = 0, mode = 0o755): FsDir {
  return { kind: "dir", children: new Map(), mtime, mode };
}

/** Build a tree from `{ "/etc/hostname": "web\n", ... }` (directories made as needed). */
/** A file's text, or how to make it when it is first read. */
export type FileContent = string | (() => string);

/** A file whose text is made when first read (a projected token most pods never read). */
function lazyFile(make: () => string, mtime: number): FsFile {
  let data: string | undefined;
  return {
    kind: "file",
    get data(): string {
      return (data ??= make());
    },
    set data(value: string) {
      data = value;
    },
    mtime,
    mode: 0o644,
  };
}

export function treeFrom(files: Record<string, FileContent>, mtime = 0, into: FsDir = newDir(mtime)): FsDir {
  for (const [path, data] of Object.entries(files)) {
    const parts = splitPath(path);
    let dir = into;
    for (const part of parts.slice(0, -1)) {
      let next = dir.children.get(part);
      if (!next || next.kind !== "dir") {
        next = newDir(mtime);
        dir.children.set(part, next);
      }
      dir = next;
    }
    const last = parts[parts.length - 1];
    if (last === undefined) continue;
    if (path.endsWith("/")) {
      if (!dir.children.has(last)) dir.children.set(last, newDir(mtime));
    } else dir.children.set(last, typeof data === "string" ? { kind: "file", data, mtime, mode: 0o644 } : lazyFile(data, mtime));
  }
  return into;
}

export function splitPath(path: string): string[] {
  return path.split("/").filter((p) => p.length > 0 && p !== ".");
}

/** `path` made absolute against `cwd`, with `.` and `..` resolved. */
export function normalize(cwd: string, path: string): string {
  const parts: string[] = [];
  for (const part of (path.startsWith("/") ? path : `${cwd}/${path}`).split("/")) {
    if (!part || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return `/${parts.join("/")}`;
}

export class FileSystem {
  private readonly mounts: Mount[];

  constructor(
    private readonly root: FsDir,
    mounts: Mount[],
    private readonly now: () => number,
  ) {
    // Longest first: the innermost mount owns a path.
    this.mounts = [...mounts].sort((a, b) => b.path.length - a.path.length);
    // Mount points show up in their parent directory, as real mount points do.
    for (const m of this.mounts) this.ensureRootDirs(m.path);
  }

  mountTable(): readonly Mount[] {
    return this.mounts;
  }

  private ensureRootDirs(path: string): void {
    let dir = this.root;
    for (const part of splitPath(path)) {
      let next = dir.children.get(part);
      if (!next || next.kind !== "dir") {
        next = newDir(this.now());
        dir.children.set(part, next);
      }
      dir = next;
    }
  }

  /** The mount holding `abs` and the path's parts below it. */
  private locate(abs: string): { base: FsDir; parts: string[]; mount?: Mount } {
    const parts = splitPath(abs);
    for (const mount of this.mounts) {
      const mp = splitPath(mount.path);
      if (mp.length <= parts.length && mp.every((p, i) => parts[i] === p)) return { base: mount.dir, parts: parts.slice(mp.length), mount };
    }
    return { base: this.root, parts };
  }

  stat(abs: string): FsNode | undefined {
    const { base, parts } = this.locate(abs);
    let node: FsNode = base;
    for (const part of parts) {
      if (node.kind !== "dir") return undefined;
      const next: FsNode | undefined = node.children.get(part);
      if (!next) return undefined;
      node = next;
    }
    return node;
  }

  readFile(abs: string): string {
    const node = this.stat(abs);
    if (!node) throw new FsError("ENOENT", abs);
    if (node.kind === "dir") throw new FsError("EISDIR", abs);
    return node.data;
  }

  list(abs: string): [string, FsNode][] {
    const node = this.stat(abs);
    if (!node) throw new FsError("ENOENT", abs);
    if (node.kind !== "dir") throw new FsError("ENOTDIR", abs);
    return [...node.children.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  private parentOf(abs: string): { dir: FsDir; name: string } {
    const { base, parts, mount } = this.locate(abs);
    const name = parts[parts.length - 1];
    if (name === undefined) throw new FsError("EEXIST", abs);
    if (mount?.readOnly) throw new FsError("EROFS", abs);
    let dir: FsNode = base;
    for (const part of parts.slice(0, -1)) {
      const next: FsNode | undefined = dir.kind === "dir" ? dir.children.get(part) : undefined;
      if (!next) throw new FsError("ENOENT", abs);
      if (next.kind !== "dir") throw new FsError("ENOTDIR", abs);
      dir = next;
    }
    if (dir.kind !== "dir") throw new FsError("ENOTDIR", abs);
    return { dir, name };
  }

  writeFile(abs: string, data: string, append = false): void {
    const { dir, name } = this.parentOf(abs);
    const existing = dir.children.get(name);
    if (existing?.kind === "dir") throw new FsError("EISDIR", abs);
    const now = this.now();
    if (existing) {
      existing.data = append ? existing.data + data : data;
      existing.mtime = now;
    } else dir.children.set(name, { kind: "file", data, mtime: now, mode: 0o644 });
    dir.mtime = now;
  }

  /** touch: create empty or bump the time. */
  touch(abs: string): void {
    const node = this.stat(abs);
    if (node) {
      if (this.locate(abs).mount?.readOnly) throw new FsError("EROFS", abs);
      node.mtime = this.now();
    } else this.writeFile(abs, "");
  }

  mkdir(abs: string, parents = false): void {
    if (parents) {
      const parts = splitPath(abs);
      for (let i = 1; i <= parts.length; i++) {
        const sub = `/${parts.slice(0, i).join("/")}`;
        const node = this.stat(sub);
        if (node?.kind === "dir") continue;
        if (node) throw new FsError("ENOTDIR", sub);
        this.mkdir(sub);
      }
      return;
    }
    const { dir, name } = this.parentOf(abs);
    if (dir.children.has(name)) throw new FsError("EEXIST", abs);
    dir.children.set(name, newDir(this.now()));
    dir.mtime = this.now();
  }

  remove(abs: string, recursive = false): void {
    if (this.mounts.some((m) => m.path === abs)) throw new FsError(this.locate(abs).mount?.readOnly ? "EROFS" : "EEXIST", abs);
    const { dir, name } = this.parentOf(abs);
    const node = dir.children.get(name);
    if (!node) throw new FsError("ENOENT", abs);
    if (node.kind === "dir" && !recursive) throw new FsError("EISDIR", abs);
    dir.children.delete(name);
    dir.mtime = this.now();
  }
}
