// Hostile and broken input against a real SimDriver cluster: each request
// gets upstream's error (or succeeds), and the server stays up and correct —
// every case is followed by a normal request that must succeed. Also the
// scale case: 5,000 ConfigMaps in one namespace (timings printed, not asserted).
import { connect as tlsConnect } from "node:tls";
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SimCluster } from "./index";
import type { ResourceType } from "./index";
import { startKubectlCluster, until, type KubectlCluster } from "./test-kubectl";

let harness: KubectlCluster;
let cluster: SimCluster;
let configmaps: ResourceType;

interface StatusBody {
  kind: string;
  code: number;
  reason: string;
  message: string;
  details?: { causes?: { field?: string; message: string }[] };
}

const CM_PATH = "/api/v1/namespaces/default/configmaps";

async function send(path: string, method: string, body: string, contentType = "application/json", query = ""): Promise<{ status: number; body: StatusBody }> {
  const res = await harness.api(`${path}${query}`, { method, body, headers: { "Content-Type": contentType } });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as StatusBody };
}

/** A normal request after a bad one: the server still answers, and correctly. */
let healthy = 0;
async function stillHealthy(): Promise<void> {
  const name = `healthy-${healthy++}`;
  const created = await send(CM_PATH, "POST", JSON.stringify({ metadata: { name }, data: { ok: "yes" } }));
  expect(created.status).toBe(201);
  const read = await harness.api(`${CM_PATH}/${name}`);
  expect(read.status).toBe(200);
  expect(((await read.json()) as { data: Record<string, string> }).data).toEqual({ ok: "yes" });
}

function timed<T>(what: string, run: () => Promise<T>): Promise<T> {
  const start = performance.now();
  return run().finally(() => console.log(`[bad-input] ${what}: ${(performance.now() - start).toFixed(1)} ms`));
}

beforeAll(async () => {
  harness = await startKubectlCluster("bad-input");
  cluster = (await harness.driver.cluster("bad-input")) as SimCluster;
  configmaps = cluster.registry.find("", "v1", "configmaps") as ResourceType;
  await send(CM_PATH, "POST", JSON.stringify({ metadata: { name: "target" }, data: { k: "v" } }));
});

afterAll(async () => {
  await harness.close();
});

