import { describe, expect, it } from "vitest";
import type { KObject } from "../types";
import { Store, StoreError, thaw, type StoreEvent } from "./store";

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return error instanceof StoreError ? error.code : "not a StoreError";
  }
  return undefined;
}

const cm = (name: string, value = "1"): KObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default" }, data: { value } });

describe("Store", () => {
  it("bumps one revision per write and stamps it as resourceVersion", () => {
    const store = new Store();
    const a = store.create("/core/configmaps/default/a", cm("a"));
    const b = store.update("/core/configmaps/default/a", cm("a", "2"));
    expect(Number(b.metadata.resourceVersion)).toBe(Number(a.metadata.resourceVersion) + 1);
    expect(() => store.create("/core/configmaps/default/a", cm("a"))).toThrow(StoreError);
    expect(() => store.update("/core/configmaps/default/a", cm("a"), a.metadata.resourceVersion)).toThrow(/default\/a/);
  });

  it("hands out frozen objects, so readers cannot change stored state", () => {
    const store = new Store();
    const a = store.create("/core/configmaps/default/a", cm("a"));
    expect(() => {
      (a.data as Record<string, string>).value = "x";
    }).toThrow(TypeError);
  });

  it("replays history after a revision, then delivers live events in order", () => {
    const store = new Store();
    const start = store.revision;
    store.create("/core/configmaps/default/a", cm("a"));
    store.create("/core/pods/default/p", cm("p"));
    const seen: string[] = [];
    const watch = store.watch("/core/configmaps/", start, (e: StoreEvent) => seen.push(`${e.type} ${e.object.metadata.name ?? ""}`));
    store.update("/core/configmaps/default/a", cm("a", "2"));
    store.delete("/core/configmaps/default/a");
    watch.stop();
    store.create("/core/configmaps/default/b", cm("b"));
    expect(seen).toEqual(["ADDED a", "MODIFIED a", "DELETED a"]);
  });

  it("answers Gone for a watch older than the kept history", () => {
    const store = new Store({ limit: 3 });
    const start = store.revision;
    for (let i = 0; i < 5; i++) store.create(`/core/configmaps/default/c${i}`, cm(`c${i}`));
    expect(codeOf(() => store.watch("/", start, () => undefined))).toBe("Gone");
    expect(() => store.watch("/", store.revision - 2, () => undefined)).not.toThrow();
  });

  it("keeps the last 75 s of clock time as history, and no more once it holds its floor of events", () => {
    let now = 0;
    const store = new Store({ floor: 2, keepMs: 75_000, now: () => now });
    const start = store.revision;
    store.create("/core/configmaps/default/a", cm("a"));
    now += 60_000;
    store.update("/core/configmaps/default/a", cm("a", "2"));
    // Both events are younger than 75 s: a watch from the start replays them.
    const replayed: string[] = [];
    store.watch("/", start, (e) => replayed.push(e.type)).stop();
    expect(replayed).toEqual(["ADDED", "MODIFIED"]);
    now += 30_000;
    store.update("/core/configmaps/default/a", cm("a", "3"));
    // The first event is now 90 s old and two younger ones are kept: it is compacted away.
    expect(codeOf(() => store.watch("/", start, () => undefined))).toBe("Gone");
    expect(() => store.watch("/", start + 1, () => undefined).stop()).not.toThrow();
    // Old events beyond the floor go; the floor's events stay however old they are.
    now += 10 * 60_000;
    store.update("/core/configmaps/default/a", cm("a", "4"));
    expect(codeOf(() => store.watch("/", start + 1, () => undefined))).toBe("Gone");
    const kept: string[] = [];
    store.watch("/", start + 2, (e) => kept.push((e.object.data as { value: string }).value)).stop();
    expect(kept).toEqual(["3", "4"]);
  });

  it("delivers writes made by a watcher after the event that caused them", () => {
    const store = new Store();
    const order: string[] = [];
    store.watch("/", undefined, (e) => {
      order.push(`first saw ${e.object.metadata.name ?? ""}`);
      if (e.object.metadata.name === "a") store.create("/core/configmaps/default/b", cm("b"));
    });
    store.watch("/", undefined, (e) => order.push(`second saw ${e.object.metadata.name ?? ""}`));
    store.create("/core/configmaps/default/a", cm("a"));
    expect(order).toEqual(["first saw a", "second saw a", "first saw b", "second saw b"]);
  });

  it("round-trips through a JSON snapshot", () => {
    const store = new Store();
    store.create("/core/configmaps/default/a", cm("a"));
    const snapshot = JSON.parse(JSON.stringify(store.snapshot())) as ReturnType<Store["snapshot"]>;
    const restored = Store.restore(snapshot);
    expect(restored.get("/core/configmaps/default/a")).toEqual(store.get("/core/configmaps/default/a"));
    expect(restored.revision).toBe(store.revision);
    expect(Number(restored.create("/core/configmaps/default/b", cm("b")).metadata.resourceVersion)).toBe(store.revision + 1);
    expect(codeOf(() => restored.watch("/", store.revision - 1, () => undefined))).toBe("Gone");
  });

  it("lists by any key prefix in key order, after creates, updates and deletes, and after a restore", () => {
    const store = new Store();
    for (const key of ["/core/pods/kube-system/b", "/core/pods/default/z", "/core/configmaps/default/c", "/core/pods/default/a", "/apps/deployments/default/d"]) {
      store.create(key, cm(key.split("/").at(-1) ?? ""));
    }
    const names = (s: Store, prefix: string): string[] => s.list(prefix).map((o) => `${o.metadata.name ?? ""}`);
    expect(names(store, "/core/pods/")).toEqual(["a", "z", "b"]);
    expect(names(store, "/core/pods/default/")).toEqual(["a", "z"]);
    expect(names(store, "/core/")).toEqual(["c", "a", "z", "b"]);
    expect(names(store, "/")).toEqual(["d", "c", "a", "z", "b"]);
    store.delete("/core/pods/default/a");
    store.create("/core/pods/default/m", cm("m"));
    store.update("/core/pods/default/z", cm("z", "2"));
    expect(names(store, "/core/pods/")).toEqual(["m", "z", "b"]);
    expect(store.list("/core/pods/default/z")[0]?.data).toEqual({ value: "2" });
    expect(names(Store.restore(store.snapshot()), "/core/pods/")).toEqual(["m", "z", "b"]);
  });

  it("lists an updated object at its place without sorting again", () => {
    const store = new Store();
    for (const name of ["c", "a", "b"]) store.create(`/core/configmaps/default/${name}`, cm(name));
    expect(store.list("/core/configmaps/default/").map((o) => o.metadata.name)).toEqual(["a", "b", "c"]);
    store.update("/core/configmaps/default/b", cm("b", "2"));
    expect(store.list("/core/configmaps/").map((o) => o.data)).toEqual([{ value: "1" }, { value: "2" }, { value: "1" }]);
  });

  it("shares what an update leaves unchanged with the version before, in the key order written", () => {
    const store = new Store();
    const key = "/core/pods/default/p";
    const pod = (phase: string): KObject => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "default" }, spec: { containers: [{ name: "c", image: "nginx" }], nodeName: "n1" }, status: { phase, conditions: [{ type: "Ready", status: "False" }] } });
    const first = store.create(key, pod("Pending"));
    const seen: StoreEvent[] = [];
    store.watch("/core/pods/", undefined, (e) => seen.push(e));
    const running = thaw(first);
    (running.status as { phase: string }).phase = "Running";
    const second = store.update(key, running);
    expect(second.spec).toBe(first.spec);
    expect((second.status as { conditions: unknown }).conditions).toBe((first.status as { conditions: unknown }).conditions);
    expect(second.status).not.toBe(first.status);
    expect(Object.isFrozen(second.status)).toBe(true);
    expect(seen[0]?.previous).toBe(first);
    expect((first.status as { phase: string }).phase).toBe("Pending");
    // Same fields in another order: stored as written (JSON output keeps key order).
    const reordered = thaw(second);
    reordered.spec = { nodeName: "n1", containers: [{ name: "c", image: "nginx" }] };
    const third = store.update(key, reordered);
    expect(Object.keys(third.spec as object)).toEqual(["nodeName", "containers"]);
    expect((third.spec as { containers: unknown }).containers).toBe((first.spec as { containers: unknown }).containers);
  });
});
