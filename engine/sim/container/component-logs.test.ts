// `kubectl logs` of the kube-system pods and of server images, through the
// real kubectl, on a ManualClock at 2026-03-01T12:00:00Z: each component
// prints its start-up lines in its own format, stamped with its start time.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SimCluster } from "../cluster/cluster";
import { advanceClock, startKubectlCluster, type KubectlCluster } from "../test-kubectl";
import { memberId } from "./etcdctl";

let sim: KubectlCluster;
let cluster: SimCluster;

const KLOG = /^[IWE]\d{4} \d\d:\d\d:\d\d\.\d{6} {7}1 [a-z_]+\.go:\d+\] \S/;

async function logs(...args: string[]): Promise<string[]> {
  const result = await sim.kubectl("logs", "-n", "kube-system", ...args);
  expect(result.stderr).toBe("");
  return result.stdout.split("\n").slice(0, -1);
}

async function proxyPod(node: string): Promise<string> {
  return (await sim.kubectl("get", "pods", "-n", "kube-system", "-l", "k8s-app=kube-proxy", "--field-selector", `spec.nodeName=${node}`, "-o", "jsonpath={.items[0].metadata.name}")).stdout;
}

beforeAll(async () => {
  sim = await startKubectlCluster("component-logs");
  cluster = (await sim.driver.cluster("component-logs")) as SimCluster;
});
afterAll(async () => sim.close());

describe("control-plane logs", () => {
  it("kube-apiserver: klog lines from its start, with its address and version", async () => {
    const lines = await logs("kube-apiserver-controlplane");
    for (const line of lines) expect(line).toMatch(KLOG);
    expect(lines.slice(0, 3)).toEqual([
      "I0301 12:00:00.000000       1 options.go:238] external host was not specified, using 172.30.1.2",
      "I0301 12:00:00.000238       1 server.go:143] Version: v1.32.3",
      'I0301 12:00:00.000575       1 server.go:145] "Golang settings" GOGC="" GOMAXPROCS="" GOTRACEBACK=""',
    ]);
    expect(lines).toContain("I0301 12:00:00.001260       1 secure_serving.go:213] Serving securely on [::]:6443");
  });

  it("kube-scheduler: takes the leader lease and then says nothing per pod", async () => {
    const before = await logs("kube-scheduler-controlplane");
    expect(before.slice(-2)).toEqual([
      expect.stringMatching(/^I0301 12:00:00\.\d{6} {7}1 leaderelection\.go:257\] attempting to acquire leader lease kube-system\/kube-scheduler\.\.\.$/),
      expect.stringMatching(/^I0301 12:00:00\.\d{6} {7}1 leaderelection\.go:271\] successfully acquired lease kube-system\/kube-scheduler$/),
    ]);
    expect(before).toContainEqual(expect.stringContaining('"Starting Kubernetes Scheduler" version="v1.32.3"'));
    expect(before).toContainEqual(expect.stringContaining("Serving securely on 127.0.0.1:10259"));
    expect((await sim.kubectl("create", "deployment", "web", "--image=nginx", "--replicas=3")).code).toBe(0);
    await advanceClock(sim.clock, 5_000);
    expect((await sim.kubectl("get", "deploy", "web", "-o", "jsonpath={.status.readyReplicas}")).stdout).toBe("3");
    expect(await logs("kube-scheduler-controlplane")).toEqual(before);
  });

  it("kube-controller-manager: a restart is a new log that takes the lease again, the old one is --previous", async () => {
    const first = await logs("kube-controller-manager-controlplane");
    expect(first[0]).toBe("I0301 12:00:00.000000       1 serving.go:386] Generated self-signed cert in-memory");
    expect(first).toContain("I0301 12:00:00.000238       1 controllermanager.go:185] \"Starting\" version=\"v1.32.3\"");
    expect(first).toContainEqual(expect.stringMatching(/leaderelection\.go:271\] successfully acquired lease kube-system\/kube-controller-manager$/));
    expect(first).toContainEqual(expect.stringContaining('"Started controller" controller="deployment-controller"'));

    cluster.drills.stopComponent("kube-controller-manager");
    await advanceClock(sim.clock, 10_000);
    // Crashed: its log is its last run's.
    expect(await logs("kube-controller-manager-controlplane")).toEqual(first);
    cluster.drills.startComponent("kube-controller-manager");
    const second = await logs("kube-controller-manager-controlplane");
    const started = new Date(sim.clock.now()).toISOString().slice(11, 19);
    expect(second[0]).toBe(`I0301 ${started}.${String(sim.clock.now() % 1000).padStart(3, "0")}000       1 serving.go:386] Generated self-signed cert in-memory`);
    expect(second).toContainEqual(expect.stringMatching(new RegExp(`^I0301 ${started}\\.\\d{6} {7}1 leaderelection\\.go:271\\] successfully acquired lease kube-system/kube-controller-manager$`)));
    expect(await logs("kube-controller-manager-controlplane", "--previous")).toEqual(first);
  });

  it("etcd: zap JSON lines naming the member etcdctl lists", async () => {
    const lines = (await logs("etcd-controlplane")).map((l) => JSON.parse(l) as Record<string, unknown>);
    const id = memberId(["https://172.30.1.2:2380"], "etcd-cluster");
    expect(lines[0]).toEqual({
      level: "info",
      ts: "2026-03-01T12:00:00.000000Z",
      caller: "embed/etcd.go:309",
      msg: "starting an etcd server",
      "etcd-version": "3.5.16",
      "go-version": "go1.22.7",
      "go-os": "linux",
      "go-arch": "amd64",
      name: "controlplane",
      "data-dir": "/var/lib/etcd",
    });
    expect(lines).toContainEqual(expect.objectContaining({ logger: "raft", msg: `${id} became leader at term 2` }));
    expect(lines.filter((l) => l.msg === "serving client traffic securely").map((l) => l.address)).toEqual(["127.0.0.1:2379", "172.30.1.2:2379"]);
  });
});

