// Unit tests of the patch flavours and of field ownership, on plain JSON.
import { describe, expect, it } from "vitest";
import { ApiError } from "../status";
import { jsonPatch } from "./json-patch";
import type { Json, JsonObject } from "./json";
import { FieldSet, pathString } from "./managed-fields";
import { mergePatch } from "./merge-patch";
import { builtinPatchMeta } from "./patch-meta";
import { recordUpdate, serverSideApply } from "./server-side-apply";
import { strategicMergePatch } from "./strategic-merge";

const podMeta = builtinPatchMeta("v1", "Pod");
const smp = (original: Json, patch: Json): Json => strategicMergePatch(original, patch, podMeta);

const pod = (): JsonObject => ({
  metadata: { name: "p", labels: { a: "1" }, finalizers: ["x", "y"] },
  spec: {
    containers: [
      { name: "web", image: "nginx:1.27", ports: [{ containerPort: 80, protocol: "TCP" }], env: [{ name: "A", value: "1" }] },
      { name: "side", image: "busybox" },
    ],
    tolerations: [{ key: "k", operator: "Exists" }],
  },
});

function failureOf(action: () => unknown): { code: number; message: string; detail?: string } {
  try {
    action();
  } catch (error) {
    if (error instanceof ApiError) return { code: error.status.code, message: error.status.message, detail: (error as ApiError & { detail?: string }).detail };
    throw error;
  }
  throw new Error("expected a failure");
}

describe("strategic merge patch", () => {
  it("merges lists of objects by merge key, keeping unnamed fields (ports survive an image change)", () => {
    const out = smp(pod(), { spec: { containers: [{ name: "web", image: "nginx:1.28" }] } }) as { spec: { containers: JsonObject[] } };
    expect(out.spec.containers.map((c) => c.name)).toEqual(["web", "side"]);
    expect(out.spec.containers[0]).toMatchObject({ image: "nginx:1.28", ports: [{ containerPort: 80, protocol: "TCP" }] });
  });

  it("puts a new item before live items the patch does not name (upstream order)", () => {
    const out = smp(pod(), { spec: { containers: [{ name: "new", image: "redis" }] } }) as { spec: { containers: JsonObject[] } };
    expect(out.spec.containers.map((c) => c.name)).toEqual(["new", "web", "side"]);
  });

  it("orders by $setElementOrder, live-only items last", () => {
    const out = smp(pod(), { spec: { $setElementOrder: null, "$setElementOrder/containers": [{ name: "side" }, { name: "new" }], containers: [{ name: "new", image: "redis" }] } }) as { spec: { containers: JsonObject[] } };
    expect(out.spec.containers.map((c) => c.name)).toEqual(["side", "new", "web"]);
  });

  it("replaces atomic lists (tolerations) and deletes with null", () => {
    const out = smp(pod(), { metadata: { labels: { a: null, b: "2" } }, spec: { tolerations: [{ key: "z", operator: "Exists" }] } }) as JsonObject;
    expect(out).toMatchObject({ metadata: { labels: { b: "2" } }, spec: { tolerations: [{ key: "z", operator: "Exists" }] } });
    expect((out.metadata as JsonObject).labels).toEqual({ b: "2" });
  });

  it("$patch: delete removes an item; $patch: replace replaces a list or a map", () => {
    const deleted = smp(pod(), { spec: { containers: [{ name: "side", $patch: "delete" }] } }) as { spec: { containers: JsonObject[] } };
    expect(deleted.spec.containers.map((c) => c.name)).toEqual(["web"]);
    const replaced = smp(pod(), { spec: { containers: [{ $patch: "replace" }, { name: "only", image: "x" }] } }) as { spec: { containers: JsonObject[] } };
    expect(replaced.spec.containers).toEqual([{ name: "only", image: "x" }]);
    const map = smp(pod(), { metadata: { labels: { $patch: "replace", c: "3" } } }) as { metadata: JsonObject };
    expect(map.metadata.labels).toEqual({ c: "3" });
    expect(smp(pod(), { metadata: { labels: { $patch: "delete" } } })).toMatchObject({ metadata: { labels: {} } });
  });

  it("merges primitive lists with strategy merge (finalizers) and $deleteFromPrimitiveList", () => {
    expect(smp(pod(), { metadata: { finalizers: ["z", "x"] } })).toMatchObject({ metadata: { finalizers: ["z", "x", "y"] } });
    expect(smp(pod(), { metadata: { "$deleteFromPrimitiveList/finalizers": ["x"] } })).toMatchObject({ metadata: { finalizers: ["y"] } });
  });

  it("$retainKeys drops keys not listed", () => {
    const out = smp({ spec: { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } } } }, { spec: { strategy: { $retainKeys: ["type"], type: "Recreate" } } });
    expect(out).toEqual({ spec: { strategy: { type: "Recreate" } } });
    expect(failureOf(() => smp({}, { spec: { $retainKeys: ["a"], b: 1 } })).message).toBe("invalid patch format of retainKeys");
  });

  it("merges containers/ports by containerPort and env by name", () => {
    const out = smp(pod(), { spec: { containers: [{ name: "web", ports: [{ containerPort: 443 }], env: [{ name: "A", value: "2" }] }] } }) as { spec: { containers: JsonObject[] } };
    expect(out.spec.containers[0]).toMatchObject({ ports: [{ containerPort: 443 }, { containerPort: 80, protocol: "TCP" }], env: [{ name: "A", value: "2" }] });
  });

  it("rejects unknown directives and items without their merge key", () => {
    expect(failureOf(() => smp(pod(), { metadata: { $patch: "bogus" } })).message).toMatch(/^unknown patch type: bogus in map: /);
    expect(failureOf(() => smp(pod(), { spec: { containers: [{ image: "x" }] } })).message).toBe("map: map[image:x] does not contain declared merge key: name");
  });
});

