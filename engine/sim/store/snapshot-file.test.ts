// The etcd snapshot file: round trip, ASCII only, checksum and format errors
// worded as etcd words them; and the store keys in etcd's layout.
import { describe, expect, it } from "vitest";
import { Store } from "./store";
import { decodeSnapshot, encodeSnapshot, SnapshotFileError, snapshotStatus } from "./snapshot-file";
import { etcdKey } from "./etcd-keys";

function store(): Store {
  const s = new Store();
  s.create("/core/configmaps/default/greeting", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "greeting", namespace: "default" }, data: { text: "grüß dich ✓" } });
  s.create("/core/nodes/node01", { apiVersion: "v1", kind: "Node", metadata: { name: "node01" } });
  return s;
}

describe("snapshot file", () => {
  it("round-trips the store as ASCII text with a sha256 trailer", () => {
    const original = store();
    const text = encodeSnapshot(original.snapshot());
    expect([...text].every((c) => c.charCodeAt(0) < 0x80)).toBe(true);
    expect(text.split("\n")[0]).toBe("sim-etcd-snapshot 1");
    expect(text.split("\n")[2]).toMatch(/^sha256 [0-9a-f]{64}$/);
    const restored = Store.restore(decodeSnapshot(Buffer.from(text)));
    expect(restored.revision).toBe(original.revision);
    expect(restored.get("/core/configmaps/default/greeting")).toEqual(original.get("/core/configmaps/default/greeting"));
    expect(snapshotStatus(text)).toMatchObject({ revision: original.revision, totalKey: 2, totalSize: text.length });
  });

  it("refuses a tampered file unless the hash check is skipped, and what is no snapshot", () => {
    const tampered = encodeSnapshot(store().snapshot()).replace("node01", "node99");
    expect(() => decodeSnapshot(tampered)).toThrow(/^expected sha256 \[(\d+ ){31}\d+\], got \[(\d+ ){31}\d+\]$/);
    expect(decodeSnapshot(tampered, { skipHashCheck: true }).objects.map(([key]) => key)).toContain("/core/nodes/node99");
    expect(() => decodeSnapshot("hello\n")).toThrow(new SnapshotFileError("invalid database"));
  });

  it("names keys as the kube-apiserver stores them in etcd", () => {
    expect(etcdKey("/core/pods/default/web-1")).toBe("/registry/pods/default/web-1");
    expect(etcdKey("/apps/deployments/default/web")).toBe("/registry/deployments/default/web");
    expect(etcdKey("/core/nodes/node01")).toBe("/registry/minions/node01");
    expect(etcdKey("/core/services/default/kubernetes")).toBe("/registry/services/specs/default/kubernetes");
    expect(etcdKey("/core/endpoints/default/kubernetes")).toBe("/registry/services/endpoints/default/kubernetes");
    expect(etcdKey("/rbac.authorization.k8s.io/clusterroles/admin")).toBe("/registry/clusterroles/admin");
    expect(etcdKey("/example.com/widgets/default/w")).toBe("/registry/example.com/widgets/default/w");
  });
});
