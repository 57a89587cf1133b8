// What is inside each image of the catalogue: its shell flavour, the programs
// on its PATH, its files, the environment its Dockerfile sets, and what its
// main process prints when it starts (data, next to kubelet/images.ts).
import { corednsStartup, etcdStartup, kubeComponentStartup } from "./component-logs";

/** What a starting main process knows of itself, for its start-up lines. */
export interface ProcessStart {
  hostname: string;
  /** Its command line: the spec's command and args (empty when the image's entrypoint runs without args). */
  argv: string[];
  /** The pod's IP (the node's for hostNetwork pods). */
  podIP: string;
  /** A file of the container's volumes (a mounted config), undefined when there is none. */
  readFile(path: string): string | undefined;
}

export interface ImageContent {
  flavour: "busybox" | "debian";
  programs: string[];
  files: Record<string, string>;
  env: Record<string, string>;
  /** Log lines the image's own main process prints at start (servers), given the start time. */
  startup?: (now: number, start: ProcessStart) => string[];
  /** The process ps shows as PID 1 when the spec gives no command. */
  init: string;
  /** Executables that start the image's own server (its startup lines), e.g. `nginx -g 'daemon off;'`. */
  daemons?: string[];
}

/** Small utilities every image with a shell has as binaries, though our shell runs them as builtins. */
const SHELL_UTILITIES = ["echo", "true", "false", "printf", "pwd", "test", "["];

/** Whether `command` (a name or a path) is an executable of the image. */
export function hasExecutable(image: ImageContent, command: string): boolean {
  const base = command.slice(command.lastIndexOf("/") + 1);
  return image.programs.includes(base) || !!image.daemons?.includes(base) || (image.programs.includes("sh") && SHELL_UTILITIES.includes(base));
}

/**
 * Why the runtime cannot start a container running `command` + `args` (runc's
 * words), or undefined when it can. Without a command the image's entrypoint
 * runs (a server takes `args` as its own); otherwise the first word must be
 * an executable of the image.
 */
export function startFailure(image: ImageContent, command: string[] | undefined, args: string[] | undefined): string | undefined {
  const argv = command?.length ? command : image.startup ? [] : (args ?? []);
  const [first] = argv;
  if (first === undefined || hasExecutable(image, first)) return undefined;
  return first.includes("/") ? `exec: "${first}": stat ${first}: no such file or directory` : `exec: "${first}": executable file not found in $PATH`;
}

const BUSYBOX_PROGRAMS = ["sh", "cat", "ls", "env", "printenv", "hostname", "ps", "sleep", "df", "mount", "touch", "mkdir", "rm", "grep", "head", "tail", "wc", "whoami", "id", "date", "uname", "wget", "nslookup", "ping", "tar"];
const DEBIAN_PROGRAMS = ["sh", "bash", "cat", "ls", "env", "printenv", "hostname", "sleep", "df", "mount", "touch", "mkdir", "rm", "grep", "head", "tail", "wc", "whoami", "id", "date", "uname", "curl", "tar"];

export const NGINX_INDEX = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
`;

const NGINX_DEFAULT_CONF = `server {
    listen       80;
    listen  [::]:80;
    server_name  localhost;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }
}
`;

const DEBIAN_OS = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
`;

const ALPINE_OS = `NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.21.2
PRETTY_NAME="Alpine Linux v3.21"
HOME_URL="https://alpinelinux.org/"
BUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"
`;

const BASE_DIRS = ["/bin/", "/dev/", "/etc/", "/home/", "/lib/", "/proc/", "/root/", "/sys/", "/tmp/", "/usr/bin/", "/usr/sbin/", "/var/log/", "/var/run/"];
const PASSWD = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n";

