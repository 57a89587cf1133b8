// The pods/proxy and services/proxy subresources through real kubectl 1.32:
// `kubectl get --raw`, the CoreDNS URL `kubectl cluster-info` prints, and the
// "Learn Kubernetes Basics" tutorial's `kubectl proxy` + curl.
import { spawn } from "node:child_process";
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NGINX_INDEX } from "../network";
import { advanceClock, startKubectlCluster, type KubectlCluster } from "../test-kubectl";
import { rewriteHtml, splitSchemeNamePort } from "./proxy";

let h: KubectlCluster;

beforeAll(async () => {
  h = await startKubectlCluster("learner-proxy");
  await h.kubectl("create", "deployment", "web", "--image=nginx:1.27", "--port=80");
  await h.kubectl("create", "deployment", "kubernetes-bootcamp", "--image=gcr.io/google-samples/kubernetes-bootcamp:v1");
  await advanceClock(h.clock, 5_000);
  await h.kubectl("expose", "deployment", "web", "--port=80");
  await advanceClock(h.clock, 1_000);
});

afterAll(async () => {
  await h.close();
});

async function podOf(app: string): Promise<{ name: string; ip: string }> {
  const out = (await h.kubectl("get", "pods", "-l", `app=${app}`, "-o", "jsonpath={.items[0].metadata.name} {.items[0].status.podIP}")).stdout;
  const [name = "", ip = ""] = out.split(" ");
  return { name, ip };
}

const raw = (path: string) => h.kubectl("get", "--raw", path);

describe("pods/proxy", () => {
  it("reaches the server in the pod: the first declared port, or the one named", async () => {
    const { name } = await podOf("web");
    expect(await raw(`/api/v1/namespaces/default/pods/${name}/proxy/`)).toEqual({ code: 0, stdout: NGINX_INDEX, stderr: "" });
    expect((await raw(`/api/v1/namespaces/default/pods/http:${name}:80/proxy/index.html`)).stdout).toBe(NGINX_INDEX);
    // nginx's own 404 page is not a Status: kubectl falls back to its generic wording.
    expect(await raw(`/api/v1/namespaces/default/pods/${name}/proxy/nothing-here`)).toEqual({ code: 1, stdout: "", stderr: "Error from server (NotFound): the server could not find the requested resource\n" });
  });

  it("answers 503 with Go's dial error when nothing listens, and 404 for a missing pod", async () => {
    const { name, ip } = await podOf("web");
    expect((await raw(`/api/v1/namespaces/default/pods/${name}:8080/proxy/`)).stderr).toBe(`Error from server (ServiceUnavailable): error trying to reach service: dial tcp ${ip}:8080: connect: connection refused\n`);
    expect((await raw("/api/v1/namespaces/default/pods/ghost/proxy/")).stderr).toBe('Error from server (NotFound): pods "ghost" not found\n');
    expect((await raw("/api/v1/namespaces/default/pods/ftp:ghost:21/proxy/")).stderr).toBe('Error from server (BadRequest): invalid pod request "ftp:ghost:21"\n');
  });
});

