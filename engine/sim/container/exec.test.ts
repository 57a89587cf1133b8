// exec / attach / logs through the real kubectl and client-node against a sim
// cluster on a ManualClock.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { startKubectlCluster, until, type KubectlCluster } from "../test-kubectl";

let sim: KubectlCluster;

/** Move the clock in 100 ms steps, letting microtasks and I/O run between them. */
async function advance(ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 100) {
    sim.clock.advance(100);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Advance the clock 100 ms per 10 ms of real time until `check` holds (a concurrent kubectl acts in real time). */
async function advanceUntil(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (check()) return;
    await advance(100);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function runningPod(name: string, ...args: string[]): Promise<void> {
  const created = await sim.kubectl("run", name, ...args);
  expect(created.stderr).toBe("");
  await advance(5000);
  const phase = await sim.kubectl("get", "pod", name, "-o", "jsonpath={.status.phase}");
  expect(phase.stdout).toBe("Running");
}

beforeAll(async () => {
  sim = await startKubectlCluster();
  await runningPod("web", "--image=nginx");
});
afterAll(async () => sim.close());

describe("kubectl exec", () => {
  it("runs a command and prints its output", async () => {
    const ls = await sim.kubectl("exec", "web", "--", "ls", "/");
    expect(ls.stderr).toBe("");
    expect(ls.stdout.split("\n")).toEqual(expect.arrayContaining(["bin", "etc", "usr", "var", "tmp"]));
    expect(ls.code).toBe(0);
    const page = await sim.kubectl("exec", "web", "--", "cat", "/usr/share/nginx/html/index.html");
    expect(page.stdout).toContain("<title>Welcome to nginx!</title>");
  });

  it("finds the pod's ServiceAccount token, issued when the pod started, that authenticates as its ServiceAccount", async () => {
    const started = Date.parse((await sim.kubectl("get", "pod", "web", "-o", "jsonpath={.status.startTime}")).stdout);
    await advance(60_000);
    const token = (await sim.kubectl("exec", "web", "--", "cat", "/var/run/secrets/kubernetes.io/serviceaccount/token")).stdout;
    const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as { iat: number; sub: string };
    expect(claims.sub).toBe("system:serviceaccount:default:default");
    // Read a minute later, it is still the token the kubelet got at the start.
    expect(Math.abs(claims.iat * 1000 - started)).toBeLessThan(10_000);
    const whoami = await sim.kubectl("--token", token, "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}");
    expect(whoami.stdout).toBe("system:serviceaccount:default:default");
  });

  it("reports a non-zero exit code as kubectl does", async () => {
    const result = await sim.kubectl("exec", "web", "--", "sh", "-c", "echo out; echo err >&2; exit 3");
    expect(result.stdout).toBe("out\n");
    expect(result.stderr).toBe("err\ncommand terminated with exit code 3\n");
    expect(result.code).toBe(3);
  });

  it("fails an unknown program as the runtime does", async () => {
    const direct = await sim.kubectl("exec", "web", "--", "foo");
    expect(direct.stderr).toContain('exec: "foo": executable file not found in $PATH');
    expect(direct.code).not.toBe(0);
    const viaShell = await sim.kubectl("exec", "web", "--", "sh", "-c", "foo");
    expect(viaShell.stderr).toBe("sh: 1: foo: not found\ncommand terminated with exit code 127\n");
    expect(viaShell.code).toBe(127);
  });

  it("errors before upgrading for a missing pod or container", async () => {
    const missing = await sim.kubectl("exec", "nope", "--", "ls");
    expect(missing.stderr).toContain('pods "nope" not found');
    const container = await sim.kubectl("exec", "web", "-c", "x", "--", "ls");
    expect(container.stderr).toContain("container x is not valid for pod web");
  });

  it("gets the kubelet's plain-text refusal for a container that is not running yet", async () => {
    // No clock moves: the image is still being pulled.
    await sim.kubectl("run", "starting", "--image=redis:7");
    const early = await sim.kubectl("exec", "starting", "--", "ls");
    expect(early).toMatchObject({ code: 1, stderr: 'error: unable to upgrade connection: container not found ("starting")\n' });
    await sim.kubectl("delete", "pod", "starting", "--wait=false");
  });

  it("feeds stdin", async () => {
    const result = await sim.kubectlWithInput("hello\nworld\n", "exec", "-i", "web", "--", "sh", "-c", "cat > /tmp/in; wc -l < /tmp/in");
    expect(result.stdout).toBe("2\n");
  });
});

describe("logs", () => {
  it("shows nginx's start-up lines and a busybox command's output, --previous after a restart", async () => {
    const nginx = await sim.kubectl("logs", "web");
    expect(nginx.stdout).toContain("/docker-entrypoint.sh: Configuration complete; ready for start up");
    expect(nginx.stdout).toMatch(/\[notice\] 1#1: nginx\/1\.27\.3/);
    await sim.kubectl("run", "hello", "--image=busybox", "--", "sh", "-c", "echo hello from $HOSTNAME; sleep 10; exit 2");
    await advance(4000);
    expect((await sim.kubectl("logs", "hello")).stdout).toBe("hello from hello\n");
    expect((await sim.kubectl("logs", "hello", "--previous")).stderr).toContain('previous terminated container "hello" in pod "hello" not found');
    await advance(12_000);
    const previous = await sim.kubectl("logs", "hello", "--previous");
    expect(previous.stdout).toBe("hello from hello\n");
    const status = await sim.kubectl("get", "pod", "hello", "-o", "jsonpath={.status.containerStatuses[0].lastState.terminated.exitCode}");
    expect(status.stdout).toBe("2");
  });

  it("follows until the container stops", async () => {
    await sim.kubectl("run", "ticker", "--image=busybox", "--restart=Never", "--", "sh", "-c", "for i in 1 2 3; do echo tick $i; sleep 1; done");
    await advance(2500);
    let out = "";
    const child = spawn("/usr/bin/kubectl", ["--kubeconfig", sim.kubeconfig, "logs", "-f", "ticker"], { env: { NODE_ENV: "test", HOME: sim.dir, PATH: "/usr/bin:/bin" } });
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? -1)));
    await until(() => out.includes("tick 1"), "first tick");
    await advance(3000);
    expect(await exited).toBe(0);
    expect(out).toBe("tick 1\ntick 2\ntick 3\n");
  });
});