describe("JSON merge patch", () => {
  it("merges maps, replaces lists, null deletes", () => {
    expect(mergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { b: null, d: 3 }, l: [3] })).toEqual({ a: { c: 2, d: 3 }, l: [3] });
    expect(mergePatch({ a: 1 }, [1])).toEqual([1]);
  });
});

describe("JSON patch", () => {
  const doc = (): Json => ({ metadata: { labels: { "a/b": "1", "t~x": "2" } }, list: [1, 2, 3] });

  it("applies add, remove, replace, move, copy and test with ~0/~1 escapes", () => {
    const out = jsonPatch(doc(), [
      { op: "add", path: "/list/1", value: 9 },
      { op: "add", path: "/list/-", value: 4 },
      { op: "remove", path: "/metadata/labels/a~1b" },
      { op: "replace", path: "/metadata/labels/t~0x", value: "3" },
      { op: "copy", from: "/list/0", path: "/first" },
      { op: "move", from: "/first", path: "/moved" },
      { op: "test", path: "/moved", value: 1 },
    ]);
    expect(out).toEqual({ metadata: { labels: { "t~x": "3" } }, list: [1, 9, 2, 3, 4], moved: 1 });
  });

  it("fails like the API server: 422 with the jsonpatch detail", () => {
    const cases: [unknown, string][] = [
      [[{ op: "remove", path: "/spec/nope" }], `remove operation does not apply: doc is missing path: "/spec/nope": missing value`],
      [[{ op: "remove", path: "/metadata/nope" }], "error in remove for path: '/metadata/nope': Unable to remove nonexistent key: nope: missing value"],
      [[{ op: "replace", path: "/metadata/nope", value: 1 }], "replace operation does not apply: doc is missing key: /metadata/nope: missing value"],
      [[{ op: "add", path: "/list/7", value: 1 }], "error in add for path: '/list/7': Unable to access invalid index: 7: invalid index referenced"],
      [[{ op: "test", path: "/list/0", value: 2 }], "testing value /list/0 failed: test failed"],
      [[{ op: "move", from: "/nope/x", path: "/y" }], "move operation does not apply: doc is missing from path: /nope/x: missing value"],
      [[{ op: "frob", path: "/x" }], "Unexpected kind: frob"],
    ];
    for (const [ops, detail] of cases) {
      const failure = failureOf(() => jsonPatch(doc(), ops));
      expect(failure).toEqual({ code: 422, message: "the server rejected our request due to an error in our request", detail });
    }
    expect(failureOf(() => jsonPatch(doc(), { op: "add" }))).toMatchObject({ code: 400, message: "json: cannot unmarshal object into Go value of type jsonpatch.Patch" });
  });

  it("leaves the target untouched when an operation fails", () => {
    const target = doc();
    failureOf(() => jsonPatch(target, [{ op: "add", path: "/x", value: 1 }, { op: "remove", path: "/nope" }]));
    expect(target).toEqual(doc());
  });
});

/** The object an apply produced, carrying its managedFields (as the service stores it). */
function withManaged(result: { object: JsonObject; managedFields: unknown }): JsonObject {
  return { ...result.object, metadata: { ...(result.object.metadata as JsonObject), managedFields: result.managedFields as Json } };
}

