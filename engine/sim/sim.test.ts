// Real /usr/bin/kubectl and @kubernetes/client-node against a real SimDriver.
// kubectl reaches the cluster the way a learner's sandbox does: through a TCP
// forwarder to the cluster's unix socket (kubectl sends no bearer token over
// plain http). Time moves only when a test advances the ManualClock.
import { stat } from "node:fs/promises";
import path from "node:path";
import { createServer as createHttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import type { ManualClock } from "../clock";
import type { Pod } from "./types";
import type { ClusterLease } from "../cluster";
import { createSimCluster, summarizePod, type ResourceType, type SimCluster, type SimDriver } from "./index";
import { fetchTls, forward, rows, startKubectlCluster, until, type KubectlCluster, type KubectlResult } from "./test-kubectl";

let harness: KubectlCluster;
let dir: string;
let clock: ManualClock;
let driver: SimDriver;
let lease: ClusterLease;

function kubectl(...args: string[]): Promise<KubectlResult> {
  return harness.kubectl(...args);
}

function api(pathname: string, init: RequestInit & { token?: string | null } = {}): Promise<Response> {
  return harness.api(pathname, init);
}

function typeOf(cluster: SimCluster, plural: string): ResourceType {
  const type = cluster.registry.find("", "v1", plural);
  if (!type) throw new Error(`no resource ${plural}`);
  return type;
}

beforeAll(async () => {
  harness = await startKubectlCluster();
  ({ dir, clock, driver, lease } = harness);
});

afterAll(async () => {
  await harness.close();
});

describe("SimDriver", () => {
  it("gives a learner the same cluster back, and a socket others can connect to", async () => {
    const again = await driver.acquire("learner-1");
    expect(again).toEqual(lease);
    expect(lease.access.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(lease.access.ca).toContain("-----BEGIN CERTIFICATE-----");
    expect(lease.access.socketPath).toBe(path.join(dir, "runtime", "clusters", lease.id, "api.sock"));
    expect((await stat(lease.access.socketPath)).mode & 0o777).toBe(0o666);
    expect((await stat(path.dirname(lease.access.socketPath))).mode & 0o777).toBe(0o700);
  });

  it("routes by token: none or a wrong one is 401 Unauthorized", async () => {
    const missing = await api("/api/v1/namespaces", { token: null });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ kind: "Status", reason: "Unauthorized", code: 401 });
    expect((await api("/api/v1/namespaces", { token: "nope" })).status).toBe(401);
    expect((await api("/api/v1/namespaces")).status).toBe(200);
  });

  it("keeps each socket to its own cluster", async () => {
    const other = await driver.acquire("learner-2");
    expect(other.access.token).not.toBe(lease.access.token);
    const fwd = await forward(other.access.socketPath);
    try {
      const res = await fetchTls(`${fwd.url}/api/v1/namespaces`, { headers: { Authorization: `Bearer ${lease.access.token}` } }, other.access.ca);
      expect(res.status).toBe(401);
      expect((await fetchTls(`${fwd.url}/api/v1/namespaces`, { headers: { Authorization: `Bearer ${other.access.token}` } }, other.access.ca)).status).toBe(200);
      expect((await fetchTls(`${fwd.url}/version`, {}, other.access.ca)).status).toBe(200);
    } finally {
      fwd.server.close();
      await driver.release("learner-2");
    }
    await expect(stat(other.access.socketPath)).rejects.toThrow();
  });
});

