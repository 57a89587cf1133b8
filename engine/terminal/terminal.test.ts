// Real node-pty, real bwrap, real kubectl. The cluster is a stand-in: a small
// HTTP server on a unix socket answering /version, because the sim cluster is
// built in parallel; the terminal only needs "an API on a socket".
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import fs from "node:fs/promises";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ManualClock, realClock, type Clock } from "../clock";
import { sandboxKubeconfig, TerminalHost, TerminalUnavailableError, type TerminalExit, type TerminalHostOptions, type TerminalAttachment, type TerminalSession, type TerminalViewer } from "./index";

const ESC = String.fromCharCode(0x1b);
const BEL = String.fromCharCode(0x07);
/** CSI and OSC sequences, and carriage returns: what is left is the text a learner reads. */
const ANSI = new RegExp(`${ESC}\\[[0-9;?]*[ -/]*[@-~]|${ESC}\\][^${BEL}]*${BEL}|\r`, "g");

/** A tab: collects output and exit notices; waits on conditions, never sleeps. */
class Screen implements TerminalViewer {
  raw = "";
  exits: TerminalExit[] = [];
  attachment: TerminalAttachment | undefined;
  /** A well-behaved tab acks what it renders; a slow one does not. */
  constructor(private readonly autoAck = true) {}
  write(data: string): void {
    this.raw += data;
    // The replay arrives before attach() returns the attachment.
    if (this.autoAck) queueMicrotask(() => this.attachment?.ack(data.length));
  }
  attachTo(session: TerminalSession): TerminalAttachment {
    this.attachment = session.attach(this);
    return this.attachment;
  }
  exit(info: TerminalExit): void {
    this.exits.push(info);
  }
  get text(): string {
    return this.raw.replace(ANSI, "");
  }
  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<RegExpExecArray> {
    return waitUntil(() => pattern.exec(this.text), `output matching ${pattern}`, timeoutMs, () => this.text.slice(-2000));
  }
}

async function waitUntil<T>(probe: () => T | null | undefined | false, what: string, timeoutMs = 15_000, detail?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${detail ? `\n--- last output ---\n${detail()}` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** True when a process named `comm` in the session's cgroup sleeps in a tty write. */
function blockedOnTty(session: TerminalSession, comm: string): boolean {
  const procs = readFileSync(path.join(session.cgroupDirs[0] ?? "", "cgroup.procs"), "utf8").split("\n").filter(Boolean);
  return procs.some((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === comm && /tty|woken/.test(readFileSync(`/proc/${pid}/wchan`, "utf8"));
    } catch {
      return false; // exited meanwhile
    }
  });
}

let marks = 0;
/** Type a command and wait for its output, delimited by unique markers that the echoed command line cannot match. */
async function run(session: TerminalSession, screen: Screen, command: string, timeoutMs?: number): Promise<string> {
  const id = ++marks;
  session.write(`echo ::B${id}""::; ${command}; echo ::E${id}""::\r`);
  const match = await screen.waitFor(new RegExp(`::B${id}::\\n([\\s\\S]*?)::E${id}::`), timeoutMs);
  return match[1] ?? "";
}

const PROMPT = /learner@course:~\$ $/;

interface StandIn {
  socketPath: string;
  /** Authorization headers seen, to show what kubectl sends. */
  authorizations: string[];
  close(): Promise<void>;
}

async function startStandInCluster(dir: string): Promise<StandIn> {
  const socketPath = path.join(dir, "api.sock");
  const authorizations: string[] = [];
  const server = http.createServer((req, res) => {
    authorizations.push(req.headers.authorization ?? "");
    if (req.url === "/version") {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ major: "1", minor: "32", gitVersion: "v1.32.0", platform: "linux/amd64", stand: "in-cluster-ok" }));
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return { socketPath, authorizations, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const hosts: TerminalHost[] = [];
let tmp: string;
let cluster: StandIn;
let uidBase = 210_000;

function makeHost(options: Partial<TerminalHostOptions> & { clock?: Clock } = {}): TerminalHost {
  const host = new TerminalHost({
    runtimeDir: path.join(tmp, `rt-${hosts.length}`),
    clock: realClock,
    idleMs: 60_000,
    // Distinct uids and cgroup names per host, so hosts in parallel test files never meet.
    uids: { first: (uidBase += 100), count: 100 },
    cgroupParent: `kubecourse-terminal-test-${process.pid}`,
    onError: (error) => {
      throw error;
    },
    ...options,
  });
  hosts.push(host);
  return host;
}

async function openShell(host: TerminalHost, learner: string, token = `token-${learner}`): Promise<{ session: TerminalSession; screen: Screen }> {
  const session = await host.open(learner, { kubeconfig: sandboxKubeconfig({ token }), apiSocketPath: cluster.socketPath, size: { cols: 120, rows: 40 } });
  const screen = new Screen();
  screen.attachTo(session);
  await screen.waitFor(PROMPT);
  return { session, screen };
}

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "terminal-test-"));
  cluster = await startStandInCluster(tmp);
});

afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.closeAll()));
});

afterAll(async () => {
  await cluster.close();
  await fs.rm(tmp, { recursive: true, force: true });
  await fs.rmdir(`/sys/fs/cgroup/memory/kubecourse-terminal-test-${process.pid}`).catch(() => undefined);
  await fs.rmdir(`/sys/fs/cgroup/pids/kubecourse-terminal-test-${process.pid}`).catch(() => undefined);
  await fs.rmdir(`/sys/fs/cgroup/cpu/kubecourse-terminal-test-${process.pid}`).catch(() => undefined);
});

describe("a learner shell", () => {
  it("reaches its own cluster with the real kubectl, via the alias too, with its token", async () => {
    const host = makeHost();
    const { session, screen } = await openShell(host, "alice", "alice-secret");
    expect(await run(session, screen, "kubectl get --raw /version")).toContain('"stand":"in-cluster-ok"');
    expect(await run(session, screen, "k get --raw /version")).toContain('"stand":"in-cluster-ok"');
    // kubectl never sends a bearer token over plain http (client-go drops it),
    // so the per-learner socket itself is what identifies the learner's cluster.
    expect(cluster.authorizations.every((header) => header === "")).toBe(true);
    expect(await run(session, screen, "grep token ~/.kube/config")).toContain("alice-secret");
    expect(await run(session, screen, "ls -l ~/.kube/config")).toMatch(/^-rw------- 1 learner learner /m);
    expect(await run(session, screen, "complete -p k")).toContain("__start_kubectl");
    expect(await run(session, screen, "echo $TERM $HOME $(id -un) $(hostname)")).toContain("xterm-256color /home/learner learner course");
  });

  it("returns the same session to a second open, even a concurrent one", async () => {
    const host = makeHost();
    const options = { kubeconfig: sandboxKubeconfig({ token: "t" }), apiSocketPath: cluster.socketPath, size: { cols: 80, rows: 24 } };
    const [a, b] = await Promise.all([host.open("bob", options), host.open("bob", options)]);
    expect(a).toBe(b);
    expect(await host.open("bob", options)).toBe(a);
    expect(host.get("bob")).toBe(a);
  });

  it("runs as its own unprivileged host uid inside its cgroups, with the limits written", async () => {
    const host = makeHost({ limits: { memoryBytes: 128 * 1024 * 1024, pids: 64, cpus: 0.25 } });
    const { session } = await openShell(host, "carol");
    const dirs = session.cgroupDirs;
    expect(dirs.length).toBe(3); // memory, pids and cpu are writable on these machines
    const procs = readFileSync(path.join(dirs[0] ?? "", "cgroup.procs"), "utf8").split("\n").filter(Boolean);
    expect(procs.length).toBeGreaterThan(0);
    for (const pid of procs) {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      expect(status).toMatch(new RegExp(`^Uid:\\s+${session.uid}\\s+${session.uid}\\s+${session.uid}\\s+${session.uid}$`, "m"));
    }
    expect(session.uid).toBeGreaterThanOrEqual(210_000);
    const read = (name: string) => readFileSync(dirs.find((d) => existsSync(path.join(d, name))) + "/" + name, "utf8").trim();
    expect(read("memory.limit_in_bytes")).toBe(String(128 * 1024 * 1024));
    expect(read("memory.memsw.limit_in_bytes")).toBe(String(128 * 1024 * 1024));
    expect(read("pids.max")).toBe("64");
    expect(read("cpu.cfs_quota_us")).toBe("25000");
  });
});

