// Conformance: the cluster-wide commands (explain, api-resources, api-versions,
// auth can-i, top, cluster-info, get --raw, proxy, version) against one
// `npm run sim` cluster, asserting what kubectl prints.
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lines, startSim, type Sim } from "./harness";

let sim: Sim;

beforeAll(async () => {
  sim = await startSim();
});

afterAll(async () => {
  await sim?.stop();
});

describe("kubectl explain", () => {
  it("explains a field with its type, enum and description", async () => {
    const out = lines(await sim.ok("explain", "pod.spec.restartPolicy"));
    expect(out.slice(0, 5)).toEqual(["KIND:       Pod", "VERSION:    v1", "", "FIELD: restartPolicy <string>", "ENUM:"]);
    expect(out.slice(5, 8).map((l) => l.trim())).toEqual(["Always", "Never", "OnFailure"]);
    expect(out).toContain("DESCRIPTION:");
  });

  it("explains a kind with its group and fields", async () => {
    const out = lines(await sim.ok("explain", "deployment"));
    expect(out.slice(0, 4)).toEqual(["GROUP:      apps", "KIND:       Deployment", "VERSION:    v1", ""]);
    expect(out).toContain("FIELDS:");
    for (const field of ["apiVersion\t<string>", "kind\t<string>", "metadata\t<ObjectMeta>", "spec\t<DeploymentSpec>", "status\t<DeploymentStatus>"]) expect(out).toContain(`  ${field}`);
    const typed = await sim.ok("explain", "deployment.spec.replicas");
    expect(typed).toContain("FIELD: replicas <integer>");
    const resources = await sim.ok("explain", "pod.spec.containers.resources.limits");
    expect(resources).toContain("FIELD: limits <map[string]Quantity>");
    const bad = await sim.kubectl("explain", "pod.spec.nothing");
    expect(bad).toMatchObject({ code: 1, stderr: 'error: field "nothing" does not exist\n' });
  });
});

describe("kubectl api-resources and api-versions", () => {
  it("lists resources with short names, versions, scope and kind", async () => {
    const out = lines(await sim.ok("api-resources"));
    expect(out[0]).toMatch(/^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND$/);
    for (const [name, shortNames, apiVersion, namespaced, kind] of [
      ["pods", "po", "v1", "true", "Pod"],
      ["services", "svc", "v1", "true", "Service"],
      ["nodes", "no", "v1", "false", "Node"],
      ["deployments", "deploy", "apps/v1", "true", "Deployment"],
      ["cronjobs", "cj", "batch/v1", "true", "CronJob"],
      ["clusterroles", "", "rbac.authorization.k8s.io/v1", "false", "ClusterRole"],
      ["ingresses", "ing", "networking.k8s.io/v1", "true", "Ingress"],
    ]) {
      const cells = [name, shortNames, apiVersion, namespaced, kind].filter((c) => c !== "");
      expect(out).toContainEqual(expect.stringMatching(new RegExp(`^${cells.map((c) => c?.replace(/[./]/g, "\\$&")).join("\\s+")}$`)));
    }
    // Core group first, sorted by name, starting with bindings and componentstatuses as upstream.
    const core = out.slice(1).filter((l) => /^\S+\s+(\S+\s+)?v1\s/.test(l)).map((l) => l.split(/\s+/)[0]);
    expect(core).toEqual([...core].sort());
    expect(core.slice(0, 2)).toEqual(["bindings", "componentstatuses"]);
    expect(out[1]?.split(/\s+/)[0]).toBe(core[0]);
  });

  it("filters cluster-scoped resources and prints verbs with -o wide", async () => {
    const clusterScoped = lines(await sim.ok("api-resources", "--namespaced=false", "-o", "name"));
    expect(clusterScoped).toEqual(expect.arrayContaining(["namespaces", "nodes", "persistentvolumes", "clusterroles.rbac.authorization.k8s.io", "storageclasses.storage.k8s.io"]));
    expect(clusterScoped).not.toContain("pods");
    const wide = lines(await sim.ok("api-resources", "-o", "wide"));
    expect(wide[0]).toMatch(/^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND\s+VERBS\s+CATEGORIES$/);
    expect(wide).toContainEqual(expect.stringMatching(/^pods\s+po\s+v1\s+true\s+Pod\s+create,delete,deletecollection,get,list,patch,update,watch\s+all$/));
    expect(await sim.ok("api-resources", "--api-group=apps", "-o", "name")).toBe("controllerrevisions.apps\ndaemonsets.apps\ndeployments.apps\nreplicasets.apps\nstatefulsets.apps\n");
  });

  it("lists the served group versions", async () => {
    const out = lines(await sim.ok("api-versions"));
    expect(out).toEqual([...out].sort());
    expect(out).toEqual(expect.arrayContaining(["apps/v1", "authorization.k8s.io/v1", "batch/v1", "metrics.k8s.io/v1beta1", "networking.k8s.io/v1", "rbac.authorization.k8s.io/v1", "storage.k8s.io/v1", "v1"]));
  });
});