describe("malformed bodies", () => {
  it("refuses broken JSON on POST, PUT and PATCH with a 400 Status", async () => {
    const post = await send(CM_PATH, "POST", '{"metadata": {"name": "x"');
    expect(post.status).toBe(400);
    expect(post.body).toMatchObject({ kind: "Status", code: 400, reason: "BadRequest" });
    expect(post.body.message).toMatch(/^error decoding request body: json parse error: /);
    await stillHealthy();
    const put = await send(`${CM_PATH}/target`, "PUT", "{not json}");
    expect(put).toMatchObject({ status: 400, body: { reason: "BadRequest" } });
    await stillHealthy();
    const patch = await send(`${CM_PATH}/target`, "PATCH", '{"data": ', "application/merge-patch+json");
    expect(patch.status).toBe(400);
    expect(patch.body.message).toMatch(/^error decoding patch: json parse error: /);
    await stillHealthy();
    const notObject = await send(CM_PATH, "POST", "[1, 2, 3]");
    expect(notObject).toMatchObject({ status: 400, body: { kind: "Status" } });
    await stillHealthy();
  });

  it("refuses broken YAML with a 400 Status", async () => {
    const post = await send(CM_PATH, "POST", "metadata:\n  name: [unclosed\n", "application/yaml");
    expect(post.status).toBe(400);
    expect(post.body.message).toMatch(/^error converting YAML to JSON: /);
    await stillHealthy();
    const apply = await send(`${CM_PATH}/target`, "PATCH", "data: {k: v", "application/apply-patch+yaml", "?fieldManager=t");
    expect(apply.status).toBe(400);
    expect(apply.body.message).toMatch(/^error decoding YAML: /);
    await stillHealthy();
  });

  it("refuses deeply nested JSON and YAML at once", async () => {
    const deep = `{"metadata":{"name":"deep"},"data":{},"x":${"[".repeat(10_000)}${"]".repeat(10_000)}}`;
    const json = await timed("10,000-level JSON", () => send(CM_PATH, "POST", deep));
    expect(json.status).toBe(400);
    expect(json.body.message).toBe("the request body is nested too deeply: more than 500 levels");
    await stillHealthy();
    // 100,000 levels of YAML flow sequences crash the `yaml` package's parser (out of memory) if it ever sees them.
    const yaml = await timed("100,000-level YAML", () => send(CM_PATH, "POST", `metadata: {name: deep}\nx: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`, "application/yaml"));
    expect(yaml.status).toBe(400);
    await stillHealthy();
    const patch = await send(`${CM_PATH}/target`, "PATCH", `{"data":${"[".repeat(10_000)}${"]".repeat(10_000)}}`, "application/apply-patch+yaml", "?fieldManager=t");
    expect(patch.status).toBe(400);
    await stillHealthy();
  });

  it("refuses a YAML billion laughs (exponential aliases)", async () => {
    const names = "abcdefghi";
    let bomb = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\nlol:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
    for (let i = 1; i < names.length; i++) bomb += `  ${names[i]}: &${names[i]} [${Array(9).fill(`*${names[i - 1]}`).join(", ")}]\n`;
    const posted = await timed("billion laughs", () => send(CM_PATH, "POST", bomb, "application/yaml"));
    expect(posted.status).toBe(400);
    expect(posted.body.message).toBe("error converting YAML to JSON: yaml: document contains excessive aliasing");
    const applied = await send(`${CM_PATH}/lol`, "PATCH", bomb, "application/apply-patch+yaml", "?fieldManager=t");
    expect(applied.status).toBe(400);
    expect(applied.body.message).toBe("error decoding YAML: yaml: document contains excessive aliasing");
    await stillHealthy();
    // A few aliases are fine.
    const ok = await send(CM_PATH, "POST", "metadata: {name: aliased, labels: &l {a: b}, annotations: *l}\n", "application/yaml");
    expect(ok.status).toBe(201);
  });
});