describe("containment", () => {
  it("cannot read host secrets, the project, or anything outside its own files", async () => {
    expect(existsSync("/etc/shadow") && existsSync("/work")).toBe(true);
    const host = makeHost();
    const { session, screen } = await openShell(host, "dave");
    const out = await run(session, screen, "cat /etc/shadow; ls /root; ls /work; ls /usr/local; ls /proc | grep -c '^[0-9]'; cat /sys/fs/cgroup/memory/memory.limit_in_bytes");
    expect(out).toContain("cat: /etc/shadow: No such file or directory");
    expect(out).toContain("ls: cannot access '/root': No such file or directory");
    expect(out).toContain("ls: cannot access '/work': No such file or directory");
    expect(out).toContain("No such file or directory\n", /* /sys is not mounted */);
    // Only the sandbox's own few processes are visible.
    const count = Number(/^(\d+)$/m.exec(out)?.[1]);
    expect(count).toBeGreaterThan(0);
    expect(count).toBeLessThan(10);
    expect(await run(session, screen, "touch /usr/bin/x /etc/x 2>&1 | grep -c 'Read-only file system'")).toContain("2");
  });

  it("cannot see another learner's home", async () => {
    const host = makeHost();
    const a = await openShell(host, "erin");
    const b = await openShell(host, "frank");
    await run(a.session, a.screen, "echo erin-private > ~/note");
    expect(await run(a.session, a.screen, "cat ~/note")).toContain("erin-private");
    const out = await run(b.session, b.screen, "cat ~/note; ls -a /home; cat /proc/*/root/home/learner/note; grep -rs erin-private /home /tmp; echo done");
    expect(out).toContain("No such file or directory");
    expect(out).not.toContain("erin-private\n");
    expect(a.session.uid).not.toBe(b.session.uid);
  });

  it("cannot reach a TCP server on the host's loopback", async () => {
    let connections = 0;
    const server = net.createServer((socket) => {
      connections++;
      socket.end("host-secret\n");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      const host = makeHost();
      const { session, screen } = await openShell(host, "grace");
      const out = await run(session, screen, `curl -sS -m 3 http://127.0.0.1:${port}/; echo rc=$?; (exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null && echo OPEN || echo CLOSED`);
      expect(out).toMatch(/rc=7/);
      expect(out).toContain("CLOSED");
      expect(out).not.toContain("host-secret");
      expect(connections).toBe(0);
    } finally {
      server.close();
    }
  });

  it("contains a memory hog: the hog dies, the shell and the host are fine", async () => {
    const host = makeHost({ limits: { memoryBytes: 64 * 1024 * 1024 } });
    const { session, screen } = await openShell(host, "heidi");
    const out = await run(session, screen, "python3 -c \"x = b'a' * (512 * 1024 * 1024)\"; echo rc=$?", 30_000);
    expect(out).toMatch(/rc=137/);
    expect(await run(session, screen, "echo still-here")).toContain("still-here");
  });

  it("tells the learner in plain words when the memory limit killed the shell itself", async () => {
    const host = makeHost({ limits: { memoryBytes: 64 * 1024 * 1024 } });
    const { session, screen } = await openShell(host, "ivan");
    session.write("exec python3 -c \"x = b'a' * (512 * 1024 * 1024)\"\r");
    await waitUntil(() => screen.exits.length > 0, "the exit notice", 30_000);
    expect(screen.exits[0]?.message).toMatch(/memory/);
    expect(screen.exits[0]?.code).toBe(137);
  });

  it("contains a fork bomb under the pids limit and cleans it all up", async () => {
    const host = makeHost({ limits: { pids: 64 } });
    const { session, screen } = await openShell(host, "judy");
    const pidsDir = session.cgroupDirs.find((dir) => existsSync(path.join(dir, "pids.max")));
    expect(pidsDir).toBeDefined();
    session.write("bomb() { bomb | bomb & }; bomb\r");
    await waitUntil(() => Number(readFileSync(path.join(pidsDir ?? "", "pids.current"), "utf8")) >= 60, "the bomb to reach the cap");
    await screen.waitFor(/fork: .*Resource temporarily unavailable/);
    expect(Number(readFileSync(path.join(pidsDir ?? "", "pids.current"), "utf8"))).toBeLessThanOrEqual(64);
    expect(execFileSync("echo", ["host-ok"], { encoding: "utf8" })).toBe("host-ok\n");
    await host.close("judy");
    expect(existsSync(pidsDir ?? "")).toBe(false);
  });
});

describe("viewers", () => {
  it("share one shell: both see output and either can type", async () => {
    const host = makeHost();
    const { session, screen: first } = await openShell(host, "kim");
    const second = new Screen();
    session.attach(second);
    session.write("echo from-$((1+1))-first\r");
    await first.waitFor(/from-2-first/);
    await second.waitFor(/from-2-first/);
    session.write("echo from-$((2+1))-second\r");
    await first.waitFor(/from-3-second/);
    await second.waitFor(/from-3-second/);
  });

  it("replays the scrollback to a tab that reattaches", async () => {
    const host = makeHost();
    const { session, screen } = await openShell(host, "leo");
    await run(session, screen, "echo before-$((40+2))");
    // Reopen like a reloading tab: same session, replayed screen.
    const again = await host.open("leo", { kubeconfig: sandboxKubeconfig({ token: "t" }), apiSocketPath: cluster.socketPath, size: { cols: 120, rows: 40 } });
    expect(again).toBe(session);
    const reloaded = new Screen();
    const attachment = again.attach(reloaded);
    expect(reloaded.text).toContain("before-42");
    attachment.detach();
    session.write("echo after-$((40+3))\r");
    await screen.waitFor(/after-43/);
    expect(reloaded.text).not.toContain("after-43");
  });

  it("resizes the pty: the latest size wins", async () => {
    const host = makeHost();
    const { session, screen } = await openShell(host, "mia");
    session.resize({ cols: 90, rows: 30 });
    session.resize({ cols: 101, rows: 33 });
    expect(await run(session, screen, "stty size")).toContain("33 101");
  });

  it("pauses the shell for a viewer that does not ack, and resumes when it does", async () => {
    const host = makeHost({ flow: { highWater: 8_192, lowWater: 1_024 } });
    const { session, screen } = await openShell(host, "nina");
    const slow = new Screen(false);
    const slowAttachment = slow.attachTo(session);
    slowAttachment.ack(slow.raw.length); // the replayed prompt
    session.write("seq 1 100000; echo done-$((6*7))\r");
    await waitUntil(() => session.paused, "the pause");
    // The pty is no longer read, so seq (which alone would finish in
    // milliseconds) ends up blocked writing to the terminal.
    await waitUntil(() => blockedOnTty(session, "seq"), "seq to block on the paused terminal");
    expect(slow.raw.length).toBeLessThan(8_192 + 70_000);
    expect(slow.text).not.toContain("done-42");
    // The acking viewer keeps up, yet the slow one still holds the shell back.
    expect(screen.text).not.toContain("done-42");
    expect(session.paused).toBe(true);
    // Acking as the slow viewer renders lets everything through.
    let acked = 0;
    await waitUntil(
      () => {
        slowAttachment.ack(slow.raw.length - acked);
        acked = slow.raw.length;
        return /done-42/.test(slow.text);
      },
      "all output after acks",
    );
    expect(slow.text).toContain("\n100000\n");
    await screen.waitFor(/done-42/);
  });

  it("a detached slow viewer no longer holds the shell back", async () => {
    const host = makeHost({ flow: { highWater: 8_192, lowWater: 1_024 } });
    const { session, screen } = await openShell(host, "omar");
    const slow = new Screen(false);
    const slowAttachment = slow.attachTo(session);
    session.write("seq 1 100000; echo done-$((6*7))\r");
    await waitUntil(() => session.paused, "the pause");
    slowAttachment.detach();
    expect(session.paused).toBe(false);
    await screen.waitFor(/done-42/);
  });
});

describe("lifecycle", () => {
  it("notifies on exit and frees the cgroups and the uid", async () => {
    const host = makeHost();
    const { session, screen } = await openShell(host, "pat");
    const uid = session.uid;
    const dirs = [...session.cgroupDirs];
    expect(dirs.every((dir) => existsSync(dir))).toBe(true);
    const heard: TerminalExit[] = [];
    session.onExit((info) => heard.push(info));
    session.write("exit 3\r");
    await waitUntil(() => screen.exits.length > 0, "the exit notice");
    expect(screen.exits).toHaveLength(1);
    expect(screen.exits[0]?.code).toBe(3);
    expect(screen.exits[0]?.message).toMatch(/exited with code 3/);
    expect(heard).toEqual(screen.exits);
    expect(session.state).toBe("stopped");
    expect(dirs.some((dir) => existsSync(dir))).toBe(false);
    // The freed uid is the lowest free one: the next shell gets it back.
    const next = await openShell(host, "quinn");
    expect(next.session.uid).toBe(uid);
    // Restart brings a fresh shell to the same tab.
    await session.restart();
    await waitUntil(() => session.state === "running", "the restarted shell");
    expect(await run(session, screen, "echo again-$((1+1))")).toContain("again-2");
  });

  it("restarts a running shell for the attached tabs without an exit notice", async () => {
    const host = makeHost();
    const { session, screen } = await openShell(host, "uma");
    await run(session, screen, "export MARK=old-shell");
    await session.restart();
    expect(session.state).toBe("running");
    expect(await run(session, screen, "echo mark=${MARK:-fresh}")).toContain("mark=fresh");
    expect(screen.exits).toEqual([]);
  });

  it("closes a session nobody watches after idleMs of the injected clock", async () => {
    const clock = new ManualClock();
    const host = makeHost({ clock, idleMs: 60_000 });
    const { session, screen } = await openShell(host, "rita");
    const dirs = [...session.cgroupDirs];
    clock.advance(120_000);
    expect(session.state).toBe("running"); // a tab is attached: no idle timeout
    screen.attachment?.detach();
    clock.advance(59_999);
    expect(session.state).toBe("running");
    clock.advance(1);
    await waitUntil(() => session.state === "closed" && host.get("rita") === undefined && !dirs.some((d) => existsSync(d)), "the idle close");
  });

  it("reports a clear error when not root", async () => {
    const spy = vi.spyOn(process as { getuid(): number }, "getuid").mockReturnValue(1000);
    try {
      const host = makeHost();
      await expect(host.ready()).rejects.toThrow(TerminalUnavailableError);
      await expect(host.ready()).rejects.toThrow(/run as root/);
    } finally {
      spy.mockRestore();
    }
  });

  it("refuses a cluster socket that does not exist", async () => {
    const host = makeHost();
    await expect(
      host.open("tess", { kubeconfig: "", apiSocketPath: path.join(tmp, "missing.sock"), size: { cols: 80, rows: 24 } }),
    ).rejects.toThrow(/does not exist/);
    expect(host.get("tess")).toBeUndefined();
  });
});
