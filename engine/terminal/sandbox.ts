// The learner's shell command line, in an order that matters: as root, join
// the cgroups and set ulimits; enter the forwarder's network namespace; drop
// to the learner's uid with setpriv; only then bwrap (bwrap run as root with --uid would leave host uid 0).
// Files reach bwrap as file descriptors the root wrapper opens, so the learner
// uid never needs to read or traverse anything on the host.

export const SANDBOX_USER = "learner";
export const SANDBOX_HOSTNAME = "course";
export const SANDBOX_HOME = "/home/learner";
/** uid/gid the learner sees inside its user namespace; the host uid differs per learner. */
const INNER_ID = 1000;

export interface SandboxLimits {
  /** Memory (and memory + swap) for everything in the shell, tmpfs pages included. */
  memoryBytes: number;
  /** Processes and threads in the shell's cgroup. */
  pids: number;
  /** CPU cores, e.g. 0.5. */
  cpus: number;
  /** RLIMIT_NPROC for the learner's uid: a fork-bomb cap where the pids cgroup is absent. */
  processes: number;
  openFiles: number;
  /** Largest file the shell may write (RLIMIT_FSIZE). */
  fileBytes: number;
  homeBytes: number;
  tmpBytes: number;
  shmBytes: number;
}

export const DEFAULT_LIMITS: SandboxLimits = {
  memoryBytes: 256 * 1024 * 1024,
  pids: 128,
  cpus: 0.5,
  processes: 256,
  openFiles: 1024,
  fileBytes: 64 * 1024 * 1024,
  homeBytes: 64 * 1024 * 1024,
  tmpBytes: 64 * 1024 * 1024,
  shmBytes: 16 * 1024 * 1024,
};

/** Host files the wrapper opens as root and hands to bwrap by descriptor. */
export interface SandboxFiles {
  passwd: string;
  group: string;
  hosts: string;
  bashrc: string;
  kubeconfig: string;
}

export interface SandboxSpec {
  uid: number;
  /** `cgroup.procs` files to join; empty where cgroups are unavailable. */
  procsFiles: readonly string[];
  /** Network namespace to join (the forwarder's). */
  netns: string;
  files: SandboxFiles;
  limits: SandboxLimits;
}

/** Read-only host /etc entries a shell, kubectl and common tools need (absent ones are skipped). */
const ETC_PASSTHROUGH = [
  "/etc/nsswitch.conf",
  "/etc/ld.so.cache",
  "/etc/alternatives",
  "/etc/inputrc",
  "/etc/localtime",
  "/etc/services",
  "/etc/protocols",
  "/etc/terminfo",
  "/etc/ssl/certs",
];

const FD = { passwd: 3, group: 4, hosts: 5, bashrc: 6, kubeconfig: 7 } as const satisfies Record<keyof SandboxFiles, number>;

/** `file` and `args` for node-pty: a bash wrapper that ends in `exec bwrap ... bash`. */
export function sandboxCommand(spec: SandboxSpec): { file: string; args: string[] } {
  const { uid, limits } = spec;
  if (!Number.isInteger(uid) || uid < 1000) throw new RangeError(`refusing to run a sandbox as uid ${uid}`);
  const joins = spec.procsFiles.map((file) => `echo $$ > ${quote(file)}`);
  const opens = (Object.keys(FD) as (keyof SandboxFiles)[]).map((key) => `${FD[key]}<${quote(spec.files[key])}`);
  const argv = [
    "prlimit",
    `--nproc=${limits.processes}`,
    `--nofile=${limits.openFiles}`,
    `--fsize=${limits.fileBytes}`,
    "--core=0",
    "--",
    "nsenter",
    `--net=${spec.netns}`,
    "--",
    "setpriv",
    `--reuid=${uid}`,
    `--regid=${uid}`,
    "--clear-groups",
    "--inh-caps=-all",
    "--no-new-privs",
    "--",
    ...bwrapArgs(limits),
  ];
  const script = [
    "set -e",
    // node-pty passes on every descriptor the server inherited; none of them
    // may reach the sandbox (bwrap does not close them either).
    'for f in /proc/self/fd/*; do n=${f##*/}; if [ "$n" -gt 2 ]; then exec {n}>&-; fi; done',
    ...joins,
    `exec ${opens.join(" ")} ${argv.map(quote).join(" ")}`,
  ].join("\n");
  return { file: "/bin/bash", args: ["--noprofile", "--norc", "-c", script] };
}