describe("kubectl auth can-i", () => {
  it("answers yes/no with exit codes, for the admin and --as others", async () => {
    expect(await sim.kubectl("auth", "can-i", "create", "pods")).toEqual({ code: 0, stdout: "yes\n", stderr: "" });
    expect(await sim.kubectl("auth", "can-i", "create", "pods", "--as=alice")).toEqual({ code: 1, stdout: "no\n", stderr: "" });
    await sim.ok("create", "serviceaccount", "robot");
    await sim.ok("create", "role", "pod-reader", "--verb=get,list", "--resource=pods");
    await sim.ok("create", "rolebinding", "robot-reads", "--role=pod-reader", "--serviceaccount=default:robot");
    const robot = "--as=system:serviceaccount:default:robot";
    expect(await sim.kubectl("auth", "can-i", "list", "pods", robot)).toEqual({ code: 0, stdout: "yes\n", stderr: "" });
    expect(await sim.kubectl("auth", "can-i", "delete", "pods", robot)).toEqual({ code: 1, stdout: "no\n", stderr: "" });
    expect(await sim.kubectl("auth", "can-i", "list", "pods", robot, "-n", "kube-system")).toEqual({ code: 1, stdout: "no\n", stderr: "" });
    expect(await sim.kubectl("auth", "can-i", "get", "/healthz", robot)).toEqual({ code: 0, stdout: "yes\n", stderr: "" });
  });

  it("knows the admin as kubeadm's kubernetes-admin in kubeadm:cluster-admins (auth whoami)", async () => {
    expect(lines(await sim.ok("auth", "whoami"))).toEqual([
      expect.stringMatching(/^ATTRIBUTE\s+VALUE$/),
      expect.stringMatching(/^Username\s+kubernetes-admin$/),
      expect.stringMatching(/^Groups\s+\[kubeadm:cluster-admins system:authenticated\]$/),
    ]);
  });

  it("lists what a subject may do with --list", async () => {
    const out = lines(await sim.ok("auth", "can-i", "--list", "--as=system:serviceaccount:default:robot"));
    expect(out[0]).toMatch(/^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs$/);
    expect(out).toContainEqual(expect.stringMatching(/^pods\s+\[\]\s+\[\]\s+\[get list\]$/));
    expect(out).toContainEqual(expect.stringMatching(/^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/));
    expect(out).toContainEqual(expect.stringMatching(/^\s+\[\/version\]\s+\[\]\s+\[get\]$/));
  });
});

