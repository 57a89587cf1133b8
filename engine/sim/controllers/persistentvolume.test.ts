// PV/PVC binding, dynamic provisioning for the seeded `standard` class, reclaim policies.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KObject, Pod } from "../types";
import type { PersistentVolume, PersistentVolumeClaim } from "../registry";
import { podVolumeClaimProblem } from "./persistentvolume";
import { testCluster, type TestCluster } from "./test-cluster";

let t: TestCluster;

beforeEach(async () => {
  t = await testCluster();
});

afterEach(() => {
  t.cluster.dispose();
});

function pvc(name: string, spec: Record<string, unknown> = {}): KObject {
  return { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, ...spec } };
}

function pv(name: string, size: string, spec: Record<string, unknown> = {}): KObject {
  return { apiVersion: "v1", kind: "PersistentVolume", metadata: { name }, spec: { capacity: { storage: size }, accessModes: ["ReadWriteOnce"], hostPath: { path: `/data/${name}` }, ...spec } };
}

function podUsing(name: string, claim: string): KObject {
  return { apiVersion: "v1", kind: "Pod", metadata: { name }, spec: { containers: [{ name: "c", image: "nginx:1.27" }], volumes: [{ name: "data", persistentVolumeClaim: { claimName: claim } }] } };
}

const claim = (name: string): PersistentVolumeClaim => t.get("", "persistentvolumeclaims", name) as PersistentVolumeClaim;
const volume = (name: string): PersistentVolume | undefined => t.get("", "persistentvolumes", name);

describe("PersistentVolume controller", () => {
  it("gives a claim the default class and waits for its first consumer, then provisions and binds", async () => {
    t.create("", "persistentvolumeclaims", pvc("data"));
    await t.advance(1000);
    expect(claim("data").spec?.storageClassName).toBe("standard");
    expect(claim("data").metadata.finalizers).toEqual(["kubernetes.io/pvc-protection"]);
    expect(claim("data").status?.phase).toBe("Pending");
    expect(t.events("WaitForFirstConsumer")).toEqual(["waiting for first consumer to be created before binding"]);
    t.create("", "pods", podUsing("user", "data"));
    await t.advance(3000);
    const bound = claim("data");
    const pvName = `pvc-${bound.metadata.uid ?? ""}`;
    expect(bound.status).toMatchObject({ phase: "Bound", capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"] });
    expect(bound.spec?.volumeName).toBe(pvName);
    expect(volume(pvName)?.status?.phase).toBe("Bound");
    expect(volume(pvName)?.spec).toMatchObject({ persistentVolumeReclaimPolicy: "Delete", storageClassName: "standard", claimRef: { name: "data", namespace: "default" } });
    expect(t.events("ProvisioningSucceeded")).toEqual([`Successfully provisioned volume ${pvName}`]);
    expect((t.get("", "pods", "user") as Pod).status?.phase).toBe("Running");
    // Reclaim policy Delete: the claim goes (after its pod), and so does the volume.
    t.cluster.service.delete(t.type("", "pods"), "default", "user");
    t.cluster.service.delete(t.type("", "persistentvolumeclaims"), "default", "data");
    await t.advance(40_000, 1000);
    expect(t.get("", "persistentvolumeclaims", "data")).toBeUndefined();
    expect(volume(pvName)).toBeUndefined();
  });

  it("binds a static volume by class, size and access modes; Retain leaves it Released", async () => {
    t.create("", "persistentvolumes", pv("small", "500Mi", { storageClassName: "manual" }));
    t.create("", "persistentvolumes", pv("big", "5Gi", { storageClassName: "manual" }));
    t.create("", "persistentvolumes", pv("rwx", "1Gi", { storageClassName: "manual", accessModes: ["ReadWriteMany"] }));
    t.create("", "persistentvolumes", pv("exact", "2Gi", { storageClassName: "manual" }));
    t.create("", "persistentvolumeclaims", pvc("claim", { storageClassName: "manual", resources: { requests: { storage: "1Gi" } } }));
    await t.advance(500);
    expect(claim("claim").spec?.volumeName).toBe("exact");
    expect(claim("claim").status).toMatchObject({ phase: "Bound", capacity: { storage: "2Gi" } });
    expect(volume("exact")?.status?.phase).toBe("Bound");
    expect(volume("big")?.status?.phase).toBe("Available");
    t.cluster.service.delete(t.type("", "persistentvolumeclaims"), "default", "claim");
    await t.advance(500);
    expect(volume("exact")?.status?.phase).toBe("Released");
  });

  it("tells the scheduler about unbound immediate claims", async () => {
    t.create("storage.k8s.io", "storageclasses", { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: "slow" }, provisioner: "kubernetes.io/no-provisioner", volumeBindingMode: "Immediate" });
    t.create("", "persistentvolumeclaims", pvc("nothing", { storageClassName: "slow" }));
    await t.advance(200);
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "default" }, spec: { containers: [], volumes: [{ name: "d", persistentVolumeClaim: { claimName: "nothing" } }] } } as Pod;
    expect(podVolumeClaimProblem(t.cluster.service, t.cluster.registry, pod)).toBe("pod has unbound immediate PersistentVolumeClaims");
    const missing = { ...pod, spec: { containers: [], volumes: [{ name: "d", persistentVolumeClaim: { claimName: "ghost" } }] } } as Pod;
    expect(podVolumeClaimProblem(t.cluster.service, t.cluster.registry, missing)).toBe('persistentvolumeclaim "ghost" not found');
  });

  it("keeps a pod with an unbound immediate claim Pending, and schedules it once the claim binds", async () => {
    t.create("storage.k8s.io", "storageclasses", { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: "manual" }, provisioner: "kubernetes.io/no-provisioner", volumeBindingMode: "Immediate" });
    t.create("", "persistentvolumeclaims", pvc("orders", { storageClassName: "manual" }));
    t.create("", "pods", podUsing("db", "orders"));
    t.create("", "pods", podUsing("lost", "ghost"));
    await t.advance(2000);
    const pod = (name: string): Pod => t.get("", "pods", name) as Pod;
    expect(pod("db").spec.nodeName).toBeUndefined();
    expect(t.events("FailedScheduling")).toEqual(
      expect.arrayContaining([
        "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
        '0/3 nodes are available: persistentvolumeclaim "ghost" not found. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
      ]),
    );
    t.create("", "persistentvolumes", pv("disk", "1Gi", { storageClassName: "manual" }));
    await t.advance(10_000);
    expect(claim("orders").status?.phase).toBe("Bound");
    expect(pod("db").spec.nodeName).toMatch(/^node0[12]$/);
    expect(pod("db").status?.phase).toBe("Running");
  });
});
