// @kubernetes/client-node 1.4 against a real SimDriver cluster over HTTPS with
// the cluster's bearer token, as the course's checker uses it: lists with
// selectors and paging, watches (bookmarks, 410), an informer, every patch
// flavour, conflicts, delete options and /version. Time moves only when a
// test advances the ManualClock. (Exec through client-node, websocket
// v5.channel.k8s.io, waits for the simulated container shell.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ApiException,
  PatchStrategy,
  VersionApi,
  Watch,
  makeInformer,
  setHeaderOptions,
  type AppsV1Api,
  type CoreV1Api,
  type KubernetesObject,
  type V1ConfigMap,
  type V1Status,
} from "@kubernetes/client-node";
import { clusterReader } from "../checker/live-checker";
import type { SimCluster } from "./index";
import { startKubectlCluster, until, type KubectlCluster } from "./test-kubectl";

let harness: KubectlCluster;
let cluster: SimCluster;
let core: CoreV1Api;
let apps: AppsV1Api;
let reader: ReturnType<typeof clusterReader>;

const NS = "cn";

interface Event {
  type: string;
  object: KubernetesObject & { code?: number; reason?: string };
}

/** A client-node Watch collecting events until `done`. */
async function watchEvents(path: string, query: Record<string, string | number | boolean>) {
  const events: Event[] = [];
  let ended: unknown = false;
  const controller = await new Watch(reader.kubeConfig).watch(
    path,
    query,
    (type, object) => events.push({ type, object: object as Event["object"] }),
    (error) => {
      ended = error ?? true;
    },
  );
  return { events, controller, ended: () => ended !== false };
}

/** The Status in a client-node ApiException (its body is the server's JSON, as text or parsed). */
async function statusOf(promise: Promise<unknown>): Promise<V1Status> {
  try {
    await promise;
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const body = (error as ApiException<unknown>).body;
    return (typeof body === "string" ? JSON.parse(body) : body) as V1Status;
  }
  throw new Error("expected the request to fail");
}

function configMap(name: string, labels: Record<string, string> = {}, data: Record<string, string> = { k: "v" }): V1ConfigMap {
  return { metadata: { name, labels }, data };
}

/** n ConfigMaps written in process in namespace `churn` (fast history growth, for 410s). */
function churn(n: number, prefix: string): void {
  const type = cluster.registry.find("", "v1", "configmaps");
  if (!type) throw new Error("no configmaps");
  for (let i = 0; i < n; i++) cluster.service.create(type, "churn", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: `${prefix}-${i}` }, data: { i: String(i) } });
}

beforeAll(async () => {
  harness = await startKubectlCluster("client-node");
  cluster = (await harness.driver.cluster("client-node")) as SimCluster;
  reader = clusterReader(harness.lease.access);
  core = reader.core;
  apps = reader.apps;
  await core.createNamespace({ body: { metadata: { name: NS } } });
  await core.createNamespace({ body: { metadata: { name: "churn" } } });
});

afterAll(async () => {
  await harness.close();
});

describe("client-node lists", () => {
  it("lists core and apps objects with label and field selectors", async () => {
    for (const [name, tier] of [["a", "web"], ["b", "web"], ["c", "db"]] as const) {
      await core.createNamespacedConfigMap({ namespace: NS, body: configMap(`sel-${name}`, { tier, app: "sel" }) });
    }
    const web = await core.listNamespacedConfigMap({ namespace: NS, labelSelector: "app=sel,tier=web" });
    expect(web.items.map((i) => i.metadata?.name)).toEqual(["sel-a", "sel-b"]);
    expect(web.metadata?.resourceVersion).toMatch(/^\d+$/);
    const notWeb = await core.listNamespacedConfigMap({ namespace: NS, labelSelector: "app=sel,tier notin (web)" });
    expect(notWeb.items.map((i) => i.metadata?.name)).toEqual(["sel-c"]);
    const byName = await core.listConfigMapForAllNamespaces({ fieldSelector: `metadata.name=sel-b,metadata.namespace=${NS}` });
    expect(byName.items.map((i) => i.metadata?.name)).toEqual(["sel-b"]);

    const nodes = await core.listNode({ fieldSelector: "metadata.name=node01" });
    expect(nodes.items.map((n) => n.metadata?.name)).toEqual(["node01"]);
    const system = await core.listNamespacedPod({ namespace: "kube-system", labelSelector: "k8s-app=kube-dns" });
    expect(system.items).toHaveLength(2);
    expect(system.items[0]?.metadata?.labels?.["k8s-app"]).toBe("kube-dns");

    await apps.createNamespacedDeployment({
      namespace: NS,
      body: {
        metadata: { name: "web", labels: { app: "web" } },
        spec: { selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "nginx" }] } } },
      },
    });
    const deployments = await apps.listNamespacedDeployment({ namespace: NS, labelSelector: "app=web" });
    expect(deployments.items.map((d) => [d.metadata?.name, d.spec?.strategy?.type, d.spec?.revisionHistoryLimit])).toEqual([["web", "RollingUpdate", 10]]);
    expect((await apps.listDeploymentForAllNamespaces({ labelSelector: "app=nothing" })).items).toEqual([]);
  });

  it("pages with limit and continue across three pages", async () => {
    for (let i = 0; i < 7; i++) await core.createNamespacedConfigMap({ namespace: NS, body: configMap(`page-${i}`, { paging: "yes" }) });
    const names: string[] = [];
    const remaining: (number | undefined)[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await core.listNamespacedConfigMap({ namespace: NS, labelSelector: "paging=yes", limit: 3, _continue: token });
      names.push(...page.items.map((i) => i.metadata?.name ?? ""));
      remaining.push(page.metadata?.remainingItemCount);
      token = page.metadata?._continue || undefined;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(names).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `page-${i}`));
    expect(remaining).toEqual([4, 1, undefined]);
    const bad = await statusOf(core.listNamespacedConfigMap({ namespace: NS, limit: 3, _continue: "not-a-token" }));
    expect(bad).toMatchObject({ kind: "Status", code: 400, reason: "BadRequest" });
  });
});