describe("add-on logs", () => {
  it("CoreDNS: its server block, the SHA512 of the Corefile it loaded, its version", async () => {
    const corefile = (await sim.kubectl("get", "cm", "coredns", "-n", "kube-system", "-o", "jsonpath={.data.Corefile}")).stdout;
    expect(await logs("coredns-668d6bf9bc-7qjlm")).toEqual([
      ".:53",
      `[INFO] plugin/reload: Running configuration SHA512 = ${createHash("sha512").update(corefile).digest("hex")}`,
      "CoreDNS-1.11.3",
      "linux/amd64, go1.21.11, a6338e9",
    ]);
  });

  it("kube-proxy: its node's IP and the proxy mode its ConfigMap chooses", async () => {
    const lines = await logs(await proxyPod("node01"));
    for (const line of lines) expect(line).toMatch(KLOG);
    expect(lines.slice(0, 2)).toEqual(['I0301 12:00:00.000000       1 server_linux.go:66] "Using iptables proxy"', 'I0301 12:00:00.000238       1 server.go:698] "Successfully retrieved node IP(s)" IPs=["172.30.2.2"]']);
    expect(lines).toContainEqual(expect.stringMatching(/^E0301 .* server\.go:234\] "Kube-proxy configuration may be incomplete or incorrect" err="nodePortAddresses is unset/));
    expect(lines).toContainEqual(expect.stringContaining('"Using iptables Proxier"'));

    // Switched to IPVS in its ConfigMap, a new kube-proxy pod says so.
    const config = (await sim.kubectl("get", "cm", "kube-proxy", "-n", "kube-system", "-o", "jsonpath={.data.config\\.conf}")).stdout;
    const patch = JSON.stringify({ data: { "config.conf": config.replace('mode: ""', "mode: ipvs") } });
    expect((await sim.kubectl("patch", "cm", "kube-proxy", "-n", "kube-system", "-p", patch)).code).toBe(0);
    expect((await sim.kubectl("delete", "pod", "-n", "kube-system", await proxyPod("node02"), "--wait=false")).code).toBe(0);
    await advanceClock(sim.clock, 40_000);
    const fresh = await logs(await proxyPod("node02"));
    expect(fresh).toContainEqual(expect.stringContaining('"Using ipvs Proxier"'));
    expect(fresh).not.toContainEqual(expect.stringContaining("iptables"));
  });
});

describe("server images", () => {
  it("redis stamps its lines with the container's start time", async () => {
    expect((await sim.kubectl("run", "cache", "--image=redis")).code).toBe(0);
    await advanceClock(sim.clock, 10_000);
    const lines = (await sim.kubectl("logs", "cache", "--timestamps")).stdout.split("\n").slice(0, -1);
    const [first = ""] = lines;
    const written = first.slice(0, first.indexOf(" "));
    const at = new Date(written.replace(/(\.\d{3})\d+Z$/, "$1Z"));
    expect(first.slice(written.length + 1)).toBe(`1:C 01 Mar 2026 ${at.toISOString().slice(11, 23)} * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo`);
    expect(at.getTime()).toBeGreaterThan(Date.parse("2026-03-01T12:00:00Z"));
    expect(lines.at(-1)).toMatch(/^\S+ 1:M 01 Mar 2026 \d\d:\d\d:\d\d\.\d{3} \* Ready to accept connections tcp$/);
  });
});