describe("terminals (node-pty)", () => {
  async function pty(args: string[], env: Record<string, string> = {}): Promise<{ output: () => string; write(text: string): void; exit: Promise<number> }> {
    const { spawn } = await import("node-pty");
    const term = spawn("/usr/bin/kubectl", ["--kubeconfig", sim.kubeconfig, ...args], { name: "xterm", cols: 100, rows: 30, env: { HOME: sim.dir, PATH: "/usr/bin:/bin", TERM: "xterm", ...env } });
    let out = "";
    term.onData((d) => (out += d));
    const exit = new Promise<number>((resolve) => term.onExit(({ exitCode }) => resolve(exitCode)));
    return { output: () => out, write: (t) => term.write(t), exit };
  }

  it("kubectl exec -it web -- sh: prompt, echo, commands, exit", async () => {
    const t = await pty(["exec", "-it", "web", "--", "sh"]);
    await until(() => t.output().includes("# "), "prompt");
    t.write("cd /usr/share/nginx/html && ls\r");
    await until(() => t.output().includes("50x.html  index.html"), "ls output");
    t.write("exit 4\r");
    expect(await t.exit).toBe(4);
    expect(t.output()).toContain("cd /usr/share/nginx/html && ls\r\n50x.html  index.html\r\n# ");
  });

  it("Ctrl-C interrupts sleep on the clock", async () => {
    const t = await pty(["exec", "-it", "web", "--", "bash"]);
    await until(() => t.output().includes("root@web:/# "), "bash prompt");
    t.write("sleep 100\r");
    await until(() => t.output().includes("sleep 100\r\n"), "echo");
    t.write("\x03");
    await until(() => t.output().endsWith("^C\r\nroot@web:/# "), "prompt after ^C");
    t.write("echo $?\r");
    await until(() => t.output().includes("130\r\n"), "status 130");
    t.write("exit\r");
    expect(await t.exit).toBe(0);
  });

  it("a command that ends at once still lets kubectl send its terminal size first (no `websocket: close sent`)", async () => {
    // One OS thread for kubectl's goroutines makes its size sender late, as on a busy machine.
    for (let i = 0; i < 10; i++) {
      const t = await pty(["exec", "-ti", "web", "--", "echo", "hi"], { GOMAXPROCS: "1" });
      expect(await t.exit).toBe(0);
      expect(t.output()).toBe("hi\r\n");
    }
  });

  it("closes a tty session of a client that never sends a size after a second of clock", async () => {
    const { WebSocket } = await import("ws");
    const url = `${sim.lease.access.server.replace(/^https/, "wss")}/api/v1/namespaces/default/pods/web/exec?command=echo&command=hi&stdout=true&tty=true`;
    const ws = new WebSocket(url, ["v5.channel.k8s.io"], { headers: { Authorization: `Bearer ${sim.lease.access.token}` }, ca: sim.lease.access.ca });
    const frames: string[] = [];
    let closedWith: number | undefined;
    ws.on("message", (data: Buffer) => frames.push(`${data[0] ?? ""}:${data.subarray(1).toString()}`));
    ws.on("close", (code) => (closedWith = code));
    await until(() => frames.length === 2, "output and status");
    expect(frames).toEqual(["1:hi\r\n", '3:{"metadata":{},"status":"Success"}']);
    // A ping answered means the server had sent no close before it (frames arrive in order).
    let ponged = false;
    ws.on("pong", () => (ponged = true));
    ws.ping();
    await until(() => ponged || closedWith !== undefined, "pong");
    expect(closedWith).toBeUndefined();
    await advance(1000);
    await until(() => closedWith !== undefined, "close");
    expect(closedWith).toBe(1000);
  });

  it("kubectl run -it --rm attaches, and deletes the pod after exit", async () => {
    const t = await pty(["run", "-it", "--rm", "tmp", "--image=busybox", "--restart=Never", "--", "sh"]);
    await advanceUntil(() => t.output().includes("If you don't see a command prompt"), "attach");
    t.write("\r");
    await until(() => t.output().includes("/ # "), "busybox prompt").catch((e: unknown) => {
      throw new Error(`${String(e)}: ${JSON.stringify(t.output())}`);
    });
    t.write("hostname\r");
    await until(() => t.output().includes("hostname\r\ntmp\r\n"), "hostname");
    t.write("exit\r");
    await advanceUntil(() => t.output().includes('pod "tmp" deleted'), "deletion");
    expect(await t.exit).toBe(0);
    expect(t.output()).toContain('pod "tmp" deleted');
  });
});

