// The simulated shell and container runtime, without an API server.
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../clock";
import type { Pod } from "../types";
import { Input } from "./io";
import { parse, ShellSyntaxError } from "./parse";
import type { ContainerNetwork } from "./network";
import { ContainerRuntime, type Session } from "./runtime";

function pod(spec: Partial<Pod["spec"]>, name = "p"): Pod {
  return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "default", uid: `uid-${name}` }, spec: { containers: [], ...spec }, status: { podIP: "10.244.1.5" } };
}

function setup() {
  const clock = new ManualClock(Date.parse("2026-03-01T12:00:00Z"));
  const runtime = new ContainerRuntime({ clock, lookup: () => undefined });
  return { clock, runtime };
}

async function run(container: { exec(argv: string[], s: Session): Promise<number> }, script: string, stdin?: string): Promise<{ out: string; err: string; code: number }> {
  let out = "";
  let err = "";
  const code = await container.exec(["sh", "-c", script], { stdin: stdin === undefined ? undefined : Input.of(stdin), tty: false, stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { out, err, code };
}

describe("parse", () => {
  it("reads lists, pipelines, redirects and compound commands", () => {
    const list = parse("a && b || c; d | e > f 2>&1 &\nif x; then y; fi");
    expect(list.items).toHaveLength(3);
    expect(list.items[1]?.background).toBe(true);
    expect(list.items[1]?.andOr.first.commands).toHaveLength(2);
    expect(list.items[2]?.andOr.first.commands[0]?.t).toBe("if");
    expect(() => parse("echo 'open")).toThrow(ShellSyntaxError);
    expect(() => parse("if true; then echo")).toThrow(/expecting "fi"/);
  });
});

describe("shell", () => {
  const { runtime, clock } = setup();
  const busybox = runtime.start(pod({ containers: [{ name: "c", image: "busybox", command: ["sleep", "3600"] }] }, "bb"), 0, () => undefined)!;

  it("mkdir and rm complain about each operand they cannot handle, go on with the rest, and exit 1", async () => {
    const made = await run(busybox, "mkdir /tmp/a /nope/b /tmp/c; echo $?; ls -d /tmp/a /tmp/c");
    expect(made.err).toBe("mkdir: can't create directory '/nope/b': No such file or directory\n");
    expect(made.out).toBe("1\n/tmp/a\n/tmp/c\n");
    const removed = await run(busybox, "touch /tmp/f; rm /tmp/missing /tmp/f; echo $?; rm -f /tmp/missing; echo $?");
    expect(removed.err).toBe("rm: can't remove '/tmp/missing': No such file or directory\n");
    expect(removed.out).toBe("1\n0\n");
    expect((await run(busybox, "ls /tmp/f")).code).not.toBe(0);
    // The container is shared with the tests below.
    expect((await run(busybox, "rm -r /tmp/a /tmp/c")).code).toBe(0);
  });

  it("expands variables, quotes, $? and command substitution", async () => {
    expect((await run(busybox, `X=1; export Y=two; echo "$X $Y" '$X' \${Y}; false; echo $?; echo $(hostname)-$((2+3))`)).out).toBe("1 two $X two\n1\nbb-5\n");
  });

  it("runs pipes, && / || and redirects", async () => {
    const r = await run(busybox, "echo a > /tmp/f; echo b >> /tmp/f; cat /tmp/f | wc -l; grep b /tmp/f && echo yes; cat /nope || echo no; ls /tmp | head -1");
    expect(r.out).toBe("2\nb\nyes\nno\nf\n");
    expect(r.err).toBe("cat: can't open '/nope': No such file or directory\n");
  });

  it("exit codes: exit N, not found 127, syntax error 2", async () => {
    expect((await run(busybox, "exit 7")).code).toBe(7);
    expect(await run(busybox, "nosuch")).toEqual({ out: "", err: "sh: nosuch: not found\n", code: 127 });
    expect((await run(busybox, "if then")).code).toBe(2);
  });

  it("loops and tests", async () => {
    expect((await run(busybox, "for i in 1 2 3; do [ $i -ge 2 ] && echo $i; done; i=0; while [ $i -lt 2 ]; do i=$((i+1)); done; echo $i")).out).toBe("2\n3\n2\n");
  });

  it("sleeps on the clock", async () => {
    let done = false;
    const pending = run(busybox, "sleep 5; echo woke").then((r) => ((done = true), r));
    await new Promise((resolve) => setImmediate(resolve));
    clock.advance(4000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false);
    clock.advance(1000);
    expect((await pending).out).toBe("woke\n");
  });

  it("reads stdin", async () => {
    expect((await run(busybox, "cat | grep -c x", "x\ny\nx\n")).out).toBe("2\n");
  });
});

describe("container filesystem", () => {
  it("shares emptyDir between containers, keeps it across restarts, loses other writes", async () => {
    const { runtime } = setup();
    const p = pod({ volumes: [{ name: "d", emptyDir: {} }] as never, containers: [
      { name: "a", image: "busybox", command: ["sleep", "3600"], volumeMounts: [{ name: "d", mountPath: "/data" }] },
      { name: "b", image: "alpine", command: ["sleep", "3600"], volumeMounts: [{ name: "d", mountPath: "/shared" }] },
    ] });
    const a = runtime.start(p, 0, () => undefined)!;
    const b = runtime.start(p, 1, () => undefined)!;
    await run(a, "echo kept > /data/x; echo lost > /root/y");
    expect((await run(b, "cat /shared/x")).out).toBe("kept\n");
    const a2 = runtime.start(p, 0, () => undefined)!;
    expect((await run(a2, "cat /data/x; cat /root/y")).out).toBe("kept\n");
    expect(runtime.container(p, "a", true)).toBe(a);
    expect((await run(a2, "mount | grep /data; df | grep -c /data")).out).toBe("/dev/sda1 on /data type ext4 (rw,relatime)\n1\n");
  });

  it("a command's exit code reaches the kubelet callback", async () => {
    const { runtime } = setup();
    const code = await new Promise<number>((resolve) => runtime.start(pod({ containers: [{ name: "c", image: "busybox", command: ["sh", "-c", "echo hi; exit 3"] }] }), 0, resolve));
    expect(code).toBe(3);
  });
});

describe("names: /etc/hosts for programs, DNS for nslookup", () => {
  const clock = new ManualClock(Date.parse("2026-03-01T12:00:00Z"));
  // The cluster DNS knows the Service `web`; only the pod itself (127.0.0.1) answers HTTP and ping.
  const network: ContainerNetwork = {
    resolve: (name) => (name === "web" ? ["10.96.0.20"] : []),
    http: (ip) => (ip === "127.0.0.1" ? { status: 200, headers: {}, body: "it me\n" } : new Error("Connection refused")),
    ping: (ip) => ip === "127.0.0.1" || ip === "10.244.1.5",
  };
  const runtime = new ContainerRuntime({ clock, lookup: () => undefined, network: () => network });
  const box = runtime.start(pod({ containers: [{ name: "c", image: "busybox", command: ["sleep", "3600"] }] }, "box"), 0, () => undefined)!;

  it("curl, wget and ping find localhost and the pod's own name in /etc/hosts", async () => {
    expect((await run(box, "wget -qO- http://localhost/")).out).toBe("it me\n");
    expect((await run(box, "ping -c 1 localhost | head -1; ping -c 1 box | head -1")).out).toBe("PING localhost (127.0.0.1): 56 data bytes\nPING box (10.244.1.5): 56 data bytes\n");
  });

  it("nslookup asks the cluster DNS only: localhost is NXDOMAIN under every search domain, for A and AAAA", async () => {
    const nxdomain = (name: string): string => `** server can't find ${name}: NXDOMAIN\n\n`;
    const searched = ["localhost.default.svc.cluster.local", "localhost.svc.cluster.local", "localhost.cluster.local"];
    expect(await run(box, "nslookup localhost")).toEqual({ out: `Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n${[...searched, ...searched].map(nxdomain).join("")}`, err: "", code: 1 });
    expect((await run(box, "nslookup web")).out).toContain("Name:\tweb.default.svc.cluster.local\nAddress: 10.96.0.20\n");
  });
});