describe("services/proxy", () => {
  it("goes to a ready endpoint, by port number, name, or the single unnamed port", async () => {
    for (const id of ["web", "web:80", "http:web:80"]) expect((await raw(`/api/v1/namespaces/default/services/${id}/proxy/`)).stdout, id).toBe(NGINX_INDEX);
    expect((await raw("/api/v1/namespaces/default/services/web:81/proxy/")).stderr).toBe('Error from server (ServiceUnavailable): no service port 81 found for service "web"\n');
    expect((await raw("/api/v1/namespaces/default/services/nope/proxy/")).stderr).toBe('Error from server (NotFound): endpoints "nope" not found\n');
    // The kubernetes Service's only port is named https: no name, no match.
    expect((await raw("/api/v1/namespaces/default/services/kubernetes/proxy/")).stderr).toBe('Error from server (ServiceUnavailable): no endpoints available for service "kubernetes"\n');
  });

  it("the CoreDNS URL of cluster-info: a DNS port does not speak HTTP", async () => {
    const url = (await h.kubectl("cluster-info")).stdout.match(/CoreDNS is running at \S+?(\/api\/\S+)/)?.[1];
    expect(url).toBe("/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy");
    expect(await raw(url ?? "")).toEqual({ code: 1, stdout: "", stderr: "Error from server (ServiceUnavailable): error trying to reach service: EOF\n" });
    expect((await raw("/api/v1/namespaces/kube-system/services/kube-dns:metrics/proxy/metrics")).stdout).toMatch(/^# HELP coredns_build_info /);
  });

  it("answers 503 while the service has no ready endpoint", async () => {
    await h.kubectl("create", "service", "clusterip", "lonely", "--tcp=80:8080");
    await advanceClock(h.clock, 200);
    expect((await raw("/api/v1/namespaces/default/services/lonely:80/proxy/")).stderr).toBe('Error from server (ServiceUnavailable): no endpoints available for service "lonely"\n');
  });
});

/** Start `kubectl proxy` on a free port; resolves with the port and a stop function. */
async function kubectlProxy(): Promise<{ port: string; stop(): void }> {
  const child = spawn("/usr/bin/kubectl", ["--kubeconfig", h.kubeconfig, "proxy", "--port=0"], { env: { NODE_ENV: "test", HOME: h.dir, PATH: "/usr/bin:/bin" } });
  const port = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /^Starting to serve on 127\.0\.0\.1:(\d+)\n/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    child.once("close", () => reject(new Error(`kubectl proxy ended: ${out}`)));
  });
  return { port, stop: () => child.kill("SIGTERM") };
}

/** A plain HTTP GET (what curl does), without following redirects. */
function get(url: string): Promise<{ status: number; location?: string; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }));
    })
      .on("error", reject)
      .end();
  });
}

describe("kubectl proxy + curl, as in Learn Kubernetes Basics", () => {
  it("reaches the tutorial app through pods/<name>:8080/proxy/", async () => {
    const { name } = await podOf("kubernetes-bootcamp");
    const proxy = await kubectlProxy();
    try {
      const base = `http://127.0.0.1:${proxy.port}/api/v1/namespaces/default/pods/${name}:8080/proxy`;
      expect(await get(`${base}/`)).toEqual({ status: 200, location: undefined, body: `Hello Kubernetes bootcamp! | Running on: ${name} | v=1\n` });
      const bare = await get(base);
      expect(bare).toMatchObject({ status: 301, location: `/api/v1/namespaces/default/pods/${name}:8080/proxy/` });
      const dns = await get(`http://127.0.0.1:${proxy.port}/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy/`);
      expect(dns.status).toBe(503);
      expect(JSON.parse(dns.body)).toEqual({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "error trying to reach service: EOF", reason: "ServiceUnavailable", code: 503 });
    } finally {
      proxy.stop();
    }
  });
});

describe("proxy helpers", () => {
  it("reads [scheme:]name[:port] as upstream does", () => {
    expect(splitSchemeNamePort("web")).toEqual({ scheme: "http", name: "web", port: "" });
    expect(splitSchemeNamePort("kube-dns:dns")).toEqual({ scheme: "http", name: "kube-dns", port: "dns" });
    expect(splitSchemeNamePort("https:dashboard:")).toEqual({ scheme: "https", name: "dashboard", port: "" });
    expect(splitSchemeNamePort("ftp:web:21")).toBeUndefined();
    expect(splitSchemeNamePort("a:b:c:d")).toBeUndefined();
    expect(splitSchemeNamePort(":80")).toBeUndefined();
  });

  it("keeps a proxied page's absolute links under the proxy path", () => {
    const prefix = "/api/v1/namespaces/default/services/web/proxy";
    expect(rewriteHtml(prefix, `<a href="/docs/">docs</a> <img src='/logo.png'> <a href="http://nginx.org/">x</a> <a href="rel">y</a>`)).toBe(
      `<a href="${prefix}/docs/">docs</a> <img src='${prefix}/logo.png'> <a href="http://nginx.org/">x</a> <a href="rel">y</a>`,
    );
  });
});