describe("@kubernetes/client-node Exec", () => {
  it("runs a command and reports stdout and the status", async () => {
    const k8s = await import("@kubernetes/client-node");
    const { Writable } = await import("node:stream");
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(sim.kubeconfig);
    let stdout = "";
    const sink = new Writable({ write: (chunk: Buffer, _e, cb) => ((stdout += chunk.toString()), cb()) });
    const status = await new Promise<unknown>((resolve, reject) => {
      new k8s.Exec(kc).exec("default", "web", "web", ["sh", "-c", "echo $KUBERNETES_SERVICE_HOST; cat /var/run/secrets/kubernetes.io/serviceaccount/namespace"], sink, null, null, false, resolve).catch(reject);
    });
    // The namespace file has no trailing newline, as upstream.
    expect(stdout).toBe("10.96.0.1\ndefault");
    expect(status).toEqual({ metadata: {}, status: "Success" });
  });
});

describe("volumes", () => {
  it("shares an emptyDir between containers; configMap keys are files; -c picks the container", async () => {
    await sim.kubectl("create", "configmap", "conf", "--from-literal=greeting=hi");
    const pod = `apiVersion: v1
kind: Pod
metadata: {name: pair}
spec:
  volumes:
  - {name: shared, emptyDir: {}}
  - {name: conf, configMap: {name: conf}}
  containers:
  - name: main
    image: nginx
    volumeMounts: [{name: shared, mountPath: /usr/share/nginx/html/shared}]
    env: [{name: GREETING, valueFrom: {configMapKeyRef: {name: conf, key: greeting}}}]
  - name: sidecar
    image: busybox
    command: [sh, -c, "echo from-sidecar > /data/x; sleep 3600"]
    volumeMounts: [{name: shared, mountPath: /data}, {name: conf, mountPath: /etc/conf}]
`;
    expect((await sim.kubectlWithInput(pod, "apply", "-f", "-")).stdout).toBe("pod/pair created\n");
    await advance(6000);
    expect((await sim.kubectl("exec", "pair", "-c", "sidecar", "--", "cat", "/data/x")).stdout).toBe("from-sidecar\n");
    expect((await sim.kubectl("exec", "pair", "-c", "main", "--", "cat", "/usr/share/nginx/html/shared/x")).stdout).toBe("from-sidecar\n");
    expect((await sim.kubectl("exec", "pair", "-c", "sidecar", "--", "cat", "/etc/conf/greeting")).stdout).toBe("hi");
    expect((await sim.kubectl("exec", "pair", "-c", "main", "--", "printenv", "GREETING")).stdout).toBe("hi\n");
    const readOnly = await sim.kubectl("exec", "pair", "-c", "sidecar", "--", "touch", "/etc/conf/new");
    expect(readOnly.stderr).toBe("touch: /etc/conf/new: Read-only file system\ncommand terminated with exit code 1\n");
  });
});
