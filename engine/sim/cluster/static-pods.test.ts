// Lesson 17's "find a static pod", through the real kubectl: the control-plane
// components are mirror pods of the kubelet's static pods (config.source file,
// config.mirror, owned by the Node, no service account), and a deleted mirror
// pod comes back at once without its containers being stopped.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { advanceClock, rows, startKubectlCluster, whileAdvancing, type KubectlCluster } from "../test-kubectl";

let sim: KubectlCluster;
const NAMES = ["etcd-controlplane", "kube-apiserver-controlplane", "kube-controller-manager-controlplane", "kube-scheduler-controlplane"];

interface PodJson {
  metadata: { uid: string; creationTimestamp: string; annotations?: Record<string, string>; ownerReferences?: { kind: string; name: string; controller?: boolean }[] };
  spec: { serviceAccountName?: string; volumes?: { name: string; hostPath?: { path: string } }[] };
  status: { containerStatuses?: { restartCount: number; state: { running?: { startedAt: string } } }[] };
}

async function pod(name: string): Promise<PodJson> {
  const result = await sim.kubectl("get", "pod", "-n", "kube-system", name, "-o", "json");
  expect(result.stderr).toBe("");
  return JSON.parse(result.stdout) as PodJson;
}

beforeAll(async () => {
  sim = await startKubectlCluster();
  await advanceClock(sim.clock, 120_000, 5_000);
});
afterAll(async () => sim.close());

describe("static pods", () => {
  it("are mirror pods the kubelet posted from manifest files, owned by the node", async () => {
    for (const name of NAMES) {
      const mirror = await pod(name);
      const annotations = mirror.metadata.annotations ?? {};
      expect(annotations["kubernetes.io/config.source"]).toBe("file");
      expect(annotations["kubernetes.io/config.mirror"]).toMatch(/^[0-9a-f]{32}$/);
      expect(annotations["kubernetes.io/config.mirror"]).toBe(annotations["kubernetes.io/config.hash"]);
      expect(mirror.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: "Node", name: "controlplane", controller: true })]);
      expect(mirror.spec.serviceAccountName).toBeUndefined();
    }
    const etcd = await pod("etcd-controlplane");
    expect(etcd.spec.volumes?.map((v) => [v.name, v.hostPath?.path])).toEqual([
      ["etcd-certs", "/etc/kubernetes/pki/etcd"],
      ["etcd-data", "/var/lib/etcd"],
    ]);
    const source = await sim.kubectl("get", "pods", "-n", "kube-system", "-o", "custom-columns=NAME:.metadata.name,SOURCE:.metadata.annotations.kubernetes\\.io/config\\.source");
    expect(rows(source.stdout).filter((r) => r[1] === "file").map((r) => r[0])).toEqual(NAMES);
  });

  it("come back when their mirror pod is deleted, with the same containers", async () => {
    const before = await pod("kube-scheduler-controlplane");
    const deleted = await whileAdvancing(sim.clock, sim.kubectl("delete", "pod", "-n", "kube-system", "kube-scheduler-controlplane"));
    expect(deleted.stdout).toBe('pod "kube-scheduler-controlplane" deleted\n');
    const after = await pod("kube-scheduler-controlplane");
    expect(after.metadata.uid).not.toBe(before.metadata.uid);
    expect(after.metadata.annotations?.["kubernetes.io/config.mirror"]).toBe(before.metadata.annotations?.["kubernetes.io/config.mirror"]);
    expect(after.status.containerStatuses).toEqual(before.status.containerStatuses);
    const table = rows((await sim.kubectl("get", "pod", "-n", "kube-system", "kube-scheduler-controlplane")).stdout);
    expect(table[1]?.slice(0, 4)).toEqual(["kube-scheduler-controlplane", "1/1", "Running", "0"]);
    expect(table[1]?.[4]).toMatch(/^\d+s$/);
    // Its containers were never stopped: no Killing event.
    const killing = await sim.kubectl("get", "events", "-n", "kube-system", "--field-selector", "reason=Killing");
    expect(killing.stderr).toBe("No resources found in kube-system namespace.\n");
  });

  it("come back after a forced deletion too, and keep serving", async () => {
    const forced = await sim.kubectl("delete", "pod", "-n", "kube-system", "etcd-controlplane", "--grace-period=0", "--force");
    expect(forced.code).toBe(0);
    const etcd = await pod("etcd-controlplane");
    expect(etcd.status.containerStatuses?.[0]?.state.running).toBeDefined();
    await advanceClock(sim.clock, 1_000);
    const version = await sim.kubectl("exec", "-n", "kube-system", "etcd-controlplane", "--", "etcdctl", "version");
    expect(version.stdout).toBe("etcdctl version: 3.5.16\nAPI version: 3.5\n");
  });
});
