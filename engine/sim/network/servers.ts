// What listens inside a simulated container, by image: the port(s) the
// image's default process binds (whatever `containerPort` says: that field is
// informational) and how it answers an HTTP request. nginx and httpd answer
// with their real default pages, echo servers echo, agnhost netexec answers
// /hostname; databases listen but do not speak HTTP.
import { parseImage } from "../kubelet/images";
import type { Container, Pod } from "../types";
import { NGINX_INDEX } from "../container/images";

export interface HttpRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** Source address the server sees. */
  clientIP: string;
  scheme: "http" | "https";
  now: number;
}

export interface HttpReply {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: string;
}

/** An answer, or a protocol failure the client sees (`empty-reply`: curl (52); `tls`: curl (35)). */
export type ServerAnswer = { reply: HttpReply } | { failure: "empty-reply" | "tls" | "plain-to-https" };

export interface Listener {
  port: number;
  protocol: "TCP" | "UDP";
  /** Short name of what listens, for `ss`/`netstat`-like output. */
  process: string;
  /** `files` reads the serving container's filesystem (absent without a container runtime). */
  serve(request: HttpRequest, pod: Pod, container: Container, files?: FileReader): ServerAnswer;
}

/** A file's content in a container's filesystem; undefined for a missing path or a directory. */
export type FileReader = (path: string) => string | undefined;

const STATUS_TEXT: Record<number, string> = { 200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 500: "Internal Server Error" };

/** nginx serves the page its image ships (one copy, in the container image catalogue). */
export { NGINX_INDEX };

export const HTTPD_INDEX = "<html><body><h1>It works!</h1></body></html>\n";

function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

function reply(status: number, headers: Record<string, string>, body: string): ServerAnswer {
  return { reply: { status, statusText: STATUS_TEXT[status] ?? "", headers: { ...headers, "Content-Length": String(Buffer.byteLength(body)) }, body } };
}

function nginxVersion(tag: string): string {
  if (/^\d+\.\d+\.\d+/.test(tag)) return tag.replace(/-.*$/, "");
  const minor = /^(\d+\.\d+)/.exec(tag)?.[1];
  const known: Record<string, string> = { "1.27": "1.27.3", "1.26": "1.26.2", "1.25": "1.25.5", "1.24": "1.24.0" };
  if (minor) return known[minor] ?? `${minor}.0`;
  return tag === "stable" ? "1.26.2" : "1.27.3";
}

const nginx = (version: string): Listener => ({
  port: 80,
  protocol: "TCP",
  process: "nginx",
  serve(req, _pod, _container, files) {
    const base = { Server: `nginx/${version}`, Date: httpDate(req.now) };
    if (req.scheme === "https") return { failure: "tls" };
    // The default server's root: whatever the container holds there (a volume mounted over it included).
    const path = (req.path.split("?")[0] ?? "/").replace(/\/$/, "/index.html");
    const page = files ? files(`/usr/share/nginx/html${path}`) : path === "/index.html" ? NGINX_INDEX : undefined;
    if (page === NGINX_INDEX) {
      return reply(200, { ...base, "Content-Type": "text/html", "Last-Modified": "Tue, 26 Nov 2024 15:55:00 GMT", Connection: "keep-alive", ETag: '"6745ef54-267"', "Accept-Ranges": "bytes" }, NGINX_INDEX);
    }
    if (page !== undefined) return reply(200, { ...base, "Content-Type": path.endsWith(".html") ? "text/html" : "text/plain", Connection: "keep-alive", "Accept-Ranges": "bytes" }, page);
    return reply(404, { ...base, "Content-Type": "text/html", Connection: "keep-alive" }, `<html>\n<head><title>404 Not Found</title></head>\n<body>\n<center><h1>404 Not Found</h1></center>\n<hr><center>nginx/${version}</center>\n</body>\n</html>\n`);
  },
});

const httpd: Listener = {
  port: 80,
  protocol: "TCP",
  process: "httpd",
  serve(req) {
    const base = { Date: httpDate(req.now), Server: "Apache/2.4.62 (Unix)" };
    if (req.scheme === "https") return { failure: "tls" };
    if (req.path === "/" || req.path === "/index.html") return reply(200, { ...base, "Last-Modified": "Mon, 11 Jun 2007 18:53:14 GMT", ETag: '"2d-432a5e4a73a80"', "Accept-Ranges": "bytes", "Content-Type": "text/html" }, HTTPD_INDEX);
    return reply(404, { ...base, "Content-Type": "text/html; charset=iso-8859-1" }, `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n</body></html>\n`);
  },
};