describe("kubectl against the sim cluster", () => {
  it("cluster-info names the control plane and CoreDNS", async () => {
    const { stdout } = await kubectl("cluster-info");
    expect(stdout).toMatch(/Kubernetes control plane is running at https:\/\/127\.0\.0\.1:\d+/);
    expect(stdout).toMatch(/CoreDNS is running at https:\/\/127\.0\.0\.1:\d+\/api\/v1\/namespaces\/kube-system\/services\/kube-dns:dns\/proxy/);
  });

  it("get nodes shows the control plane and two workers", async () => {
    expect(rows((await kubectl("get", "nodes")).stdout)).toEqual([
      ["NAME", "STATUS", "ROLES", "AGE", "VERSION"],
      ["controlplane", "Ready", "control-plane", "0s", "v1.32.3"],
      ["node01", "Ready", "<none>", "0s", "v1.32.3"],
      ["node02", "Ready", "<none>", "0s", "v1.32.3"],
    ]);
    const wide = rows((await kubectl("get", "nodes", "-o", "wide")).stdout);
    expect(wide[0]).toEqual(["NAME", "STATUS", "ROLES", "AGE", "VERSION", "INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"]);
    expect(wide[2]).toEqual(["node01", "Ready", "<none>", "0s", "v1.32.3", "172.30.2.2", "<none>", "Ubuntu 22.04.5 LTS", "5.15.0-131-generic", "containerd://1.7.24"]);
  });

  it("lists namespaces, services and the kube-system pods", async () => {
    expect(rows((await kubectl("get", "ns")).stdout).map((r) => r[0])).toEqual(["NAME", "default", "kube-node-lease", "kube-public", "kube-system"]);
    expect(rows((await kubectl("get", "svc", "-A")).stdout)).toEqual([
      ["NAMESPACE", "NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"],
      ["default", "kubernetes", "ClusterIP", "10.96.0.1", "<none>", "443/TCP", "0s"],
      ["kube-system", "kube-dns", "ClusterIP", "10.96.0.10", "<none>", "53/UDP,53/TCP,9153/TCP", "0s"],
    ]);
    const system = (await kubectl("get", "po", "-n", "kube-system", "-l", "k8s-app in (kube-dns)", "-o", "name")).stdout;
    expect(system.trim().split("\n")).toEqual(["pod/coredns-668d6bf9bc-7qjlm", "pod/coredns-668d6bf9bc-xw5kd"]);
    // Made from their owners' templates, as kubeadm's are: kubectl describe node counts coredns's requests.
    const pods = (await kubectl("get", "po", "-n", "kube-system", "-l", "k8s-app", "-o", "custom-columns=NAME:.metadata.name,CONTAINER:.spec.containers[0].name,REQUESTS:.spec.containers[0].resources.requests,QOS:.status.qosClass", "--no-headers")).stdout;
    expect(rows(pods).slice(0, 3)).toEqual([
      ["coredns-668d6bf9bc-7qjlm", "coredns", "map[cpu:100m memory:70Mi]", "Burstable"],
      ["coredns-668d6bf9bc-xw5kd", "coredns", "map[cpu:100m memory:70Mi]", "Burstable"],
      ["kube-proxy-8xkqp", "kube-proxy", "<none>", "BestEffort"],
    ]);
  });

  it("runs a pod: ContainerCreating, then Running once the image is pulled", async () => {
    expect((await kubectl("run", "web", "--image=nginx")).stdout.trim()).toBe("pod/web created");
    const creating = rows((await kubectl("get", "pods", "-o", "wide")).stdout);
    expect(creating[1]).toEqual(["web", "0/1", "ContainerCreating", "0", "0s", "<none>", "node01", "<none>", "<none>"]);
    clock.advance(5_000);
    expect(rows((await kubectl("get", "pods", "-o", "wide")).stdout)[1]).toEqual(["web", "1/1", "Running", "0", "5s", "10.244.1.2", "node01", "<none>", "<none>"]);
  });

  it("shows upstream defaults in -o json", async () => {
    const pod = JSON.parse((await kubectl("get", "pod", "web", "-o", "json")).stdout) as {
      spec: Record<string, unknown> & { containers: Record<string, unknown>[]; tolerations: unknown[] };
      status: Record<string, unknown>;
    };
    expect(pod.spec.containers[0]).toMatchObject({ imagePullPolicy: "Always", terminationMessagePath: "/dev/termination-log", terminationMessagePolicy: "File", resources: {} });
    expect(pod.spec).toMatchObject({ dnsPolicy: "ClusterFirst", restartPolicy: "Always", schedulerName: "default-scheduler", terminationGracePeriodSeconds: 30, enableServiceLinks: true, serviceAccountName: "default" });
    expect(pod.spec.tolerations).toHaveLength(2);
    expect(pod.status).toMatchObject({ phase: "Running", qosClass: "BestEffort", podIP: "10.244.1.2", hostIP: "172.30.2.2" });
  });

  it("describe pod lists the scheduler and kubelet events", async () => {
    const { stdout } = await kubectl("describe", "pod", "web");
    expect(stdout).toMatch(/^Node:\s+node01\/172\.30\.2\.2$/m);
    expect(stdout).toMatch(/^Status:\s+Running$/m);
    const events = stdout.slice(stdout.indexOf("Events:"));
    expect(events).toMatch(/Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned default\/web to node01/);
    expect(events).toMatch(/Normal\s+Pulling\s+\S+\s+kubelet\s+Pulling image "nginx"/);
    expect(events).toMatch(/Normal\s+Pulled\s+\S+\s+kubelet\s+Successfully pulled image "nginx" in [\d.]+m?s \([\d.]+m?s including waiting\)\. Image size: 72099410 bytes\./);
    expect(events).toMatch(/Normal\s+Created\s+\S+\s+kubelet\s+Created container web/);
    expect(events).toMatch(/Normal\s+Started\s+\S+\s+kubelet\s+Started container web/);
  });

  it("reports an unknown image as ErrImagePull, then ImagePullBackOff", async () => {
    await kubectl("run", "typo", "--image=nginxx");
    clock.advance(1_400);
    expect(rows((await kubectl("get", "pod", "typo")).stdout)[1]?.[2]).toBe("ErrImagePull");
    clock.advance(2_000);
    expect(rows((await kubectl("get", "pod", "typo")).stdout)[1]?.[2]).toBe("ImagePullBackOff");
    const events = (await kubectl("get", "events", "--field-selector", "involvedObject.name=typo")).stdout;
    expect(events).toContain('Failed to pull image "nginxx": failed to pull and unpack image "docker.io/library/nginxx:latest"');
    expect(events).toContain("Error: ImagePullBackOff");
    expect(events).toContain('Back-off pulling image "nginxx"');
  });

  it("prints upstream errors", async () => {
    expect((await kubectl("get", "pod", "nope")).stderr.trim()).toBe('Error from server (NotFound): pods "nope" not found');
    const unknown = await kubectl("get", "foo");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe('error: the server doesn\'t have a resource type "foo"');
    expect((await kubectl("run", "web", "--image=nginx")).stderr.trim()).toBe('Error from server (AlreadyExists): pods "web" already exists');
    const invalid = await kubectl("run", "Bad_Name", "--image=nginx");
    expect(invalid.stderr).toContain('The Pod "Bad_Name" is invalid');
    expect(invalid.stderr).toContain('metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of');
  });

  it("labels a pod with a merge patch and selects it", async () => {
    expect((await kubectl("label", "pod", "web", "tier=frontend")).stdout.trim()).toBe("pod/web labeled");
    expect((await kubectl("get", "pods", "-l", "tier=frontend", "-o", "name")).stdout.trim()).toBe("pod/web");
    expect((await kubectl("get", "pods", "--field-selector", "status.phase=Running", "-o", "name")).stdout.trim()).toBe("pod/web");
  });

  it("deletes a pod gracefully and waits until it is gone", async () => {
    const deleting = kubectl("delete", "pod", "web");
    await until(async () => {
      const res = await api("/api/v1/namespaces/default/pods/web");
      return res.ok && !!((await res.json()) as { metadata: { deletionTimestamp?: string } }).metadata.deletionTimestamp;
    }, "the pod to be marked for deletion");
    expect(rows((await kubectl("get", "pod", "web")).stdout)[1]?.[2]).toBe("Terminating");
    clock.advance(1_000);
    expect((await deleting).stdout.trim()).toBe('pod "web" deleted');
    expect((await kubectl("get", "pod", "web")).stderr.trim()).toBe('Error from server (NotFound): pods "web" not found');
  });
});