describe("managed fields", () => {
  const meta = builtinPatchMeta("apps/v1", "Deployment");
  const options = { meta, scope: "main" as const };
  const deployment = (replicas: number, image = "nginx:1.27"): JsonObject => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", labels: { app: "web" } },
    spec: { replicas, selector: { matchLabels: { app: "web" } }, template: { spec: { containers: [{ name: "nginx", image, ports: [{ containerPort: 80 }] }] } } },
  });

  it("encodes sets as FieldsV1 and paths as upstream prints them", () => {
    const set = FieldSet.fromFieldsV1({ "f:spec": { "f:containers": { 'k:{"name":"nginx"}': { ".": {}, "f:image": {} } } } });
    expect(set.paths().map(pathString)).toEqual(['.spec.containers[name="nginx"]', '.spec.containers[name="nginx"].image']);
    expect(set.toFieldsV1()).toEqual({ "f:spec": { "f:containers": { 'k:{"name":"nginx"}': { ".": {}, "f:image": {} } } } });
    expect(pathString(["f:metadata", "f:finalizers", 'v:"x"'])).toBe('.metadata.finalizers[="x"]');
  });

  it("records an apply's configuration: leaves, keyed items with defaulted keys, atomic selector", () => {
    const { managedFields } = serverSideApply(undefined, deployment(2), { manager: "kubectl", apiVersion: "apps/v1" }, false, "2026-03-01T12:00:00Z", options);
    expect(managedFields).toEqual([
      {
        manager: "kubectl",
        operation: "Apply",
        apiVersion: "apps/v1",
        time: "2026-03-01T12:00:00Z",
        fieldsType: "FieldsV1",
        fieldsV1: {
          "f:metadata": { "f:labels": { "f:app": {} } },
          "f:spec": {
            "f:replicas": {},
            "f:selector": {},
            "f:template": {
              "f:spec": {
                "f:containers": {
                  'k:{"name":"nginx"}': { ".": {}, "f:image": {}, "f:name": {}, "f:ports": { 'k:{"containerPort":80,"protocol":"TCP"}': { ".": {}, "f:containerPort": {} } } },
                },
              },
            },
          },
        },
      },
    ]);
  });

  it("an update takes the fields it changes; applying them back is a conflict unless forced", () => {
    const created = serverSideApply(undefined, deployment(2), { manager: "kubectl", apiVersion: "apps/v1" }, false, "t0", options);
    const live = withManaged(created);
    const scaled = structuredClone(live);
    (scaled.spec as JsonObject).replicas = 5;
    const managed = recordUpdate(live, scaled, { manager: "kubectl-scale", apiVersion: "apps/v1" }, "t1", options);
    expect(managed.map((m) => [m.manager, m.operation, m.fieldsV1])).toContainEqual(["kubectl-scale", "Update", { "f:spec": { "f:replicas": {} } }]);
    (scaled.metadata as JsonObject).managedFields = managed as unknown as Json;

    const conflict = failureOf(() => serverSideApply(scaled, deployment(3), { manager: "kubectl", apiVersion: "apps/v1" }, false, "t2", options));
    expect(conflict).toMatchObject({ code: 409, message: 'Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1: .spec.replicas' });
    // Same value: shared ownership, no conflict.
    expect(() => serverSideApply(scaled, deployment(5), { manager: "kubectl", apiVersion: "apps/v1" }, false, "t2", options)).not.toThrow();
    const forced = serverSideApply(scaled, deployment(3), { manager: "kubectl", apiVersion: "apps/v1" }, true, "t2", options);
    expect((forced.object.spec as JsonObject).replicas).toBe(3);
    expect(forced.managedFields.map((m) => m.manager)).toEqual(["kubectl"]);
  });

  it("removes fields dropped from the applied configuration unless another manager owns them", () => {
    const first = serverSideApply(undefined, { ...deployment(2), metadata: { name: "web", labels: { app: "web", tier: "x" } } }, { manager: "a", apiVersion: "apps/v1" }, false, "t0", options);
    const live = withManaged(first);
    const second = serverSideApply(live, deployment(2), { manager: "a", apiVersion: "apps/v1" }, false, "t1", options);
    expect((second.object.metadata as JsonObject).labels).toEqual({ app: "web" });
    const shared = serverSideApply(live, { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", labels: { tier: "x" } } }, { manager: "b", apiVersion: "apps/v1" }, false, "t1", options);
    const kept = serverSideApply(withManaged(shared), deployment(2), { manager: "a", apiVersion: "apps/v1" }, false, "t2", options);
    expect((kept.object.metadata as JsonObject).labels).toEqual({ app: "web", tier: "x" });
  });
});
