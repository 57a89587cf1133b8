// Port-forward: the real kubectl 1.32 (SPDY in websocket, and its plain SPDY
// fallback) reaching the simulated nginx through a local port, and the
// server end at the protocol level with our own SPDY client.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { Agent, createServer, get, type IncomingHttpHeaders, type Server } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import { advanceClock, startKubectlCluster, until, type KubectlCluster } from "../../test-kubectl";
import { testCluster, type TestCluster } from "../../controllers/test-cluster";
import { PortForwardServer } from "./portforward";
import { FrameReader, RST_STATUS, SpdyFramer, type SpdyFrame } from "./spdy";

interface Forwarding {
  child: ChildProcessWithoutNullStreams;
  localPort: number;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
}

interface Fetched {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  reusedSocket: boolean;
}

/** GET http://127.0.0.1:port/path; a fresh connection unless an agent is given. */
function fetchLocal(port: number, path = "/", agent: Agent | false = false): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const req = get({ host: "127.0.0.1", port, path, agent }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, reusedSocket: req.reusedSocket }));
    });
    req.on("error", reject);
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("kubectl port-forward", () => {
  let sim: KubectlCluster;
  const running: Forwarding[] = [];

  /** Start `kubectl port-forward ...` and wait for its `Forwarding from 127.0.0.1:<port> -> <remote>` line. */
  async function portForward(args: string[], env: Record<string, string> = {}): Promise<Forwarding> {
    const child = spawn("/usr/bin/kubectl", ["--kubeconfig", sim.kubeconfig, "port-forward", ...args], { env: { NODE_ENV: "test" as const, HOME: sim.dir, PATH: "/usr/bin:/bin", ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    let done = false;
    void exited.then(() => (done = true));
    const forwarding: Forwarding = { child, localPort: 0, stdout: () => stdout, stderr: () => stderr, exited };
    running.push(forwarding);
    await until(() => done || /^Forwarding from 127\.0\.0\.1:\d+ -> \d+$/m.test(stdout), "kubectl port-forward to listen");
    if (done) throw new Error(`kubectl port-forward exited: ${stderr}`);
    forwarding.localPort = Number(/^Forwarding from 127\.0\.0\.1:(\d+) -> /m.exec(stdout)?.[1]);
    return forwarding;
  }

  async function interrupt(forwarding: Forwarding): Promise<number | null> {
    forwarding.child.kill("SIGINT");
    return forwarding.exited;
  }

  beforeAll(async () => {
    sim = await startKubectlCluster("learner-portforward");
    expect((await sim.kubectl("run", "web", "--image=nginx")).code).toBe(0);
    expect((await sim.kubectl("expose", "pod", "web", "--name=web-svc", "--port=8080", "--target-port=80")).stdout).toBe("service/web-svc exposed\n");
    await advanceClock(sim.clock, 5000, 100);
    expect((await sim.kubectl("get", "pod", "web", "-o", "jsonpath={.status.phase}")).stdout).toBe("Running");
  });

  afterAll(async () => {
    for (const forwarding of running) forwarding.child.kill("SIGKILL");
    await Promise.all(running.map((f) => f.exited));
    await sim.close();
  });

  it("forwards a local port to nginx in the pod and exits cleanly on Ctrl-C", async () => {
    const local = await freePort();
    const forwarding = await portForward(["pod/web", `${local}:80`]);
    expect(forwarding.localPort).toBe(local);
    expect(forwarding.stdout()).toContain(`Forwarding from 127.0.0.1:${local} -> 80\n`);
    const page = await fetchLocal(local);
    expect(page.status).toBe(200);
    expect(page.headers.server).toBe("nginx/1.27.3");
    expect(page.headers["content-length"]).toBe("615");
    expect(page.body).toContain("<title>Welcome to nginx!</title>");
    const missing = await fetchLocal(local, "/nope");
    expect(missing.status).toBe(404);
    expect(missing.body).toContain("<center>nginx/1.27.3</center>");
    expect(forwarding.stdout()).toContain(`Handling connection for ${local}\n`);
    expect(await interrupt(forwarding)).toBe(0);
    expect(forwarding.stderr()).toBe("");
  });

  it("serves parallel connections and keep-alive requests on one connection", async () => {
    const forwarding = await portForward(["pod/web", ":80"]);
    const pages = await Promise.all([fetchLocal(forwarding.localPort), fetchLocal(forwarding.localPort, "/index.html")]);
    expect(pages.map((p) => p.status)).toEqual([200, 200]);
    expect(pages.every((p) => p.body.includes("Welcome to nginx!"))).toBe(true);

    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const first = await fetchLocal(forwarding.localPort, "/", agent);
    const second = await fetchLocal(forwarding.localPort, "/", agent);
    agent.destroy();
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(first.headers.connection).toBe("keep-alive");
    expect(second.reusedSocket).toBe(true);
    expect(await interrupt(forwarding)).toBe(0);
  });

  it("forwards to a pod behind a Service (kubectl resolves it to the target port)", async () => {
    const forwarding = await portForward(["svc/web-svc", ":8080"]);
    expect(forwarding.stdout()).toMatch(/^Forwarding from 127\.0\.0\.1:\d+ -> 80$/m);
    const page = await fetchLocal(forwarding.localPort);
    expect(page.body).toContain("<title>Welcome to nginx!</title>");
    expect(await interrupt(forwarding)).toBe(0);
  });

  it("falls back to plain SPDY when websockets are off", async () => {
    const forwarding = await portForward(["pod/web", ":80"], { KUBECTL_PORT_FORWARD_WEBSOCKETS: "false" });
    const pages = await Promise.all([fetchLocal(forwarding.localPort), fetchLocal(forwarding.localPort)]);
    expect(pages.map((p) => p.status)).toEqual([200, 200]);
    expect(await interrupt(forwarding)).toBe(0);
  });

  it("reports a port nothing listens on as the kubelet does, then loses the connection", async () => {
    const forwarding = await portForward(["pod/web", ":8080"]);
    await expect(fetchLocal(forwarding.localPort)).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(await forwarding.exited).toBe(1);
    const local = forwarding.localPort;
    expect(forwarding.stderr()).toMatch(
      new RegExp(
        `portforward\\.go:\\d+\\] "Unhandled Error" err="an error occurred forwarding ${local} -> 8080: error forwarding port 8080 to pod [0-9a-f]{64}, uid : failed to execute portforward in network namespace \\\\"/var/run/netns/cni-[0-9a-f-]{36}\\\\": failed to connect to localhost:8080 inside namespace \\\\"[0-9a-f]{64}\\\\", IPv4: dial tcp4 127\\.0\\.0\\.1:8080: connect: connection refused IPv6 dial tcp6: address localhost: no suitable address found "\n`,
      ),
    );
    expect(forwarding.stderr()).toMatch(/\nerror: lost connection to pod\n$/);
  });

  it("answers a request that is not an upgrade with upstream's 400", async () => {
    const res = await sim.api("/api/v1/namespaces/default/pods/web/portforward");
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toBe("Upgrade request required");
  });
});

/** A minimal SPDY client over the plain upgrade: sends frames, collects the server's. */
class SpdyTestClient {
  readonly frames: SpdyFrame[] = [];
  private readonly framer = new SpdyFramer();
  private readonly reader = new FrameReader();
  private decoding: Promise<void> = Promise.resolve();

  private constructor(
    private readonly socket: Socket,
    readonly response: string,
  ) {}

  static async open(port: number, path: string, protocol = "portforward.k8s.io"): Promise<SpdyTestClient> {
    const socket = connect(port, "127.0.0.1");
    socket.write(`POST ${path} HTTP/1.1\r\nHost: sim\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\nContent-Length: 0\r\n\r\n`);
    let received = Buffer.alloc(0);
    const response = await new Promise<{ head: string; rest: Buffer }>((resolve) => {
      const onData = (chunk: Buffer): void => {
        received = Buffer.concat([received, chunk]);
        const end = received.indexOf("\r\n\r\n");
        if (end < 0) return;
        socket.off("data", onData);
        resolve({ head: received.subarray(0, end).toString("latin1"), rest: received.subarray(end + 4) });
      };
      socket.on("data", onData);
    });
    const client = new SpdyTestClient(socket, response.head);
    socket.on("data", (chunk: Buffer) => client.receive(chunk));
    client.receive(response.rest);
    return client;
  }

  async send(frame: SpdyFrame): Promise<void> {
    this.socket.write(await this.framer.encode(frame));
  }

  /** Data the server sent on a stream, and whether it closed it. */
  stream(id: number): { text: string; fin: boolean } {
    const data = this.frames.filter((f): f is Extract<SpdyFrame, { kind: "data" }> => f.kind === "data" && f.streamId === id);
    return { text: Buffer.concat(data.map((f) => f.data)).toString("utf8"), fin: data.some((f) => f.fin) };
  }

  close(): void {
    this.socket.end();
    this.framer.close();
  }

  private receive(chunk: Buffer): void {
    for (const raw of this.reader.push(chunk)) {
      this.decoding = this.decoding.then(async () => void this.frames.push(await this.framer.decode(raw)));
    }
  }
}

describe("port-forward protocol (plain SPDY)", () => {
  let t: TestCluster;
  let portForwards: PortForwardServer;
  let server: Server;
  let port: number;
  const path = "/api/v1/namespaces/default/pods/web/portforward";

  beforeAll(async () => {
    t = await testCluster();
    t.create("", "pods", { apiVersion: "v1", kind: "Pod", metadata: { name: "web" }, spec: { containers: [{ name: "web", image: "nginx" }] } });
    await t.advance(5000);
    portForwards = new PortForwardServer({ service: t.cluster.service, registry: t.cluster.registry, network: t.cluster.network });
    server = createServer().on("upgrade", (req, socket, head) => portForwards.upgrade(req, socket, head));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    portForwards.closeAll();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    t.cluster.dispose();
  });

  it("pairs streams by request id, answers HTTP on the data stream and errors on the error stream", async () => {
    const client = await SpdyTestClient.open(port, path);
    expect(client.response.split("\r\n")).toEqual(["HTTP/1.1 101 Switching Protocols", "Connection: Upgrade", "Upgrade: SPDY/3.1", "X-Stream-Protocol-Version: portforward.k8s.io"]);
    const open = (streamId: number, streamType: string, requestID: string, forwarded = "80"): Promise<void> =>
      client.send({ kind: "synStream", streamId, associatedTo: 0, priority: 0, flags: 0, headers: { streamtype: [streamType], port: [forwarded], requestid: [requestID] } });

    await open(1, "error", "0");
    await open(3, "data", "0");
    await client.send({ kind: "data", streamId: 3, fin: false, data: Buffer.from("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n") });
    await until(() => client.stream(3).fin && client.stream(1).fin, "the forwarded connection to end");
    expect(client.frames.filter((f) => f.kind === "synReply").map((f) => f.kind === "synReply" && f.streamId)).toEqual([1, 3]);
    expect(client.stream(3).text).toMatch(/^HTTP\/1\.1 200 OK\r\nServer: nginx\/1\.27\.3\r\n[^]*\r\nConnection: close\r\n[^]*<title>Welcome to nginx!<\/title>/);
    expect(client.stream(1).text).toBe("");

    await client.send({ kind: "synStream", streamId: 5, associatedTo: 0, priority: 0, flags: 0, headers: { streamtype: ["data"] } });
    await client.send({ kind: "ping", id: 7 });
    await open(9, "data", "1", "8080");
    await open(11, "error", "1", "8080");
    await until(() => client.stream(11).fin, "the refused connection's error");
    expect(client.frames).toContainEqual({ kind: "rstStream", streamId: 5, status: RST_STATUS.cancel });
    expect(client.frames).toContainEqual({ kind: "ping", id: 7 });
    expect(client.stream(11).text).toContain("failed to connect to localhost:8080 inside namespace");
    expect(client.stream(9)).toEqual({ text: "", fin: true });

    expect(portForwards.openSessions).toBe(1);
    client.close();
    await until(() => portForwards.openSessions === 0, "the session to close");
  });

  it("refuses a protocol it does not speak, and pods that do not exist", async () => {
    const wrong = await SpdyTestClient.open(port, path, "v9.portforward.example");
    expect(wrong.response.split("\r\n")[0]).toBe("HTTP/1.1 403 Forbidden");
    wrong.close();
    const missing = await SpdyTestClient.open(port, "/api/v1/namespaces/default/pods/nope/portforward");
    expect(missing.response.split("\r\n")[0]).toBe("HTTP/1.1 404 Not Found");
    missing.close();
  });
});