describe("kubectl top, cluster-info, get --raw, version", () => {
  it("top nodes and top pods print metrics tables", async () => {
    const nodes = lines(await sim.ok("top", "nodes"));
    expect(nodes[0]).toBe("NAME           CPU(cores)   CPU(%)   MEMORY(bytes)   MEMORY(%)");
    expect(nodes.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(["controlplane", "node01", "node02"]);
    for (const line of lines(await sim.ok("top", "nodes", "--no-headers"))) expect(line).toMatch(/^\S+\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%$/);
    const pods = lines(await sim.ok("top", "pods", "-n", "kube-system"));
    expect(pods[0]).toMatch(/^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)$/);
    expect(pods).toContainEqual(expect.stringMatching(/^etcd-controlplane\s+\d+m\s+\d+Mi$/));
    const empty = await sim.kubectl("top", "pods");
    expect(empty).toMatchObject({ code: 0, stderr: "No resources found in default namespace.\n" });
  });

  it("cluster-info names the control plane and CoreDNS", async () => {
    expect(await sim.ok("cluster-info")).toBe(
      [
        `Kubernetes control plane is running at ${sim.server}`,
        `CoreDNS is running at ${sim.server}/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy`,
        "",
        "To further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.",
        "",
      ].join("\n"),
    );
  });

  it("get --raw prints /version indented and lists compact", async () => {
    const version = await sim.ok("get", "--raw", "/version");
    expect(version.split("\n")[0]).toBe("{");
    expect(version).toContain('\n  "major": "1",\n  "minor": "32",\n  "gitVersion": "v1.32.3",\n');
    const raw = await sim.ok("get", "--raw", "/api/v1/namespaces/default/pods");
    // Compact JSON ends with a newline (Go's json.Encoder), so the shell prompt starts on a line of its own.
    expect(raw).toMatch(/^\{"kind":"PodList",.*\}\n$/);
    expect(JSON.parse(raw)).toMatchObject({ kind: "PodList", apiVersion: "v1", items: [] });
    // Legacy discovery lists each kind's subresources sorted, the streaming ones included.
    const core = JSON.parse(await sim.ok("get", "--raw", "/api/v1")) as { resources: { name: string; kind: string }[] };
    expect(core.resources.filter((r) => r.name.startsWith("pods")).map((r) => r.name)).toEqual([
      "pods",
      "pods/attach",
      "pods/binding",
      "pods/eviction",
      "pods/exec",
      "pods/log",
      "pods/portforward",
      "pods/proxy",
      "pods/status",
    ]);
    expect(core.resources.find((r) => r.name === "pods/exec")?.kind).toBe("PodExecOptions");
    const missing = await sim.kubectl("get", "--raw", "/api/v1/namespaces/default/pods/ghost");
    expect(missing).toMatchObject({ code: 1, stderr: 'Error from server (NotFound): pods "ghost" not found\n' });
  });

  it("version reports the server as v1.32.3", async () => {
    const out = lines(await sim.ok("version"));
    expect(out[0]).toMatch(/^Client Version: v1\.32\.\d+/);
    expect(out).toContain("Server Version: v1.32.3");
    const json = JSON.parse(await sim.ok("version", "-o", "json")) as { serverVersion: Record<string, string> };
    expect(json.serverVersion).toMatchObject({ major: "1", minor: "32", gitVersion: "v1.32.3", platform: "linux/amd64" });
  });
});

describe("kubectl proxy", () => {
  it("serves the API on a local port without credentials", async () => {
    const child = spawn("/usr/bin/kubectl", ["proxy", "--port=0"], { env: { NODE_ENV: "test", HOME: sim.dir, PATH: "/usr/bin:/bin", KUBECONFIG: sim.kubeconfig } });
    try {
      const port = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          const match = /^Starting to serve on 127\.0\.0\.1:(\d+)\n/.exec(out);
          if (match?.[1]) resolve(match[1]);
        });
        child.once("close", () => reject(new Error(`kubectl proxy ended: ${out}`)));
      });
      const namespaces = (await (await fetch(`http://127.0.0.1:${port}/api/v1/namespaces`)).json()) as { kind: string; items: { metadata: { name: string } }[] };
      expect(namespaces.kind).toBe("NamespaceList");
      expect(namespaces.items.map((n) => n.metadata.name)).toEqual(["default", "kube-node-lease", "kube-public", "kube-system"]);
      const version = await fetch(`http://127.0.0.1:${port}/version`);
      expect(version.status).toBe(200);
      expect(((await version.json()) as { gitVersion: string }).gitVersion).toBe("v1.32.3");

      // curl (and wget, browsers) get indented JSON, as upstream pretty-prints for them; errors are Status objects, code last.
      const curl = { headers: { "User-Agent": "curl/8.5.0" } };
      const missing = await fetch(`http://127.0.0.1:${port}/api/v1/namespaces/default/pods/ghost`, curl);
      expect(missing.status).toBe(404);
      expect(await missing.text()).toBe(
        [
          "{",
          '  "kind": "Status",',
          '  "apiVersion": "v1",',
          '  "metadata": {},',
          '  "status": "Failure",',
          '  "message": "pods \\"ghost\\" not found",',
          '  "reason": "NotFound",',
          '  "details": {',
          '    "name": "ghost",',
          '    "kind": "pods"',
          "  },",
          '  "code": 404',
          "}",
        ].join("\n"),
      );
      expect((await (await fetch(`http://127.0.0.1:${port}/api/v1/namespaces?pretty=true`)).text()).split("\n").slice(0, 3)).toEqual(["{", '  "kind": "NamespaceList",', '  "apiVersion": "v1",']);
      // The root lists the served paths; an unknown top-level path answers the same list with a 404.
      const root = (await (await fetch(`http://127.0.0.1:${port}/`, curl)).json()) as { paths: string[] };
      expect(root.paths).toEqual([...root.paths].sort());
      expect(root.paths).toEqual(expect.arrayContaining(["/api", "/api/v1", "/apis", "/apis/apps", "/apis/apps/v1", "/healthz", "/openapi/v3", "/version"]));
      const unknown = await fetch(`http://127.0.0.1:${port}/nothing`, curl);
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toEqual(root);
    } finally {
      child.kill("SIGTERM");
    }
  });
});