describe("unknown kinds, fields and bad names", () => {
  it("kubectl create -f with an unknown kind fails on the client; an unknown resource path is 404", async () => {
    const result = await harness.kubectlWithInput("apiVersion: v1\nkind: Foo\nmetadata:\n  name: x\n", "create", "-f", "-");
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('no matches for kind "Foo" in version "v1"');
    const post = await send("/api/v1/namespaces/default/foos", "POST", JSON.stringify({ apiVersion: "v1", kind: "Foo", metadata: { name: "x" } }));
    expect(post).toMatchObject({ status: 404, body: { kind: "Status", code: 404, reason: "NotFound", message: "the server could not find the requested resource" } });
    await stillHealthy();
  });

  it("refuses unknown fields under Strict with 400, warns and prunes otherwise", async () => {
    const body = JSON.stringify({ metadata: { name: "strict" }, data: { k: "v" }, bogus: 1 });
    const strict = await send(CM_PATH, "POST", body, "application/json", "?fieldValidation=Strict");
    expect(strict.status).toBe(400);
    expect(strict.body.message).toBe('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus"');
    await stillHealthy();
    const res = await harness.api(`${CM_PATH}?fieldValidation=Warn`, { method: "POST", body, headers: { "Content-Type": "application/json" } });
    expect(res.status).toBe(201);
    expect(res.headers.get("warning")).toBe('299 - "unknown field \\"bogus\\""');
    expect(await res.json()).not.toHaveProperty("bogus");
  });

  it("refuses invalid names, generateNames and labels with 422 in upstream wording", async () => {
    const upper = await send(CM_PATH, "POST", JSON.stringify({ metadata: { name: "Upper" } }));
    expect(upper.status).toBe(422);
    expect(upper.body.message).toMatch(/^ConfigMap "Upper" is invalid: metadata.name: Invalid value: "Upper": a lowercase RFC 1123 subdomain must consist of/);
    const long = "a".repeat(254);
    const tooLong = await send(CM_PATH, "POST", JSON.stringify({ metadata: { name: long } }));
    expect(tooLong.body.message).toBe(`ConfigMap "${long}" is invalid: metadata.name: Invalid value: "${long}": must be no more than 253 characters`);
    const ns = await send("/api/v1/namespaces", "POST", JSON.stringify({ metadata: { name: "n".repeat(64) } }));
    expect(ns.status).toBe(422);
    expect(ns.body.message).toContain("must be no more than 63 characters");
    const generated = await send(CM_PATH, "POST", JSON.stringify({ metadata: { generateName: "Bad_" } }));
    expect(generated.status).toBe(422);
    expect(generated.body.message).toMatch(/is invalid: \[metadata.generateName: Invalid value: "Bad_": a lowercase RFC 1123 subdomain must consist of .*, metadata.name: Invalid value: "Bad_\w{5}": /);
    const okGenerated = await send(CM_PATH, "POST", JSON.stringify({ metadata: { generateName: "fine-" } }));
    expect(okGenerated.status).toBe(201);
    const label = await send(CM_PATH, "POST", JSON.stringify({ metadata: { name: "labelled", labels: { tier: "v".repeat(64) } } }));
    expect(label.status).toBe(422);
    expect(label.body.message).toBe(`ConfigMap "labelled" is invalid: metadata.labels: Invalid value: "${"v".repeat(64)}": must be no more than 63 characters`);
    const labelKey = await send(CM_PATH, "POST", JSON.stringify({ metadata: { name: "labelled", labels: { "bad key": "x" } } }));
    expect(labelKey.body.message).toMatch(/metadata.labels: Invalid value: "bad key": name part must consist of alphanumeric characters/);
    const kubectl = await harness.kubectl("create", "configmap", "Upper");
    expect(kubectl.stderr).toContain('error: failed to create configmap: ConfigMap "Upper" is invalid: metadata.name: Invalid value: "Upper": a lowercase RFC 1123 subdomain');
    await stillHealthy();
  });
});

describe("size limits", () => {
  it("answers a 10 MB body with 413 and a 1.5 MB ConfigMap with 422 Too long", async () => {
    const huge = JSON.stringify({ metadata: { name: "huge" }, data: { blob: "x".repeat(10 * 1024 * 1024) } });
    const res = await timed("10 MB POST", () => send(CM_PATH, "POST", huge).catch((error: unknown) => ({ status: 0, body: { message: String(error) } as StatusBody })));
    // The server may answer before the client finished sending; either way nothing is stored.
    if (res.status !== 0) expect(res).toMatchObject({ status: 413, body: { code: 413, reason: "RequestEntityTooLarge", message: "Request entity too large: limit is 3145728" } });
    expect((await harness.api(`${CM_PATH}/huge`)).status).toBe(404);
    await stillHealthy();
    const big = await send(CM_PATH, "POST", JSON.stringify({ metadata: { name: "big" }, data: { blob: "x".repeat(1_500_000) } }));
    expect(big.status).toBe(422);
    expect(big.body.message).toBe('ConfigMap "big" is invalid: []: Too long: must have at most 1048576 bytes');
    const edge = await send(CM_PATH, "POST", JSON.stringify({ metadata: { name: "edge" }, data: { blob: "x".repeat(1_000_000) } }));
    expect(edge.status).toBe(201);
    await stillHealthy();
  });
});

describe("content types and broken connections", () => {
  it("answers 415 for unsupported content types", async () => {
    const text = await send(CM_PATH, "POST", "{}", "text/plain");
    expect(text).toMatchObject({ status: 415, body: { kind: "Status", code: 415, reason: "UnsupportedMediaType" } });
    expect(text.body.message).toContain("(got text/plain)");
    const patch = await send(`${CM_PATH}/target`, "PATCH", "{}", "application/json");
    expect(patch.status).toBe(415);
    await stillHealthy();
  });

  it("survives a client that sends headers and part of a body, then disconnects", async () => {
    const url = new URL(harness.lease.access.server);
    await new Promise<void>((resolve, reject) => {
      const socket = tlsConnect({ host: url.hostname, port: Number(url.port), ca: harness.lease.access.ca, servername: "localhost" }, () => {
        socket.write(
          `POST ${CM_PATH} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${harness.lease.access.token}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"metadata":{"name":"half`,
        );
        socket.end(() => {
          socket.destroy();
          resolve();
        });
      });
      socket.on("error", reject);
    });
    await stillHealthy();
    expect((await harness.api(`${CM_PATH}/half`)).status).toBe(404);
  });

  it("frees a watch whose client went away", async () => {
    const before = cluster.store.watcherCount;
    const abort = new AbortController();
    const res = await harness.api(`${CM_PATH}?watch=true`, { signal: abort.signal });
    expect(res.status).toBe(200);
    await until(() => cluster.store.watcherCount === before + 1, "the watch registered");
    abort.abort();
    await res.body?.cancel().catch(() => undefined);
    await until(() => cluster.store.watcherCount === before, "the watch freed");
    await stillHealthy();
  });
});

describe("5,000 objects in one namespace", () => {
  it("lists, pages, selects, tables and watches quickly", async () => {
    await send("/api/v1/namespaces", "POST", JSON.stringify({ metadata: { name: "bulk" } }));
    await timed("create 5,000 ConfigMaps in process", () => {
      for (let i = 0; i < 5000; i++) {
        cluster.service.create(configmaps, "bulk", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: `cm-${String(i).padStart(4, "0")}`, labels: { parity: i % 2 ? "odd" : "even", hundred: String(Math.floor(i / 100)) } }, data: { i: String(i) } });
      }
      return Promise.resolve();
    });
    const bulk = "/api/v1/namespaces/bulk/configmaps";
    const all = await timed("list all 5,000", async () => (await (await harness.api(bulk)).json()) as { items: unknown[]; metadata: { resourceVersion: string } });
    expect(all.items).toHaveLength(5001); // + kube-root-ca.crt
    const pages = await timed("page through with limit=500", async () => {
      let token = "";
      let count = 0;
      let n = 0;
      do {
        const page = (await (await harness.api(`${bulk}?limit=500${token ? `&continue=${encodeURIComponent(token)}` : ""}`)).json()) as { items: unknown[]; metadata: { continue?: string } };
        count += page.items.length;
        token = page.metadata.continue ?? "";
        n++;
      } while (token);
      return { count, n };
    });
    expect(pages).toEqual({ count: 5001, n: 11 });
    const table = await timed("kubectl's Table list (limit=500)", async () =>
      (await (await harness.api(`${bulk}?limit=500`, { headers: { Accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json" } })).json()) as { kind: string; rows: unknown[] },
    );
    expect([table.kind, table.rows.length]).toEqual(["Table", 500]);
    const selected = await timed("label-selected list", async () => (await (await harness.api(`${bulk}?labelSelector=${encodeURIComponent("parity=odd,hundred in (7,8)")}`)).json()) as { items: unknown[] });
    expect(selected.items).toHaveLength(100);
    const kubectl = await timed("kubectl get cm -n bulk", () => harness.kubectl("get", "cm", "-n", "bulk", "--no-headers"));
    expect(kubectl.stdout.trim().split("\n")).toHaveLength(5001);

    // A watch from an old resourceVersion replays the history still kept (the last 1,000 writes).
    const from = String(cluster.store.revision - 900);
    const replayed = await timed("watch replaying 900 events", async () => {
      const abort = new AbortController();
      const res = await harness.api(`${bulk}?watch=true&resourceVersion=${from}`, { signal: abort.signal });
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let text = "";
      while (text.split("\n").length <= 900) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
      abort.abort();
      await reader.cancel().catch(() => undefined);
      return text.trim().split("\n").map((line) => JSON.parse(line) as { type: string });
    });
    expect(replayed).toHaveLength(900);
    expect(new Set(replayed.map((e) => e.type))).toEqual(new Set(["ADDED"]));
    await stillHealthy();
  });
});
