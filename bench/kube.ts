// Small loopback HTTP helpers shared by the benchmarks: the exact request
// `kubectl get pods` sends, creating pods through the API, and a TCP -> unix
// socket forwarder (what socat does in a learner's sandbox).
import { request as httpRequest, type Agent, type OutgoingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect, createServer, type AddressInfo, type Server } from "node:net";

/** The Accept header kubectl (1.2x-1.3x) sends for `kubectl get <resource>`. */
export const TABLE_ACCEPT =
  "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

/** The path `kubectl get pods` asks for (namespace default, chunked listing). */
export const GET_PODS_PATH = "/api/v1/namespaces/default/pods?limit=500";

/** Where a cluster answers: a URL or its unix socket; with `ca`, over TLS. */
export interface Target {
  url?: string;
  socketPath?: string;
  token?: string;
  /** The cluster CA (PEM): the sim speaks HTTPS on its port and its sockets. */
  ca?: string;
  agent?: Agent;
}

export interface Reply {
  status: number;
  body: Buffer;
}

export function send(target: Target, method: string, path: string, headers: OutgoingHttpHeaders = {}, body?: string): Promise<Reply> {
  const all: OutgoingHttpHeaders = { ...headers };
  if (target.token) all.authorization = `Bearer ${target.token}`;
  if (body !== undefined) {
    all["content-type"] ??= "application/json";
    all["content-length"] = Buffer.byteLength(body);
  }
  const where = target.url ? new URL(target.url) : undefined;
  const request = target.ca || where?.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        method,
        path,
        headers: all,
        agent: target.agent,
        ca: target.ca,
        ...(where ? { host: where.hostname, port: Number(where.port) } : { socketPath: target.socketPath, servername: "localhost" }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** `kubectl get pods`: the Table list with kubectl's Accept header. */
export function getPodsTable(target: Target): Promise<Reply> {
  return send(target, "GET", GET_PODS_PATH, { accept: TABLE_ACCEPT, "user-agent": "kubectl/v1.32.0 (linux/amd64) bench" });
}

/** Create `count` single-container pods in namespace default through the API. */
export async function createPods(target: Target, count: number, image = "nginx"): Promise<void> {
  for (let i = 0; i < count; i++) {
    const name = `bench-${String(i).padStart(3, "0")}`;
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name, labels: { app: "bench" } }, spec: { containers: [{ name: "app", image }] } };
    const reply = await send(target, "POST", "/api/v1/namespaces/default/pods", {}, JSON.stringify(pod));
    if (reply.status !== 201) throw new Error(`creating pod ${name}: HTTP ${reply.status} ${reply.body.toString().slice(0, 200)}`);
  }
}

/** How many pods in namespace default are in each phase. */
export async function podPhases(target: Target): Promise<Record<string, number>> {
  const reply = await send(target, "GET", "/api/v1/namespaces/default/pods", { accept: "application/json" });
  if (reply.status !== 200) throw new Error(`listing pods: HTTP ${reply.status}`);
  const list = JSON.parse(reply.body.toString()) as { items: { status?: { phase?: string } }[] };
  const phases: Record<string, number> = {};
  for (const pod of list.items) {
    const phase = pod.status?.phase ?? "Unknown";
    phases[phase] = (phases[phase] ?? 0) + 1;
  }
  return phases;
}

/** 127.0.0.1:<port> -> the cluster's unix socket, like socat in a sandbox. */
export async function forward(socketPath: string): Promise<{ server: Server; url: string }> {
  const server = createServer((client) => {
    const upstream = connect(socketPath);
    client.pipe(upstream).pipe(client);
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