describe("what kubeadm leaves in kube-system and kube-public", () => {
  it("lists the add-ons' and controllers' ServiceAccounts, the component ConfigMaps, cluster-info and the leader Leases", async () => {
    const accounts = lines(await sim.ok("get", "sa", "-n", "kube-system", "-o", "name"));
    expect(accounts).toHaveLength(36);
    expect(accounts).toEqual(expect.arrayContaining(["serviceaccount/coredns", "serviceaccount/default", "serviceaccount/deployment-controller", "serviceaccount/kube-proxy", "serviceaccount/replicaset-controller"]));
    expect(lines(await sim.ok("get", "cm", "-n", "kube-system", "-o", "name"))).toEqual([
      "configmap/coredns",
      "configmap/extension-apiserver-authentication",
      "configmap/kube-apiserver-legacy-service-account-token-tracking",
      "configmap/kube-proxy",
      "configmap/kube-root-ca.crt",
      "configmap/kubeadm-config",
      "configmap/kubelet-config",
    ]);
    const corefile = await sim.ok("get", "cm", "coredns", "-n", "kube-system", "-o", "jsonpath={.data.Corefile}");
    expect(corefile).toContain("    kubernetes cluster.local in-addr.arpa ip6.arpa {\n       pods insecure\n");
    expect(await sim.ok("get", "cm", "kubeadm-config", "-n", "kube-system", "-o", "jsonpath={.data.ClusterConfiguration}")).toContain("kubernetesVersion: v1.32.3\n");
    expect(await sim.ok("get", "cm", "cluster-info", "-n", "kube-public", "-o", "jsonpath={.data.kubeconfig}")).toContain("    server: https://172.30.1.2:6443\n");
    const leases = lines(await sim.ok("get", "lease", "-n", "kube-system"));
    expect(leases[0]).toMatch(/^NAME\s+HOLDER\s+AGE$/);
    expect(leases.slice(1).map((l) => l.split(/\s+/).slice(0, 2))).toEqual([
      ["kube-controller-manager", expect.stringMatching(/^controlplane_[0-9a-f-]{36}$/)],
      ["kube-scheduler", expect.stringMatching(/^controlplane_[0-9a-f-]{36}$/)],
    ]);
    // The add-ons run as their own ServiceAccounts; CoreDNS's is bound to system:coredns.
    expect(await sim.ok("get", "pods", "-n", "kube-system", "-l", "k8s-app=kube-dns", "-o", "jsonpath={.items[*].spec.serviceAccountName}")).toBe("coredns coredns");
    expect(await sim.ok("get", "ds", "kube-proxy", "-n", "kube-system", "-o", "jsonpath={.spec.template.spec.serviceAccountName}")).toBe("kube-proxy");
    expect(await sim.kubectl("auth", "can-i", "watch", "endpointslices.discovery.k8s.io", "--as=system:serviceaccount:kube-system:coredns")).toEqual({ code: 0, stdout: "yes\n", stderr: "" });
  });

  it("runs kube-proxy with its ConfigMap, the iptables lock, the kernel modules and its node's name", async () => {
    const volumes = [
      { name: "kube-proxy", configMap: { name: "kube-proxy" } },
      { name: "xtables-lock", hostPath: { path: "/run/xtables.lock", type: "FileOrCreate" } },
      { name: "lib-modules", hostPath: { path: "/lib/modules", type: "" } },
    ];
    const env = [{ name: "NODE_NAME", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "spec.nodeName" } } }];
    const template = JSON.parse(await sim.ok("get", "ds", "kube-proxy", "-n", "kube-system", "-o", "jsonpath={.spec.template.spec}")) as { volumes: unknown[]; containers: { env: unknown[]; volumeMounts: unknown[] }[] };
    expect(template.volumes).toEqual(volumes);
    expect(template.containers[0]?.env).toEqual(env);
    expect(template.containers[0]?.volumeMounts).toEqual([
      { mountPath: "/var/lib/kube-proxy", name: "kube-proxy" },
      { mountPath: "/run/xtables.lock", name: "xtables-lock" },
      { mountPath: "/lib/modules", name: "lib-modules", readOnly: true },
    ]);
    // Its pods are made from that template (plus the ServiceAccount token volume).
    const pod = JSON.parse(await sim.ok("get", "pods", "-n", "kube-system", "-l", "k8s-app=kube-proxy", "-o", "jsonpath={.items[0].spec}")) as { volumes: { name: string }[]; containers: { env: unknown[] }[] };
    expect(pod.volumes.slice(0, 3)).toEqual(volumes);
    expect(pod.volumes[3]?.name).toMatch(/^kube-api-access-[a-z0-9]{5}$/);
    expect(pod.containers[0]?.env).toEqual(env);
  });

  it("logs each component's start in its own format, from its start time", async () => {
    const startedAt = Date.parse(await sim.ok("get", "pod", "etcd-controlplane", "-n", "kube-system", "-o", "jsonpath={.status.containerStatuses[0].state.running.startedAt}"));
    const klogTime = (line: string): number => {
      const [, month = "", day = "", time = ""] = /^[IWE](\d\d)(\d\d) (\d\d:\d\d:\d\d\.\d{6}) {7}1 [a-z_]+\.go:\d+\] /.exec(line) ?? [];
      return Date.parse(`${new Date(startedAt).getUTCFullYear()}-${month}-${day}T${time.slice(0, 12)}Z`);
    };
    for (const component of ["kube-apiserver", "kube-controller-manager", "kube-scheduler"]) {
      const log = lines(await sim.ok("logs", "-n", "kube-system", `${component}-controlplane`));
      expect(log.length).toBeGreaterThan(5);
      // Started when the pod says (startedAt is whole seconds; the process starts a moment after the pod is made).
      for (const line of log) expect(klogTime(line) - startedAt).toBeGreaterThanOrEqual(0);
      expect(klogTime(log[0] ?? "") - startedAt).toBeLessThan(2000);
    }
    expect(lines(await sim.ok("logs", "-n", "kube-system", "kube-controller-manager-controlplane"))).toContainEqual(expect.stringMatching(/leaderelection\.go:\d+\] successfully acquired lease kube-system\/kube-controller-manager$/));
    const proxy = lines(await sim.ok("logs", "-n", "kube-system", "-l", "k8s-app=kube-proxy", "--tail=-1"));
    expect(proxy.filter((l) => l.endsWith('"Using iptables Proxier"'))).toHaveLength(3);
    const etcd = lines(await sim.ok("logs", "-n", "kube-system", "etcd-controlplane")).map((l) => JSON.parse(l) as { level: string; ts: string; msg: string });
    expect(etcd[0]).toMatchObject({ level: "info", msg: "starting an etcd server" });
    expect(Date.parse(etcd[0]?.ts ?? "") - startedAt).toBeLessThan(2000);
    const coredns = lines(await sim.ok("logs", "-n", "kube-system", "deploy/coredns"));
    expect(coredns[0]).toBe(".:53");
    expect(coredns[1]).toMatch(/^\[INFO\] plugin\/reload: Running configuration SHA512 = [0-9a-f]{128}$/);
    expect(coredns.slice(2)).toEqual(["CoreDNS-1.11.3", "linux/amd64, go1.21.11, a6338e9"]);
  });
});
