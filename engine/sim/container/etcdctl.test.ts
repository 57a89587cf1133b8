// Lesson 17's etcd backup through the real kubectl: etcdctl in the
// (distroless) etcd pod, snapshot save/status/restore, reads of the live store
// with upstream's key layout, `kubectl cp` of the snapshot out and in, and a
// fresh cluster booted from the copied file.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { advanceClock, rows, startKubectlCluster, whileAdvancing, type KubectlCluster } from "../test-kubectl";
import { decodeSnapshot, snapshotStatus } from "../store/snapshot-file";
import { humanBytes } from "./etcdctl";
import type { Pod } from "../types";
import type { ResourceType } from "../registry";

let sim: KubectlCluster;
const PKI = "/etc/kubernetes/pki/etcd";
const TLS = ["--endpoints=https://127.0.0.1:2379", `--cacert=${PKI}/ca.crt`, `--cert=${PKI}/server.crt`, `--key=${PKI}/server.key`];
const etcdctl = (...args: string[]): ReturnType<KubectlCluster["kubectl"]> => sim.kubectl("exec", "-n", "kube-system", "etcd-controlplane", "--", "etcdctl", ...args);
const jsonLines = (text: string): { level: string; msg: string; [field: string]: unknown }[] =>
  text
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { level: string; msg: string });

async function etcdContainerFile(file: string): Promise<string> {
  const cluster = await sim.driver.cluster("learner-1");
  if (!cluster) throw new Error("no cluster");
  const pod = cluster.service.get(cluster.registry.find("", "v1", "pods") as ResourceType, "kube-system", "etcd-controlplane") as Pod;
  return cluster.containers.container(pod, "etcd")?.fs.readFile(file) ?? "";
}

beforeAll(async () => {
  sim = await startKubectlCluster();
  expect((await sim.kubectl("create", "deployment", "web", "--image=nginx", "--replicas=2")).code).toBe(0);
  expect((await sim.kubectl("create", "configmap", "settings", "--from-literal=mode=blue")).code).toBe(0);
  await advanceClock(sim.clock, 10_000);
});
afterAll(async () => sim.close());

describe("the etcd pod", () => {
  it("is distroless: no shell, but etcdctl", async () => {
    const shell = await sim.kubectl("exec", "-n", "kube-system", "etcd-controlplane", "--", "sh");
    expect(shell.stderr).toContain('exec: "sh": executable file not found in $PATH');
    expect(shell.code).not.toBe(0);
    const version = await etcdctl("version");
    expect(version.stdout).toBe("etcdctl version: 3.5.16\nAPI version: 3.5\n");
  });

  it("shows its certificate paths in the manifest's command", async () => {
    const command = await sim.kubectl("get", "pod", "-n", "kube-system", "etcd-controlplane", "-o", "jsonpath={.spec.containers[0].command}");
    expect(JSON.parse(command.stdout)).toEqual(expect.arrayContaining(["etcd", `--cert-file=${PKI}/server.crt`, `--key-file=${PKI}/server.key`, `--trusted-ca-file=${PKI}/ca.crt`, "--data-dir=/var/lib/etcd", "--listen-client-urls=https://127.0.0.1:2379,https://172.30.1.2:2379"]));
  });
});