/** A listener that accepts connections but does not speak HTTP (curl: Empty reply from server). */
const raw = (port: number, process: string, protocol: "TCP" | "UDP" = "TCP"): Listener => ({ port, protocol, process, serve: () => ({ failure: "empty-reply" }) });

const text = (port: number, process: string, body: (req: HttpRequest, pod: Pod) => string, contentType = "text/plain; charset=utf-8"): Listener => ({
  port,
  protocol: "TCP",
  process,
  serve(req, pod) {
    if (req.scheme === "https") return { failure: "tls" };
    return reply(200, { "Content-Type": contentType, Date: httpDate(req.now) }, body(req, pod));
  },
});

const apiServer: Listener = {
  port: 6443,
  protocol: "TCP",
  process: "kube-apiserver",
  serve(req) {
    if (req.scheme === "http") return { failure: "plain-to-https" };
    const status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: `forbidden: User "system:anonymous" cannot get path "${req.path}"`, reason: "Forbidden", details: {}, code: 403 };
    return reply(403, { "Content-Type": "application/json", Date: httpDate(req.now) }, `${JSON.stringify(status, null, 2)}\n`);
  },
};

/** Seconds since `container` of `pod` last started (0 when not running). */
function runningFor(pod: Pod, container: Container, now: number): number {
  const startedAt = pod.status?.containerStatuses?.find((s) => s.name === container.name)?.state?.running?.startedAt;
  return startedAt ? (now - Date.parse(startedAt)) / 1000 : 0;
}

/** `agnhost liveness` (the liveness HTTP tutorial): /healthz answers 200 for the first 10 s of the container, then 500. */
const agnhostLiveness: Listener = {
  port: 8080,
  protocol: "TCP",
  process: "agnhost",
  serve(req, pod, container) {
    if (req.scheme === "https") return { failure: "tls" };
    const base = { Date: httpDate(req.now), "Content-Type": "text/plain; charset=utf-8" };
    const seconds = runningFor(pod, container, req.now);
    const path = req.path.split("?")[0];
    if (path === "/started") return reply(200, base, `started: ${seconds}`);
    if (path === "/healthz") return seconds < 10 ? reply(200, base, "ok") : reply(500, base, `error: ${seconds}`);
    return reply(404, { ...base, "X-Content-Type-Options": "nosniff" }, "404 page not found\n");
  },
};

/** `--flag=value` or `--flag value` (also single dash) in a command line. */
function flag(args: string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? "";
    const bare = a.replace(/^--?/, "");
    if (bare.startsWith(`${name}=`)) return bare.slice(name.length + 1);
    if (bare === name && a.startsWith("-")) return args[i + 1];
  }
  return undefined;
}

function envOf(container: Container, name: string): string | undefined {
  const env = container.env as { name: string; value?: string }[] | undefined;
  return env?.find((e) => e.name === name)?.value;
}

function echoJson(req: HttpRequest, pod: Pod): string {
  const body = {
    host: { hostname: req.headers.host ?? "", ip: req.clientIP, ips: [] },
    http: { method: req.method, baseUrl: "", originalUrl: req.path, protocol: "http" },
    request: { params: { "0": req.path.split("?")[0] }, query: {}, cookies: {}, body: {}, headers: req.headers },
    environment: { HOSTNAME: pod.metadata.name ?? "" },
  };
  return JSON.stringify(body);
}

function echoserverText(req: HttpRequest, pod: Pod): string {
  const headers = Object.entries(req.headers).map(([k, v]) => `\t${k}=${v}`).join("\n");
  return `\n\nHostname: ${pod.metadata.name ?? ""}\n\nPod Information:\n\t-no pod information available-\n\nServer values:\n\tserver_version=nginx: 1.13.3 - lua: 10008\n\nRequest Information:\n\tclient_address=${req.clientIP}\n\tmethod=${req.method}\n\treal path=${req.path}\n\tquery=\n\trequest_version=1.1\n\trequest_scheme=http\n\trequest_uri=http://${req.headers.host ?? ""}:8080${req.path}\n\nRequest Headers:\n${headers}\n\nRequest Body:\n\t-no body in request-\n\n`;
}