describe("API server over HTTP", () => {
  it("answers malformed JSON and YAML bodies with 400 Status and keeps serving", async () => {
    const json = await api("/api/v1/namespaces/default/pods", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{not json" });
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ kind: "Status", status: "Failure", reason: "BadRequest", code: 400 });
    const yaml = await api("/api/v1/namespaces/default/pods", { method: "POST", headers: { "Content-Type": "application/yaml" }, body: "a: [b\n  c: :" });
    expect(yaml.status).toBe(400);
    expect(((await yaml.json()) as { message: string }).message).toMatch(/YAML/);
    expect((await api("/version")).status).toBe(200);
  });

  it("serves aggregated and legacy discovery", async () => {
    const aggregated = await api("/api", { headers: { Accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json" } });
    expect(aggregated.headers.get("content-type")).toContain("as=APIGroupDiscoveryList");
    const body = (await aggregated.json()) as { items: { versions: { resources: { resource: string; shortNames?: string[]; categories?: string[] }[] }[] }[] };
    const pods = body.items[0]?.versions[0]?.resources.find((r) => r.resource === "pods");
    expect(pods).toMatchObject({ shortNames: ["po"], categories: ["all"] });
    const legacy = (await (await api("/api/v1")).json()) as { resources: { name: string }[] };
    expect(legacy.resources.map((r) => r.name)).toContain("pods/status");
  });

  it("pages lists with limit and continue", async () => {
    const first = (await (await api("/api/v1/namespaces/kube-system/pods?limit=4")).json()) as { items: unknown[]; metadata: { continue?: string; remainingItemCount?: number } };
    expect(first.items).toHaveLength(4);
    expect(first.metadata.remainingItemCount).toBe(5);
    const rest = (await (await api(`/api/v1/namespaces/kube-system/pods?limit=10&continue=${first.metadata.continue ?? ""}`)).json()) as { items: unknown[]; metadata: { continue?: string } };
    expect(rest.items).toHaveLength(5);
    expect(rest.metadata.continue).toBeUndefined();
  });

  it("streams watch events: ADDED, MODIFIED, DELETED", async () => {
    const list = (await (await api("/api/v1/namespaces/default/configmaps")).json()) as { metadata: { resourceVersion: string } };
    const controller = new AbortController();
    const res = await api(`/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${list.metadata.resourceVersion}`, { signal: controller.signal });
    expect(res.status).toBe(200);
    const body = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" }, data: { a: "1" } };
    await api("/api/v1/namespaces/default/configmaps", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    await api("/api/v1/namespaces/default/configmaps/settings", { method: "PATCH", headers: { "Content-Type": "application/merge-patch+json" }, body: JSON.stringify({ data: { a: "2" } }) });
    await api("/api/v1/namespaces/default/configmaps/settings", { method: "DELETE" });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (text.split("\n").length <= 3) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    controller.abort();
    const events = text.trim().split("\n").map((line) => JSON.parse(line) as { type: string; object: { metadata: { name: string }; data?: { a?: string } } });
    expect(events.map((e) => [e.type, e.object.metadata.name, e.object.data?.a])).toEqual([
      ["ADDED", "settings", "1"],
      ["MODIFIED", "settings", "2"],
      ["DELETED", "settings", "2"],
    ]);
  });

  it("answers a watch from a compacted resourceVersion with 410 Expired", async () => {
    const cluster = createSimCluster({ clock, historyLimit: 5 });
    const server = createHttpServer((req, res) => cluster.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const headers = { Authorization: `Bearer ${cluster.token}`, "Content-Type": "application/json" };
      const start = cluster.store.revision;
      for (let i = 0; i < 10; i++) {
        const body = JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `c${i}` } });
        expect((await fetch(`${url}/api/v1/namespaces/default/configmaps`, { method: "POST", headers, body })).status).toBe(201);
      }
      const res = await fetch(`${url}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${start}`, { headers });
      expect(JSON.parse((await res.text()).trim())).toMatchObject({ type: "ERROR", object: { kind: "Status", code: 410, reason: "Expired" } });
    } finally {
      server.close();
      cluster.dispose();
    }
  });

  it("works with @kubernetes/client-node", async () => {
    const config = new KubeConfig();
    config.loadFromOptions({
      clusters: [{ name: "sim", server: lease.access.server, caData: Buffer.from(lease.access.ca ?? "").toString("base64") }],
      users: [{ name: "learner", token: lease.access.token }],
      contexts: [{ name: "sim", cluster: "sim", user: "learner" }],
      currentContext: "sim",
    });
    const core = config.makeApiClient(CoreV1Api);
    const pods = await core.listNamespacedPod({ namespace: "kube-system", labelSelector: "k8s-app=kube-dns" });
    expect(pods.items.map((p) => p.metadata?.name)).toEqual(["coredns-668d6bf9bc-7qjlm", "coredns-668d6bf9bc-xw5kd"]);
    expect(pods.items[0]?.status?.phase).toBe("Running");
  });
});

describe("snapshot and restore", () => {
  it("brings a cluster back with its objects, revisions and running pods", async () => {
    const first = createSimCluster({ clock });
    const pods = typeOf(first, "pods");
    first.service.create(pods, "default", { apiVersion: "v1", kind: "Pod", metadata: { name: "keep" }, spec: { containers: [{ name: "keep", image: "redis" }] } });
    await until(() => !!(first.service.get(pods, "default", "keep").spec as { nodeName?: string }).nodeName, "scheduling");
    clock.advance(5_000);
    const snapshot = JSON.parse(JSON.stringify(first.snapshot())) as ReturnType<typeof first.snapshot>;
    first.dispose();

    const second = createSimCluster({ clock, snapshot });
    try {
      const pod = second.service.get(pods, "default", "keep");
      expect((pod.status as { phase?: string }).phase).toBe("Running");
      expect(second.store.revision).toBe(snapshot.revision);
      expect(second.service.list(typeOf(second, "nodes"), undefined).items).toHaveLength(3);
      clock.advance(5_000);
      await Promise.resolve();
      expect(second.service.get(pods, "default", "keep").metadata.resourceVersion).toBe(pod.metadata.resourceVersion);
    } finally {
      second.dispose();
    }
  });
});

describe("kubelet", () => {
  it("restarts a container that exits, then backs off (CrashLoopBackOff)", async () => {
    const cluster = createSimCluster({ clock });
    try {
      const pods = typeOf(cluster, "pods");
      cluster.service.create(pods, "default", { apiVersion: "v1", kind: "Pod", metadata: { name: "bb" }, spec: { containers: [{ name: "bb", image: "busybox" }] } });
      await until(() => !!(cluster.service.get(pods, "default", "bb").spec as { nodeName?: string }).nodeName, "scheduling");
      const status = (): ReturnType<typeof summarizePod> => summarizePod(cluster.service.get(pods, "default", "bb") as Pod, clock.now());
      clock.advance(3_000);
      expect(status()).toEqual({ ready: "0/1", status: "CrashLoopBackOff", restarts: expect.stringMatching(/^1 \(\d+s ago\)$/) as unknown });
      clock.advance(10_500);
      expect(status().restarts).toMatch(/^2 \(/);
    } finally {
      cluster.dispose();
    }
  });
});