describe("client-node watch", () => {
  it("delivers ADDED, MODIFIED and DELETED after a list's resourceVersion", async () => {
    const list = await core.listNamespacedConfigMap({ namespace: NS });
    const watch = await watchEvents(`/api/v1/namespaces/${NS}/configmaps`, { resourceVersion: list.metadata?.resourceVersion ?? "" });
    await core.createNamespacedConfigMap({ namespace: NS, body: configMap("watched") });
    await core.patchNamespacedConfigMap({ namespace: NS, name: "watched", body: { data: { k: "v2" } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
    await core.deleteNamespacedConfigMap({ namespace: NS, name: "watched" });
    await until(() => watch.events.length >= 3, "three watch events");
    expect(watch.events.map((e) => [e.type, e.object.metadata?.name])).toEqual([
      ["ADDED", "watched"],
      ["MODIFIED", "watched"],
      ["DELETED", "watched"],
    ]);
    const versions = watch.events.map((e) => Number(e.object.metadata?.resourceVersion));
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(versions[0]).toBeGreaterThan(Number(list.metadata?.resourceVersion));
    watch.controller.abort();
  });

  it("sends BOOKMARKs each minute and before closing at timeoutSeconds", async () => {
    const list = await core.listNamespacedConfigMap({ namespace: NS });
    const watch = await watchEvents(`/api/v1/namespaces/${NS}/configmaps`, { resourceVersion: list.metadata?.resourceVersion ?? "", allowWatchBookmarks: true, timeoutSeconds: 150 });
    const plain = await watchEvents(`/api/v1/namespaces/${NS}/configmaps`, { resourceVersion: list.metadata?.resourceVersion ?? "", timeoutSeconds: 150 });
    await core.createNamespacedConfigMap({ namespace: NS, body: configMap("marked") });
    await until(() => watch.events.length === 1 && plain.events.length === 1, "the ADDED events");
    // Controllers keep writing (status) as the clock moves: a bookmark carries the
    // store's revision as of when it was sent, somewhere in that window.
    const carriesRevisionSince = (event: Event | undefined, since: number) => {
      const version = Number(event?.object.metadata?.resourceVersion);
      expect(version).toBeGreaterThanOrEqual(since);
      expect(version).toBeLessThanOrEqual(cluster.store.revision);
    };
    let since = cluster.store.revision;
    harness.clock.advance(60_000);
    await until(() => watch.events.length === 2, "a periodic bookmark");
    const first = watch.events[1] as Event;
    expect(first.type).toBe("BOOKMARK");
    expect(Object.keys(first.object.metadata ?? {})).toEqual(["resourceVersion"]);
    expect(first.object).toMatchObject({ kind: "ConfigMap", apiVersion: "v1" });
    carriesRevisionSince(first, since);
    churn(1, "during-bookmarks");
    since = cluster.store.revision;
    harness.clock.advance(60_000);
    await until(() => watch.events.length === 3, "a second bookmark");
    carriesRevisionSince(watch.events[2], since);
    harness.clock.advance(30_000);
    await until(() => watch.ended() && plain.ended(), "both watches closed at timeoutSeconds");
    expect(watch.events.map((e) => e.type)).toEqual(["ADDED", "BOOKMARK", "BOOKMARK", "BOOKMARK"]);
    expect(plain.events.map((e) => e.type)).toEqual(["ADDED"]);
  });

  it("answers a too-old resourceVersion with an ERROR event carrying a 410 Status", async () => {
    const old = String(cluster.store.revision);
    churn(1100, "expire");
    const watch = await watchEvents(`/api/v1/namespaces/${NS}/configmaps`, { resourceVersion: old, allowWatchBookmarks: true });
    await until(() => watch.ended(), "the expired watch to end");
    expect(watch.events).toHaveLength(1);
    expect(watch.events[0]?.type).toBe("ERROR");
    expect(watch.events[0]?.object).toMatchObject({ kind: "Status", status: "Failure", code: 410, reason: "Expired" });
    expect(watch.events[0]?.object).toHaveProperty("message", expect.stringMatching(/^too old resource version: \d+ \(\d+\)$/));
  });
});

describe("client-node informer", () => {
  it("lists, follows adds/updates/deletes, and re-lists after a 410 on a watch restart", async () => {
    await core.createNamespace({ body: { metadata: { name: "inf" } } });
    await core.createNamespacedConfigMap({ namespace: "inf", body: configMap("first") });
    let lists = 0;
    const informer = makeInformer<V1ConfigMap>(reader.kubeConfig, "/api/v1/namespaces/inf/configmaps", () => {
      lists++;
      return core.listNamespacedConfigMap({ namespace: "inf" });
    });
    const seen: string[] = [];
    informer.on("add", (o) => seen.push(`add ${o.metadata?.name}`));
    informer.on("update", (o) => seen.push(`update ${o.metadata?.name} ${o.data?.k}`));
    informer.on("delete", (o) => seen.push(`delete ${o.metadata?.name}`));
    const errors: unknown[] = [];
    informer.on("error", (e) => errors.push(e));
    await informer.start();
    // The namespace controller's kube-root-ca.crt is there too.
    await until(() => informer.list("inf").length === 2, "the initial list in the cache");

    await core.createNamespacedConfigMap({ namespace: "inf", body: configMap("second") });
    await until(() => informer.get("second", "inf") !== undefined, "second in the cache");
    await core.patchNamespacedConfigMap({ namespace: "inf", name: "second", body: { data: { k: "changed" } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
    await until(() => informer.get("second", "inf")?.data?.k === "changed", "the update in the cache");
    await core.deleteNamespacedConfigMap({ namespace: "inf", name: "first" });
    await until(() => informer.get("first", "inf") === undefined, "first gone from the cache");
    expect(seen).toEqual(["add first", "add kube-root-ca.crt", "add second", "update second changed", "delete first"]);
    expect(lists).toBe(1);

    // Elsewhere the history moves past the informer's resourceVersion; then the server ends its watch
    // (watches without timeoutSeconds end within 60 minutes): the re-watch gets 410 and the informer lists again.
    churn(1100, "informer");
    harness.clock.advance(3_600_000);
    await until(() => lists === 2, "a re-list after the 410");
    await core.createNamespacedConfigMap({ namespace: "inf", body: configMap("third") });
    await until(() => informer.get("third", "inf") !== undefined, "third in the cache after the restart");
    expect(informer.list("inf").map((o) => o.metadata?.name).sort()).toEqual(["kube-root-ca.crt", "second", "third"]);
    expect(errors).toEqual([]);
    await informer.stop();
  });
});

describe("client-node writes", () => {
  it("patches with strategic merge, JSON merge, JSON patch and server-side apply", async () => {
    await apps.createNamespacedDeployment({
      namespace: NS,
      body: {
        metadata: { name: "patched", labels: { app: "patched" } },
        spec: {
          selector: { matchLabels: { app: "patched" } },
          template: { metadata: { labels: { app: "patched" } }, spec: { containers: [{ name: "nginx", image: "nginx:1.27", ports: [{ containerPort: 80 }] }] } },
        },
      },
    });
    // Strategic merge: containers merge by name, the port survives.
    const smp = await apps.patchNamespacedDeployment(
      { namespace: NS, name: "patched", body: { spec: { template: { spec: { containers: [{ name: "nginx", image: "nginx:1.28" }] } } } } },
      setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
    );
    expect(smp.spec?.template.spec?.containers.map((c) => [c.name, c.image, c.ports?.[0]?.containerPort])).toEqual([["nginx", "nginx:1.28", 80]]);
    expect(smp.metadata?.generation).toBe(2);
    // JSON merge: lists are replaced whole, null removes.
    const merge = await apps.patchNamespacedDeployment(
      { namespace: NS, name: "patched", body: { metadata: { labels: { extra: "yes", app: null } } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    expect(merge.metadata?.labels).toEqual({ extra: "yes" });
    // JSON patch.
    const json = await apps.patchNamespacedDeployment(
      { namespace: NS, name: "patched", body: [{ op: "replace", path: "/spec/replicas", value: 3 }, { op: "add", path: "/metadata/annotations", value: { note: "json" } }] },
      setHeaderOptions("Content-Type", PatchStrategy.JsonPatch),
    );
    expect([json.spec?.replicas, json.metadata?.annotations?.note]).toEqual([3, "json"]);
    const badOp = await statusOf(
      apps.patchNamespacedDeployment({ namespace: NS, name: "patched", body: [{ op: "test", path: "/spec/replicas", value: 9 }] }, setHeaderOptions("Content-Type", PatchStrategy.JsonPatch)),
    );
    expect(badOp).toMatchObject({ kind: "Status", code: 422 });

    // Server-side apply with a field manager; a second manager conflicts unless forced.
    const applied = await core.patchNamespacedConfigMap(
      { namespace: NS, name: "ssa", fieldManager: "course", body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "ssa" }, data: { owned: "by-course" } } },
      setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply),
    );
    expect(applied.data).toEqual({ owned: "by-course" });
    expect(applied.metadata?.managedFields?.map((m) => [m.manager, m.operation])).toEqual([["course", "Apply"]]);
    const conflict = await statusOf(
      core.patchNamespacedConfigMap(
        { namespace: NS, name: "ssa", fieldManager: "other", body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "ssa" }, data: { owned: "by-other" } } },
        setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply),
      ),
    );
    expect(conflict).toMatchObject({ kind: "Status", code: 409, reason: "Conflict" });
    expect(conflict.message).toContain('conflict with "course"');
    const forced = await core.patchNamespacedConfigMap(
      { namespace: NS, name: "ssa", fieldManager: "other", force: true, body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "ssa" }, data: { owned: "by-other" } } },
      setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply),
    );
    expect(forced.data).toEqual({ owned: "by-other" });
    expect(forced.metadata?.managedFields?.map((m) => m.manager)).toEqual(["other"]);
  });

  it("creates, refuses a duplicate and a stale replace with a Status, replaces with the current resourceVersion", async () => {
    const created = await core.createNamespacedConfigMap({ namespace: NS, body: configMap("cas") });
    const duplicate = await statusOf(core.createNamespacedConfigMap({ namespace: NS, body: configMap("cas") }));
    expect(duplicate).toMatchObject({ kind: "Status", code: 409, reason: "AlreadyExists", message: 'configmaps "cas" already exists', details: { name: "cas", kind: "configmaps" } });
    const updated = await core.replaceNamespacedConfigMap({ namespace: NS, name: "cas", body: { ...created, data: { k: "one" } } });
    expect(Number(updated.metadata?.resourceVersion)).toBeGreaterThan(Number(created.metadata?.resourceVersion));
    const stale = await statusOf(core.replaceNamespacedConfigMap({ namespace: NS, name: "cas", body: { ...created, data: { k: "two" } } }));
    expect(stale).toMatchObject({
      kind: "Status",
      apiVersion: "v1",
      status: "Failure",
      code: 409,
      reason: "Conflict",
      message: 'Operation cannot be fulfilled on configmaps "cas": the object has been modified; please apply your changes to the latest version and try again',
    });
    expect((await core.readNamespacedConfigMap({ namespace: NS, name: "cas" })).data).toEqual({ k: "one" });
    const missing = await statusOf(core.readNamespacedConfigMap({ namespace: NS, name: "nope" }));
    expect(missing).toMatchObject({ code: 404, reason: "NotFound", message: 'configmaps "nope" not found' });
  });

  it("deletes with a propagationPolicy and dry run", async () => {
    await core.createNamespacedConfigMap({ namespace: NS, body: configMap("doomed") });
    await core.deleteNamespacedConfigMap({ namespace: NS, name: "doomed", dryRun: "All" });
    expect((await core.readNamespacedConfigMap({ namespace: NS, name: "doomed" })).metadata?.name).toBe("doomed");
    await core.deleteNamespacedConfigMap({ namespace: NS, name: "doomed", propagationPolicy: "Background" });
    expect(await statusOf(core.readNamespacedConfigMap({ namespace: NS, name: "doomed" }))).toMatchObject({ code: 404 });

    await apps.deleteNamespacedDeployment({ namespace: NS, name: "web", propagationPolicy: "Foreground" });
    // Foreground: the Deployment waits for its ReplicaSet and pods, whose kubelet shutdown runs on the clock.
    await until(async () => {
      harness.clock.advance(1_000);
      return (await apps.listNamespacedDeployment({ namespace: NS, fieldSelector: "metadata.name=web" })).items.length === 0;
    }, "the deployment gone");
  });

  it("reads /version", async () => {
    const version = await reader.kubeConfig.makeApiClient(VersionApi).getCode();
    expect(version).toMatchObject({ major: "1", minor: "32", platform: "linux/amd64" });
    expect(version.gitVersion).toMatch(/^v1\.32\.\d+$/);
  });
});