function bwrapArgs(limits: SandboxLimits): string[] {
  const home = SANDBOX_HOME;
  return [
    "bwrap",
    "--die-with-parent",
    "--unshare-user",
    "--disable-userns",
    "--uid", String(INNER_ID),
    "--gid", String(INNER_ID),
    "--unshare-pid",
    "--unshare-ipc",
    "--unshare-uts",
    "--unshare-cgroup-try",
    "--hostname", SANDBOX_HOSTNAME,
    "--ro-bind", "/usr", "/usr",
    // Locally installed tools (and whatever else an admin put there) stay out.
    "--tmpfs", "/usr/local",
    "--symlink", "usr/bin", "/bin",
    "--symlink", "usr/sbin", "/sbin",
    "--symlink", "usr/lib", "/lib",
    "--symlink", "usr/lib64", "/lib64",
    "--proc", "/proc",
    "--dev", "/dev",
    "--size", String(limits.tmpBytes), "--tmpfs", "/tmp",
    "--size", String(limits.shmBytes), "--tmpfs", "/dev/shm",
    "--size", String(limits.homeBytes), "--tmpfs", home,
    ...ETC_PASSTHROUGH.flatMap((p) => ["--ro-bind-try", p, p]),
    "--ro-bind-data", String(FD.passwd), "/etc/passwd",
    "--ro-bind-data", String(FD.group), "/etc/group",
    "--ro-bind-data", String(FD.hosts), "/etc/hosts",
    "--ro-bind-data", String(FD.bashrc), "/etc/bash.bashrc",
    "--perms", "0600", "--file", String(FD.kubeconfig), `${home}/.kube/config`,
    "--remount-ro", "/",
    "--chdir", home,
    "--clearenv",
    "--setenv", "HOME", home,
    "--setenv", "USER", SANDBOX_USER,
    "--setenv", "LOGNAME", SANDBOX_USER,
    "--setenv", "SHELL", "/bin/bash",
    "--setenv", "TERM", "xterm-256color",
    "--setenv", "LANG", "C.UTF-8",
    "--setenv", "PATH", "/usr/bin:/usr/sbin:/bin:/sbin",
    "--setenv", "KUBECONFIG", `${home}/.kube/config`,
    "--",
    "/bin/bash", "--rcfile", "/etc/bash.bashrc", "-i",
  ];
}

export function passwdFile(): string {
  return [
    "root:x:0:0:root:/root:/usr/sbin/nologin",
    `${SANDBOX_USER}:x:${INNER_ID}:${INNER_ID}:${SANDBOX_USER}:${SANDBOX_HOME}:/bin/bash`,
    "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin",
    "",
  ].join("\n");
}

export function groupFile(): string {
  return ["root:x:0:", `${SANDBOX_USER}:x:${INNER_ID}:`, "nogroup:x:65534:", ""].join("\n");
}

export function hostsFile(): string {
  return ["127.0.0.1\tlocalhost", `127.0.1.1\t${SANDBOX_HOSTNAME}`, "::1\tlocalhost ip6-localhost ip6-loopback", ""].join("\n");
}

/** The shell's rc file; `completion` is `kubectl completion bash` (empty if unavailable). */
export function bashrcFile(completion: string): string {
  return [
    "# The course's learner shell.",
    "[ -z \"$PS1\" ] && return",
    "shopt -s checkwinsize histappend",
    "HISTSIZE=5000",
    `PS1='\\[\\e[1;32m\\]\\u@\\h\\[\\e[0m\\]:\\[\\e[1;34m\\]\\w\\[\\e[0m\\]\\$ '`,
    "alias ls='ls --color=auto'",
    "alias grep='grep --color=auto'",
    "alias k=kubectl",
    completion,
    // Completion for the alias too; only when kubectl's completion loaded.
    "if declare -F __start_kubectl >/dev/null; then complete -o default -F __start_kubectl k; fi",
    "",
  ].join("\n");
}

/** Single-quote for the shell. */
function quote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