describe("etcdctl against the TLS-only etcd", () => {
  it("times out without client certificates, as upstream", async () => {
    const result = await whileAdvancing(sim.clock, etcdctl("member", "list"), 20_000);
    const [warn, ...rest] = result.stderr.split("\n");
    expect(JSON.parse(warn ?? "")).toMatchObject({ level: "warn", logger: "etcd-client", msg: "retrying of unary invoker failed", error: 'rpc error: code = DeadlineExceeded desc = latest balancer error: last connection error: connection error: desc = "error reading server preface: EOF"' });
    expect(rest.join("\n")).toBe("Error: context deadline exceeded\ncommand terminated with exit code 1\n");
    expect(result.code).toBe(1);
  });

  it("rejects a key that does not belong to the certificate", async () => {
    const result = await etcdctl("--cacert", `${PKI}/ca.crt`, "--cert", `${PKI}/server.crt`, "--key", `${PKI}/ca.key`, "member", "list");
    expect(result.stderr).toBe("Error: tls: private key does not match public key\ncommand terminated with exit code 128\n");
  });

  it("lists the member and reports the endpoint healthy", async () => {
    const list = await etcdctl(...TLS, "member", "list", "-w", "table");
    expect(rows(list.stdout.replace(/[|+]/g, " ").replace(/^\s*-+\s*$/gm, ""))).toContainEqual(["ID", "STATUS", "NAME", "PEER ADDRS", "CLIENT ADDRS", "IS LEARNER"]);
    expect(list.stdout).toMatch(/^\| [0-9a-f]+ \| started \| controlplane \| https:\/\/172\.30\.1\.2:2380 \| https:\/\/172\.30\.1\.2:2379 \| {6}false \|$/m);
    const simple = await etcdctl(...TLS, "member", "list");
    expect(simple.stdout).toMatch(/^[0-9a-f]+, started, controlplane, https:\/\/172\.30\.1\.2:2380, https:\/\/172\.30\.1\.2:2379, false\n$/);
    const health = await etcdctl(...TLS, "endpoint", "health");
    expect(health.stdout).toMatch(/^https:\/\/127\.0\.0\.1:2379 is healthy: successfully committed proposal: took = [\d.]+ms\n$/);
  });

  it("reads the live store with the kube-apiserver's key layout", async () => {
    const pods = await sim.kubectl("get", "pods", "-l", "app=web", "-o", "name");
    const names = pods.stdout.trim().split("\n").map((n) => n.replace("pod/", ""));
    expect(names).toHaveLength(2);
    const keys = await etcdctl(...TLS, "get", "/registry/pods/default", "--prefix", "--keys-only");
    expect(keys.stdout).toBe(names.sort().map((n) => `/registry/pods/default/${n}\n\n`).join(""));
    const deployments = await etcdctl(...TLS, "get", "/registry/deployments/default/", "--prefix", "--keys-only");
    expect(deployments.stdout).toBe("/registry/deployments/default/web\n\n");
    const services = await etcdctl(...TLS, "get", "/registry/services/specs/default/kubernetes", "--keys-only");
    expect(services.stdout).toBe("/registry/services/specs/default/kubernetes\n\n");
    const value = await etcdctl(...TLS, "get", "/registry/configmaps/default/settings", "--print-value-only");
    expect(JSON.parse(value.stdout)).toMatchObject({ kind: "ConfigMap", metadata: { name: "settings", namespace: "default" }, data: { mode: "blue" } });
  });
});