/** The catalogue key of an image: its repository without `docker.io/library/`. */
export function imageKey(image: string | undefined): string {
  return parseImage(image ?? "").repository.replace(/^docker\.io\/library\//, "");
}

/** What the container's process listens on, from its image and command line. */
export function listenersOf(container: Container): Listener[] {
  const ref = parseImage(container.image ?? "");
  const key = imageKey(container.image);
  const command = container.command ?? [];
  const args = container.args ?? [];
  const line = [...command, ...args];
  // An overridden entrypoint runs something else (sleep, sh -c ...): nothing of the image's server.
  const overridden = (binary: string): boolean => command.length > 0 && !command.some((c) => c.includes(binary));
  switch (key) {
    case "nginx":
      return overridden("nginx") ? [] : [nginx(nginxVersion(ref.tag))];
    case "httpd":
      return overridden("httpd") ? [] : [httpd];
    case "redis":
      return overridden("redis") ? [] : [raw(Number(flag(line, "port") ?? 6379), "redis-server")];
    case "postgres":
      return overridden("postgres") ? [] : [raw(5432, "postgres")];
    case "mysql":
      return overridden("mysql") ? [] : [raw(3306, "mysqld"), raw(33060, "mysqld")];
    case "registry.k8s.io/coredns/coredns":
      return [raw(53, "coredns", "UDP"), raw(53, "coredns"), text(8080, "coredns", () => "OK"), text(8181, "coredns", () => "OK"), text(9153, "coredns", () => "# HELP coredns_build_info A metric with a constant '1' value labeled by version, revision, and goversion from which CoreDNS was built.\n")];
    case "registry.k8s.io/kube-apiserver":
      return [apiServer];
    case "registry.k8s.io/etcd":
      return [raw(2379, "etcd"), raw(2380, "etcd")];
    case "registry.k8s.io/kube-proxy":
      return [text(10249, "kube-proxy", () => "ok"), text(10256, "kube-proxy", () => '{"lastUpdated":"","currentTime":""}', "application/json")];
    case "docker.io/hashicorp/http-echo": {
      const listen = flag(line, "listen") ?? ":5678";
      const port = Number(listen.slice(listen.lastIndexOf(":") + 1)) || 5678;
      return [text(port, "http-echo", () => `${flag(line, "text") ?? "hello-world"}\n`)];
    }
    case "docker.io/ealen/echo-server":
      return [text(Number(envOf(container, "PORT") ?? 80) || 80, "node", echoJson, "application/json; charset=utf-8")];
    case "registry.k8s.io/echoserver":
      return [text(8080, "nginx", echoserverText)];
    case "gcr.io/google-samples/kubernetes-bootcamp":
    case "docker.io/jocatalin/kubernetes-bootcamp":
      // The tutorial app: the same line for every path, naming the pod and the image's version.
      return overridden("node") ? [] : [text(8080, "node", (_req, pod) => `Hello Kubernetes bootcamp! | Running on: ${pod.metadata.name ?? ""} | v=${ref.tag.replace(/^v/, "")}\n`, "text/plain")];
    case "registry.k8s.io/goproxy":
      // An HTTP proxy: a plain request for its own URL is not a proxy request.
      return [{ port: 8080, protocol: "TCP", process: "goproxy", serve: (req) => reply(500, { Date: httpDate(req.now), "Content-Type": "text/plain; charset=utf-8" }, "This is a proxy server. Does not respond to non-proxy requests.\n") }];
    case "registry.k8s.io/e2e-test-images/agnhost": {
      if (args[0] === "serve-hostname" || command.includes("serve-hostname")) return [text(Number(flag(line, "port") ?? 9376), "agnhost", (_req, pod) => pod.metadata.name ?? "")];
      if (args[0] === "liveness" || command.includes("liveness")) return [agnhostLiveness];
      if (args[0] !== "netexec" && !command.includes("netexec")) return [];
      return [
        text(Number(flag(line, "http-port") ?? 8080), "agnhost", (req, pod) => {
          const [pathname, query = ""] = req.path.split("?");
          if (pathname === "/hostname") return pod.metadata.name ?? "";
          if (pathname === "/clientip") return `${req.clientIP}:${40000 + (req.now % 20000)}`;
          if (pathname === "/echo") return decodeURIComponent(new URLSearchParams(query).get("msg") ?? "");
          return `NOW: ${new Date(req.now).toISOString()}`;
        }),
      ];
    }
    case "busybox": {
      // `httpd -f -p 8080` (busybox's own web server) serves an empty directory.
      const at = line.findIndex((w) => w === "httpd" || w.endsWith("/httpd"));
      if (at < 0) return [];
      const port = Number(flag(line.slice(at), "p") ?? 80) || 80;
      return [
        {
          port,
          protocol: "TCP",
          process: "httpd",
          serve: (req) => reply(404, { Date: httpDate(req.now), Connection: "close", "Content-type": "text/html" }, "<HTML><HEAD><TITLE>404 Not Found</TITLE></HEAD>\n<BODY><H1>404 Not Found</H1>\nThe requested URL was not found\n</BODY></HTML>\n"),
        },
      ];
    }
    default:
      return [];
  }
}