function stamp(now: number): string {
  return new Date(now).toISOString().replace(/-/g, "/").replace("T", " ").slice(0, 19);
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Apache's error log time: `Sun Mar 01 12:00:00.000000 2026`. */
function apacheTime(now: number): string {
  const d = new Date(now);
  const [hms = "", ms = ""] = d.toISOString().slice(11, 23).split(".");
  return `${DAYS[d.getUTCDay()] ?? ""} ${MONTHS[d.getUTCMonth()] ?? ""} ${String(d.getUTCDate()).padStart(2, "0")} ${hms}.${ms}000 ${d.getUTCFullYear()}`;
}

/** Redis's log time: `01 Mar 2026 12:00:00.000`. */
function redisTime(now: number): string {
  const d = new Date(now);
  return `${String(d.getUTCDate()).padStart(2, "0")} ${MONTHS[d.getUTCMonth()] ?? ""} ${d.getUTCFullYear()} ${d.toISOString().slice(11, 23)}`;
}

function nginx(tag: string): ImageContent {
  const alpine = tag.includes("alpine");
  const version = /^1\.\d+\.\d+$/.test(tag) ? tag : tag.startsWith("1.26") ? "1.26.3" : tag.startsWith("1.25") ? "1.25.5" : tag.startsWith("1.24") ? "1.24.0" : "1.27.3";
  return {
    flavour: alpine ? "busybox" : "debian",
    programs: alpine ? BUSYBOX_PROGRAMS.filter((p) => p !== "ps") : DEBIAN_PROGRAMS,
    files: {
      ...dirs(),
      "/etc/os-release": alpine ? ALPINE_OS : DEBIAN_OS,
      "/etc/passwd": `${PASSWD}nginx:x:101:101:nginx user:/nonexistent:/bin/false\n`,
      "/etc/nginx/nginx.conf": "user  nginx;\nworker_processes  auto;\n\nerror_log  /var/log/nginx/error.log notice;\npid        /var/run/nginx.pid;\n\nevents {\n    worker_connections  1024;\n}\n\nhttp {\n    include       /etc/nginx/mime.types;\n    default_type  application/octet-stream;\n    sendfile        on;\n    keepalive_timeout  65;\n    include /etc/nginx/conf.d/*.conf;\n}\n",
      "/etc/nginx/conf.d/default.conf": NGINX_DEFAULT_CONF,
      "/usr/share/nginx/html/index.html": NGINX_INDEX,
      "/usr/share/nginx/html/50x.html": "<!DOCTYPE html>\n<html>\n<head>\n<title>Error</title>\n</head>\n<body>\n<h1>An error occurred.</h1>\n<p>Sorry, the page you are looking for is currently unavailable.<br/>\nPlease try again later.</p>\n</body>\n</html>\n",
      "/var/log/nginx/access.log": "",
      "/var/log/nginx/error.log": "",
      "/docker-entrypoint.d/": "",
    },
    env: { NGINX_VERSION: version, NJS_VERSION: "0.8.9", PKG_RELEASE: "1~bookworm", PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" },
    init: "nginx: master process nginx -g daemon off;",
    daemons: ["nginx", "docker-entrypoint.sh"],
    startup: (now) => {
      const t = stamp(now);
      return [
        "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
        "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
        "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
        "10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf",
        "10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf",
        "/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh",
        "/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh",
        "/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh",
        "/docker-entrypoint.sh: Configuration complete; ready for start up",
        `${t} [notice] 1#1: using the "epoll" event method`,
        `${t} [notice] 1#1: nginx/${version}`,
        `${t} [notice] 1#1: built by gcc 12.2.0 (Debian 12.2.0-14) `,
        `${t} [notice] 1#1: OS: Linux 5.15.0-131-generic`,
        `${t} [notice] 1#1: getrlimit(RLIMIT_NOFILE): 1048576:1048576`,
        `${t} [notice] 1#1: start worker processes`,
        `${t} [notice] 1#1: start worker process 29`,
        `${t} [notice] 1#1: start worker process 30`,
      ];
    },
  };
}

function dirs(): Record<string, string> {
  return Object.fromEntries(BASE_DIRS.map((d) => [d, ""]));
}

function busybox(alpine: boolean): ImageContent {
  return {
    flavour: "busybox",
    programs: BUSYBOX_PROGRAMS,
    files: { ...dirs(), "/etc/passwd": PASSWD, "/etc/group": "root:x:0:\n", ...(alpine ? { "/etc/os-release": ALPINE_OS, "/etc/alpine-release": "3.21.2\n" } : {}) },
    env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" },
    init: "sh",
  };
}

function server(init: string, daemons: string[], lines: (now: number, start: ProcessStart) => string[]): ImageContent {
  return { flavour: "debian", programs: DEBIAN_PROGRAMS, files: { ...dirs(), "/etc/os-release": DEBIAN_OS, "/etc/passwd": PASSWD }, env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" }, init, daemons, startup: lines };
}

/** perl:5.x, Debian with perl (its default command, `perl -de0`, exits at once without a terminal). */
function perlImage(): ImageContent {
  return { flavour: "debian", programs: [...DEBIAN_PROGRAMS, "perl", "wget"], files: { ...dirs(), "/etc/os-release": DEBIAN_OS, "/etc/passwd": PASSWD }, env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" }, init: "perl" };
}

const JESSIE_OS = `PRETTY_NAME="Debian GNU/Linux 8 (jessie)"
NAME="Debian GNU/Linux"
VERSION_ID="8"
VERSION="8 (jessie)"
ID=debian
HOME_URL="http://www.debian.org/"
SUPPORT_URL="http://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
`;

/** The tutorial app's source as the image ships it in its working directory (our own wording of the same behaviour). */
function bootcampServer(version: string): string {
  return `var http = require('http');
var requests = 0;
var startTime;
var host;
var handleRequest = function (request, response) {
  response.setHeader('Content-Type', 'text/plain');
  response.writeHead(200);
  response.write("Hello Kubernetes bootcamp! | Running on: ");
  response.write(host);
  response.end(" | v=${version}\\n");
  console.log("Running On:", host, "| Total Requests:", ++requests, "| App Uptime:", (new Date() - startTime) / 1000, "seconds", "| Log Time:", new Date());
};
var www = http.createServer(handleRequest);
www.listen(8080, function () {
  startTime = new Date();
  host = process.env.HOSTNAME;
  console.log("Kubernetes Bootcamp App Started At:", startTime, "| Running On: ", host, "\\n");
});
`;
}

/** The "Learn Kubernetes Basics" image: node on Debian jessie running `node server.js` from /, answering on 8080. */
function bootcamp(tag: string): ImageContent {
  const version = tag.replace(/^v/, "");
  return {
    flavour: "debian",
    programs: [...DEBIAN_PROGRAMS, "wget", "ps"],
    files: { ...dirs(), "/etc/os-release": JESSIE_OS, "/etc/passwd": PASSWD, "/server.js": bootcampServer(version) },
    env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", NPM_CONFIG_LOGLEVEL: "info", NODE_VERSION: "6.3.1" },
    init: "/bin/sh -c node server.js",
    daemons: ["node"],
    // console.log of (text, Date, text, host, "\n"): space-joined, so the host is followed by " " and a blank line.
    startup: (now, { hostname }) => [`Kubernetes Bootcamp App Started At: ${new Date(now).toISOString()} | Running On:  ${hostname} `, ""],
  };
}

/**
 * registry.k8s.io/etcd: distroless, so no shell (`kubectl exec ... -- sh` fails
 * as upstream); etcd, etcdctl and etcdutl in /usr/local/bin. The sim adds
 * `tar`, which the real image lacks, so that `kubectl cp` can copy a snapshot
 * out (learners have no shell on the node to fetch it from /var/lib/etcd).
 */
function etcd(tag: string): ImageContent {
  const version = tag.replace(/-\d+$/, "");
  return {
    flavour: "busybox",
    programs: ["etcdctl", "etcdutl", "tar"],
    files: {
      "/etc/os-release": 'PRETTY_NAME="Distroless"\nNAME="Debian GNU/Linux"\nID="debian"\nVERSION_ID="12"\nVERSION="Debian GNU/Linux 12 (bookworm)"\nHOME_URL="https://github.com/GoogleContainerTools/distroless"\n',
      "/etc/passwd": PASSWD,
      "/tmp/": "",
      "/var/lib/etcd/": "",
      "/usr/local/bin/etcd": "",
      "/usr/local/bin/etcdctl": "",
      "/usr/local/bin/etcdutl": "",
    },
    env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" },
    init: "etcd",
    daemons: ["etcd"],
    startup: (now, start) => etcdStartup(version, now, start),
  };
}

/** The content of `repository` (catalogue key: nginx, busybox, ...) at `tag`. */
export function imageContent(key: string, tag: string): ImageContent {
  switch (key) {
    case "nginx":
      return nginx(tag);
    case "busybox":
    case "registry.k8s.io/busybox":
      return busybox(false);
    case "docker.io/polinux/stress":
      // Alpine with stress built in /usr/local/bin.
      return { ...busybox(true), programs: [...BUSYBOX_PROGRAMS, "stress"] };
    case "alpine":
      return busybox(true);
    case "httpd":
      return server("httpd -DFOREGROUND", ["httpd", "httpd-foreground"], (now, { podIP }) => {
        const fqdn = `AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using ${podIP}. Set the 'ServerName' directive globally to suppress this message`;
        return [fqdn, fqdn, `[${apacheTime(now)}] [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.62 (Unix) configured -- resuming normal operations`, `[${apacheTime(now)}] [core:notice] [pid 1:tid 1] AH00094: Command line: 'httpd -D FOREGROUND'`];
      });
    case "redis":
      return server("redis-server *:6379", ["redis-server", "docker-entrypoint.sh"], (now) => {
        const t = redisTime(now);
        return [
          `1:C ${t} * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo`,
          `1:C ${t} * Redis version=7.4.1, bits=64, commit=00000000, modified=0, pid=1, just started`,
          `1:C ${t} # Warning: no config file specified, using the default config. In order to specify a config file use redis-server /path/to/redis.conf`,
          `1:M ${t} * monotonic clock: POSIX clock_gettime`,
          `1:M ${t} * Running mode=standalone, port=6379.`,
          `1:M ${t} * Server initialized`,
          `1:M ${t} * Ready to accept connections tcp`,
        ];
      });
    case "postgres":
      return server("postgres", ["postgres", "docker-entrypoint.sh"], (now) => [`${new Date(now).toISOString().replace("T", " ").slice(0, 23)} UTC [1] LOG:  database system is ready to accept connections`]);
    case "mysql":
      return server("mysqld", ["mysqld", "docker-entrypoint.sh"], (now) => [`${new Date(now).toISOString().replace(/Z$/, "000Z")} 0 [System] [MY-010931] [Server] /usr/sbin/mysqld: ready for connections. Version: '8.4.3'  socket: '/var/run/mysqld/mysqld.sock'  port: 3306  MySQL Community Server - GPL.`]);
    case "gcr.io/google-samples/kubernetes-bootcamp":
    case "docker.io/jocatalin/kubernetes-bootcamp":
      return bootcamp(tag);
    case "registry.k8s.io/etcd":
      return etcd(tag);
    case "registry.k8s.io/coredns/coredns":
      return { ...singleBinary("coredns"), startup: (_now, start) => corednsStartup(tag.replace(/^v/, ""), start) };
    case "perl":
      return perlImage();
    case "ubuntu":
      return { ...server("bash", [], () => []), startup: undefined, files: { ...dirs(), "/etc/os-release": 'PRETTY_NAME="Ubuntu 24.04.1 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\nID=ubuntu\n', "/etc/passwd": PASSWD } };
    default: {
      const name = key.slice(key.lastIndexOf("/") + 1);
      const component = key.startsWith("registry.k8s.io/") ? kubeComponentStartup(name, tag) : undefined;
      return component ? { ...singleBinary(name), startup: component } : singleBinary(name);
    }
  }
}

/** A single-binary server (pause, agnhost, http-echo, the control plane): its one executable is named after the image. */
function singleBinary(name: string): ImageContent {
  return { ...busybox(false), programs: [], init: `/${name}`, daemons: [name], startup: () => [] };
}