describe("snapshots", () => {
  const local = (): string => path.join(sim.dir, "snap.db");

  it("saves a snapshot of the store as etcdctl 3.5 does", async () => {
    const save = await etcdctl(...TLS, "snapshot", "save", "/var/lib/etcd/snap.db");
    expect(save.stdout).toBe("Snapshot saved at /var/lib/etcd/snap.db\n");
    const logs = jsonLines(save.stderr);
    expect(logs.map((l) => l.msg)).toEqual(["created temporary db file", "opened snapshot stream; downloading", "fetching snapshot", "completed snapshot read; closing", "fetched snapshot", "saved"]);
    expect(logs[0]).toMatchObject({ level: "info", caller: "snapshot/v3_snapshot.go:65", path: "/var/lib/etcd/snap.db.part", });
    expect(logs[0]?.ts).toMatch(/^2026-03-01T12:\d\d:\d\d\.\d{3}000Z$/);
    expect(logs[4]).toMatchObject({ endpoint: "https://127.0.0.1:2379", took: "now" });
    const bytes = await etcdContainerFile("/var/lib/etcd/snap.db");
    expect(logs[4]?.size).toBe(humanBytes(Buffer.byteLength(bytes)));
    const cluster = await sim.driver.cluster("learner-1");
    expect(decodeSnapshot(bytes).revision).toBe(cluster?.store.revision);
  });

  it("reports its status as a table, with the deprecation notice on stderr", async () => {
    const status = await etcdctl("snapshot", "status", "/var/lib/etcd/snap.db", "-w", "table");
    expect(status.stderr).toBe("Deprecated: Use `etcdutl snapshot status` instead.\n\n");
    const expected = snapshotStatus(await etcdContainerFile("/var/lib/etcd/snap.db"));
    const lines = status.stdout.split("\n");
    expect(lines[0]).toBe(lines[2]);
    expect(lines[1]).toMatch(/^\| +HASH +\| REVISION \| TOTAL KEYS \| TOTAL SIZE \|$/);
    expect(lines[3]?.split("|").map((c) => c.trim())).toEqual(["", expected.hash.toString(16), String(expected.revision), String(expected.totalKey), humanBytes(expected.totalSize), ""]);
    const utl = await sim.kubectl("exec", "-n", "kube-system", "etcd-controlplane", "--", "etcdutl", "snapshot", "status", "/var/lib/etcd/snap.db");
    expect(utl.stdout).toBe(`${expected.hash.toString(16)}, ${expected.revision}, ${expected.totalKey}, ${humanBytes(expected.totalSize)}\n`);
  });

  it("restores a snapshot into a new data directory", async () => {
    const restore = await sim.kubectl("exec", "-n", "kube-system", "etcd-controlplane", "--", "etcdutl", "snapshot", "restore", "/var/lib/etcd/snap.db", "--data-dir", "/var/lib/etcd-from-backup");
    expect(restore.code).toBe(0);
    const logs = restore.stderr.trim().split("\n").map((l) => l.split("\t"));
    expect(logs.map((l) => l.slice(1, 4))).toEqual([
      ["info", "snapshot/v3_snapshot.go:265", "restoring snapshot"],
      ["info", "membership/store.go:141", "Trimming membership information from the backend..."],
      ["info", "membership/cluster.go:421", "added member"],
      ["info", "snapshot/v3_snapshot.go:293", "restored snapshot"],
    ]);
    expect(logs[2]?.[4]).toBe('{"cluster-id": "cdf818194e3a8c32", "local-member-id": "0", "added-peer-id": "8e9e05c52164694d", "added-peer-peer-urls": ["http://localhost:2380"]}');
    expect(await etcdContainerFile("/var/lib/etcd-from-backup/member/snap/db")).toBe(await etcdContainerFile("/var/lib/etcd/snap.db"));
    const again = await sim.kubectl("exec", "-n", "kube-system", "etcd-controlplane", "--", "etcdutl", "snapshot", "restore", "/var/lib/etcd/snap.db", "--data-dir", "/var/lib/etcd-from-backup");
    expect(again.stderr).toContain('Error: data-dir "/var/lib/etcd-from-backup" not empty or could not be read\n');
  });

  it("copies out with kubectl cp and boots a fresh cluster holding the objects", async () => {
    const cp = await sim.kubectl("cp", "kube-system/etcd-controlplane:/var/lib/etcd/snap.db", local());
    expect(cp.stdout).toBe("tar: removing leading '/' from member names\n");
    expect(cp.code).toBe(0);
    const bytes = await readFile(local());
    expect(bytes.toString("utf8")).toBe(await etcdContainerFile("/var/lib/etcd/snap.db"));

    const restored = await startKubectlCluster("learner-2", "2026-03-01T13:00:00Z", bytes);
    try {
      const deployments = await restored.kubectl("get", "deployments");
      expect(rows(deployments.stdout)).toEqual([
        ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"],
        ["web", "2/2", "2", "2", "60m"],
      ]);
      const before = await sim.kubectl("get", "pods", "-l", "app=web", "-o", "name");
      const after = await restored.kubectl("get", "pods", "-l", "app=web", "-o", "name");
      expect(after.stdout).toBe(before.stdout);
      // The new cluster's kubelets run the pods again: fresh processes, fresh logs.
      const pod = after.stdout.trim().split("\n")[0] ?? "";
      await advanceClock(restored.clock, 1_000);
      expect((await restored.kubectl("logs", pod)).stdout).toContain("Configuration complete; ready for start up");
      expect((await restored.kubectl("scale", "deployment", "web", "--replicas=3")).stdout).toBe("deployment.apps/web scaled\n");
      await advanceClock(restored.clock, 10_000);
      const scaled = rows((await restored.kubectl("get", "pods", "-l", "app=web")).stdout).slice(1);
      expect(scaled.map((r) => [r[1], r[2]])).toEqual([["1/1", "Running"], ["1/1", "Running"], ["1/1", "Running"]]);
    } finally {
      await restored.close();
    }
  });

  it("copies a file in with kubectl cp (tar -xmf - -C dir)", async () => {
    const cp = await sim.kubectl("cp", local(), "kube-system/etcd-controlplane:/var/lib/etcd/copy.db");
    expect(cp.stderr).toBe("");
    expect(await etcdContainerFile("/var/lib/etcd/copy.db")).toBe(await etcdContainerFile("/var/lib/etcd/snap.db"));
  });

  it("fails after --command-timeout without TLS flags (without one it retries until interrupted)", async () => {
    const result = await whileAdvancing(sim.clock, etcdctl("snapshot", "save", "/tmp/nope.db", "--command-timeout=30s"), 60_000);
    const [created, warn, error] = result.stderr.split("\n");
    expect(JSON.parse(created ?? "")).toMatchObject({ msg: "created temporary db file", path: "/tmp/nope.db.part" });
    expect(JSON.parse(warn ?? "")).toMatchObject({ level: "warn", msg: "retrying of unary invoker failed" });
    expect(error).toBe("Error: context deadline exceeded");
    expect(result.code).toBe(5);
  });
});
