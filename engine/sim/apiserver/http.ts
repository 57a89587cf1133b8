// The API server's HTTP face: routing of /version, discovery and resource
// URLs, body decoding, content negotiation (JSON or meta.k8s.io Table) and
// watch streaming. Every failure leaves as a Status object; nothing thrown in
// a handler can take the process down.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Clock } from "../../clock";
import { apiVersionOf, requestVerb, type Registry, type ResourceType } from "../registry";
import type { KObject, Pod } from "../types";
import { aggregatedDiscovery, AGGREGATED_CONTENT_TYPE, group, groupList, legacyVersions, resourceList, rootPaths, VERSION_INFO, wantsAggregated } from "./discovery";
import type { PatchType, ResourceService, WatchEvent } from "./service";
import type { RouteExtension } from "./extension";
import { checkFields, decodeProtobufBody, PROTOBUF_CONTENT_TYPE, serveOpenApi } from "./schema-hooks";
import { managerOf, parseApplyBody } from "./patch/writes";
import { ApiError, errors, failure } from "./status";
import { parseJsonBody, parseYamlBody } from "./body-limits";
import { serveEmptyOpenApiV2, watchKeepalive } from "./watch-bookmarks";
import { includeObjectPolicy, toTable, wantsTable } from "./table";

const MAX_BODY = 3 * 1024 * 1024;

/**
 * A JSON answer as upstream's encoder writes it: compact with a trailing
 * newline, or indented by two spaces (no newline) for `?pretty=true` and for
 * curl, wget and browsers, so `kubectl proxy` + curl prints readable objects.
 */
export function encodeJson(req: IncomingMessage, body: unknown): string {
  return wantsPretty(req) ? JSON.stringify(body, null, 2) : `${JSON.stringify(body)}\n`;
}

function wantsPretty(req: IncomingMessage): boolean {
  const pretty = new URL(req.url ?? "/", "http://sim").searchParams.get("pretty");
  // Go's strconv.ParseBool; anything else is false.
  if (pretty) return ["1", "t", "T", "true", "TRUE", "True"].includes(pretty);
  const agent = req.headers["user-agent"] ?? "";
  return agent.startsWith("curl") || agent.startsWith("Wget") || agent.startsWith("Mozilla/5.0");
}

/** A pod's container log, from the container runtime (`streams/logs.ts`): its text, a live feed for follow, or an error. */
export type PodLogs = (
  pod: Pod,
  container: string,
  options: { tailLines?: number; previous: boolean; follow?: boolean; timestamps?: boolean; sinceSeconds?: number; limitBytes?: number },
) => { text: string; follow?: (data: (text: string) => void, end: () => void) => () => void } | { error: string };

interface ResourceRequest {
  type: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
  watch: boolean;
}

export class ApiHttp {
  private readonly streams = new Set<() => void>();

  constructor(
    private readonly service: ResourceService,
    private readonly registry: Registry,
    private readonly clock: Clock,
    private readonly podLogs?: PodLogs,
    /** Computed answers (reviews, TokenRequest, Scale, metrics), offered each resource request first. */
    private readonly extension?: RouteExtension,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await this.route(req, res);
    } catch (error) {
      const failure = error instanceof ApiError ? error : errors.internal(error instanceof Error ? error.message : String(error));
      // A client that went away mid-body (req aborted) is not a server failure.
      if (!(error instanceof ApiError) && !req.destroyed) console.error("sim apiserver: handler failed:", error);
      if (res.headersSent) res.end();
      else this.send(res, failure.status.code, failure.status);
    }
  }

  /** End every open watch (the cluster is going away). */
  closeStreams(): void {
    for (const close of [...this.streams]) close();
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://sim");
    const parts = url.pathname.split("/").filter((p) => p.length > 0).map(decodeURIComponent);
    const method = req.method ?? "GET";
    const [root, second, third] = parts;
    // Upstream writes /version and the root path list with json.MarshalIndent (two spaces), unlike other answers.
    if (parts.length === 1 && root === "version") return this.send(res, 200, VERSION_INFO, "application/json", 2);
    if (!root) return this.send(res, 200, rootPaths(this.registry), "application/json", 2);
    if (root && ["healthz", "livez", "readyz"].includes(root)) return this.sendText(res, 200, "ok");
    if (root === "openapi") {
      if (method === "GET" && serveOpenApi(this.registry, url, req, res)) return;
      // An empty v2 document: kubectl's validator falls back to v2 for kinds v3 lacks and skips kinds v2 lacks,
      // so `kind: Foo` fails at resource mapping ("no matches for kind") as upstream, not at "failed to download openapi".
      if (method === "GET" && url.pathname === "/openapi/v2") return serveEmptyOpenApiV2(req, res);
      throw errors.pathNotFound();
    }
    if (root === "api") {
      if (parts.length === 1) return this.discovery(req, res, true);
      if (second !== "v1") throw errors.pathNotFound();
      if (parts.length === 2) return this.send(res, 200, resourceList(this.registry, "", "v1"));
      return this.resource(req, res, url, method, "", "v1", parts.slice(2));
    }
    if (root === "apis") {
      if (parts.length === 1) return this.discovery(req, res, false);
      const found = parts.length === 2 ? group(this.registry, second ?? "") : resourceList(this.registry, second ?? "", third ?? "");
      if (parts.length <= 3) {
        if (!found) throw errors.pathNotFound();
        return this.send(res, 200, found);
      }
      return this.resource(req, res, url, method, second ?? "", third ?? "", parts.slice(3));
    }
    return this.send(res, 404, rootPaths(this.registry), "application/json", 2);
  }

  private discovery(req: IncomingMessage, res: ServerResponse, legacy: boolean): void {
    if (wantsAggregated(req.headers.accept)) {
      this.send(res, 200, aggregatedDiscovery(this.registry, legacy), AGGREGATED_CONTENT_TYPE);
    } else {
      this.send(res, 200, legacy ? legacyVersions(req.headers.host ?? "127.0.0.1") : groupList(this.registry));
    }
  }

  private parseResourcePath(group: string, version: string, rest: string[]): ResourceRequest {
    let watch = false;
    if (rest[0] === "watch") {
      watch = true;
      rest = rest.slice(1);
    }
    let namespace: string | undefined;
    if (rest[0] === "namespaces" && rest.length >= 3 && this.registry.find(group, version, rest[2] ?? "")?.namespaced) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const type = this.registry.find(group, version, rest[0] ?? "");
    // Only `proxy` takes a path after the subresource (the path on the proxied server).
    if (!type || (rest.length > 3 && rest[2] !== "proxy")) throw errors.pathNotFound();
    return { type, namespace, name: rest[1], subresource: rest[2], watch };
  }

  private async resource(req: IncomingMessage, res: ServerResponse, url: URL, method: string, group: string, version: string, rest: string[]): Promise<void> {
    const r = this.parseResourcePath(group, version, rest);
    const q = url.searchParams;
    const dryRun = q.get("dryRun") === "All";
    const fieldManager = managerOf(q, req.headers["user-agent"]);
    const { type, namespace, name, subresource } = r;
    if (type.deprecationWarning) res.setHeader("Warning", `299 - ${JSON.stringify(type.deprecationWarning)}`);
    if (subresource && !type.subresources.some((s) => s.name === subresource)) throw errors.pathNotFound();
    const watching = method === "GET" && (r.watch || q.get("watch") === "true" || q.get("watch") === "1");
    if (!subresource && !type.verbs.includes(requestVerb(method, !!name, watching))) throw errors.methodNotAllowed();
    const extended = await this.extension?.({ req, method, type, namespace, name, subresource, query: q, readBody: () => this.readBody(req), readObject: () => this.readObject(req) });
    if (extended?.raw) return void res.writeHead(extended.code, extended.raw.headers).end(extended.raw.body);
    if (extended) return this.send(res, extended.code, extended.body);

    if (watching) {
      if (name) q.set("fieldSelector", [q.get("fieldSelector"), `metadata.name=${name}`].filter(Boolean).join(","));
      return this.watch(req, res, type, namespace, q);
    }
    if (!name) {
      switch (method) {
        case "GET":
          return this.list(req, res, type, namespace, q);
        case "POST": {
          // A Binding names its pod in metadata.name; nothing is stored.
          if (type.kind === "Binding") return this.bind(req, res, this.registry.find("", "v1", "pods") as ResourceType, namespace);
          const body = await this.readObject(req);
          checkFields(type, body, q, res);
          const created = this.service.create(type, namespace, body, { dryRun, fieldManager });
          return this.sendObject(req, res, 201, type, created);
        }
        case "DELETE": {
          const { items } = this.service.list(type, namespace, { labelSelector: q.get("labelSelector"), fieldSelector: q.get("fieldSelector") });
          const deleted = items.map((o) => this.service.delete(type, o.metadata.namespace, o.metadata.name ?? "", { dryRun }));
          return this.send(res, 200, this.listBody(type, deleted, String(this.service.store.revision)));
        }
        default:
          throw errors.methodNotAllowed();
      }
    }
    if (subresource === "log" && method === "GET") return this.logs(res, type, namespace, name, q);
    if (subresource === "binding" && method === "POST") return this.bind(req, res, type, namespace, name);
    // Streams arrive as upgrades (streams/exec.ts, streams/portforward.ts); a plain request gets upstream's answer.
    if (subresource === "portforward" || subresource === "exec" || subresource === "attach") throw errors.badRequest("Upgrade request required");
    if (subresource && subresource !== "status") throw errors.methodNotAllowed();
    const writeOptions = { dryRun, subresource: subresource as "status" | undefined, fieldManager, force: q.get("force") === "true" };
    switch (method) {
      case "GET":
        return this.sendObject(req, res, 200, type, this.service.get(type, namespace, name));
      case "PUT": {
        const body = await this.readObject(req);
        checkFields(type, body, q, res);
        return this.sendObject(req, res, 200, type, this.service.update(type, namespace, name, body, writeOptions));
      }
      case "PATCH": {
        const patchType = this.patchType(req.headers["content-type"]);
        const rawPatch = await this.readBody(req);
        const patch = patchType === "apply" ? parseApplyBody(rawPatch) : this.parseJson(rawPatch, "patch");
        if (patchType !== "json") checkFields(type, patch, q, res, true);
        // Apply names its manager explicitly (no user-agent default).
        const patchOptions = patchType === "apply" ? { ...writeOptions, fieldManager: q.get("fieldManager") ?? undefined } : writeOptions;
        return this.sendObject(req, res, 200, type, this.service.patch(type, namespace, name, patchType, patch, patchOptions));
      }
      case "DELETE": {
        const body = await this.readBody(req);
        const options = body.length ? (this.parseJson(body, "DeleteOptions") as { gracePeriodSeconds?: unknown; dryRun?: unknown; propagationPolicy?: unknown; orphanDependents?: unknown }) : {};
        const policy = q.get("propagationPolicy") ?? options.propagationPolicy ?? (options.orphanDependents === true || q.get("orphanDependents") === "true" ? "Orphan" : undefined);
        if (policy !== undefined && policy !== "Orphan" && policy !== "Background" && policy !== "Foreground") {
          throw errors.badRequest(`DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: ${JSON.stringify(policy)}: supported values: "Foreground", "Background", "Orphan"`);
        }
        const queryGrace = q.get("gracePeriodSeconds");
        const grace = queryGrace !== null ? Number(queryGrace) : options.gracePeriodSeconds;
        // kubectl sends dryRun in the DeleteOptions body (["All"]), not the query.
        const dryRunDelete = dryRun || (Array.isArray(options.dryRun) && options.dryRun.includes("All"));
        const deleted = this.service.delete(type, namespace, name, { gracePeriodSeconds: typeof grace === "number" && Number.isFinite(grace) ? grace : undefined, dryRun: dryRunDelete, propagationPolicy: policy });
        return this.sendObject(req, res, 200, type, deleted);
      }
      default:
        throw errors.methodNotAllowed();
    }
  }

  private list(req: IncomingMessage, res: ServerResponse, type: ResourceType, namespace: string | undefined, q: URLSearchParams): void {
    const limit = Number(q.get("limit") ?? 0);
    const result = this.service.list(type, namespace, {
      labelSelector: q.get("labelSelector"),
      fieldSelector: q.get("fieldSelector"),
      limit: Number.isFinite(limit) ? limit : 0,
      continueToken: q.get("continue"),
    });
    if (wantsTable(req.headers.accept)) {
      return this.send(
        res,
        200,
        toTable(type, result.items, {
          now: this.clock.now(),
          include: includeObjectPolicy(q.get("includeObject")),
          resourceVersion: result.resourceVersion,
          continueToken: result.continueToken,
        }),
      );
    }
    const body = this.listBody(type, result.items, result.resourceVersion);
    if (result.continueToken) Object.assign(body.metadata, { continue: result.continueToken, remainingItemCount: result.remainingItemCount });
    this.send(res, 200, body);
  }

  private listBody(type: ResourceType, items: KObject[], resourceVersion: string): { metadata: Record<string, unknown> } & Record<string, unknown> {
    return {
      kind: type.listKind,
      apiVersion: apiVersionOf(type),
      metadata: { resourceVersion },
      // List items omit apiVersion/kind, as upstream's typed lists do.
      items: items.map((item) => {
        const { apiVersion: _a, kind: _k, ...rest } = item;
        return rest;
      }),
    };
  }

  private watch(req: IncomingMessage, res: ServerResponse, type: ResourceType, namespace: string | undefined, q: URLSearchParams): void {
    const table = wantsTable(req.headers.accept);
    const include = includeObjectPolicy(q.get("includeObject"));
    res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private" });
    // Without the headers now, kubectl run -i and rollout status wait forever.
    res.flushHeaders();
    let first = true;
    const write = (event: { type: string; object: unknown }): void => {
      res.write(`${JSON.stringify(event)}\n`);
    };
    const send = (event: WatchEvent): void => {
      if (!table) return write(event);
      write({ type: event.type, object: toTable(type, [event.object], { now: this.clock.now(), include, withColumns: first }) });
      first = false;
    };
    let stopped = false;
    let watch: { stop(): void } | undefined;
    let timer: { cancel(): void } | undefined;
    const close = (): void => {
      if (stopped) return;
      stopped = true;
      watch?.stop();
      timer?.cancel();
      timer = undefined;
      this.streams.delete(close);
      res.end();
    };
    this.streams.add(close);
    req.on("close", close);
    try {
      watch = this.service.watch(type, namespace, { labelSelector: q.get("labelSelector"), fieldSelector: q.get("fieldSelector"), resourceVersion: q.get("resourceVersion") }, send);
    } catch (error) {
      // Once the stream has started, errors (410 Expired included) travel as an ERROR event.
      const failure = error instanceof ApiError ? error : errors.internal(String(error));
      write({ type: "ERROR", object: failure.status });
      return close();
    }
    // Bookmarks (allowWatchBookmarks) and the server-side timeout: watch-bookmarks.ts.
    timer = watchKeepalive(this.clock, type, q, () => this.service.store.revision, write, close);
  }

  private logs(res: ServerResponse, type: ResourceType, namespace: string | undefined, name: string, q: URLSearchParams): void {
    const pod = this.service.get(type, namespace, name) as Pod;
    const containers = pod.spec.containers.map((c) => c.name);
    const inits = (pod.spec.initContainers ?? []).map((c) => c.name);
    const container = q.get("container") ?? (containers.length === 1 ? containers[0] : undefined);
    if (!container) {
      throw errors.badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.join(" ")}]${inits.length ? ` or one of the init containers: [${inits.join(" ")}]` : ""}`);
    }
    if (!containers.includes(container) && !inits.includes(container)) throw errors.badRequest(`container ${container} is not valid for pod ${name}`);
    const status = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].find((s) => s.name === container);
    const state = status?.state;
    const crashed = state?.waiting && status?.lastState?.terminated;
    if (!state || (state.waiting && !crashed)) {
      throw errors.badRequest(`container "${container}" in pod "${name}" is waiting to start: ${state?.waiting?.reason ?? "ContainerCreating"}`);
    }
    const number = (key: string): number | undefined => (q.get(key) === null ? undefined : Number(q.get(key)));
    const follow = q.get("follow") === "true" && !crashed;
    const log = this.podLogs?.(pod, container, { tailLines: number("tailLines"), previous: q.get("previous") === "true" || !!crashed, follow, timestamps: q.get("timestamps") === "true", sinceSeconds: number("sinceSeconds"), limitBytes: number("limitBytes") }) ?? { text: "" };
    if ("error" in log) throw errors.badRequest(log.error);
    if (!log.follow) return this.sendText(res, 200, log.text);
    // follow: the text so far, then each new line, until the container stops or the client leaves.
    res.writeHead(200, { "Content-Type": "text/plain", "Cache-Control": "no-cache, private", "Transfer-Encoding": "chunked" });
    res.flushHeaders();
    if (log.text) res.write(log.text);
    const feed: { stop?: () => void } = {};
    const close = (): void => {
      feed.stop?.();
      this.streams.delete(close);
      if (!res.writableEnded) res.end();
    };
    this.streams.add(close);
    res.on("close", close);
    feed.stop = log.follow((text) => res.write(text), close);
  }

  private async bind(req: IncomingMessage, res: ServerResponse, type: ResourceType, namespace: string | undefined, podName?: string): Promise<void> {
    const binding = (await this.readObject(req)) as KObject & { target?: { name?: string } };
    const name = podName ?? binding.metadata?.name ?? "";
    const node = binding.target?.name;
    if (!node) throw errors.badRequest("binding target node name is required");
    const pod = this.service.get(type, namespace, name) as KObject & { spec?: { nodeName?: string } };
    if (pod.spec?.nodeName) {
      throw failure(409, "Conflict", `Operation cannot be fulfilled on pods/binding "${name}": pod ${name} is already assigned to node "${pod.spec.nodeName}"`, { name, kind: "pods/binding" });
    }
    this.service.mutate(type, namespace, name, (p) => {
      (p.spec as { nodeName?: string }).nodeName = node;
    });
    this.send(res, 201, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 });
  }

  private patchType(contentType: string | undefined): PatchType {
    const media = (contentType ?? "").split(";")[0]?.trim();
    switch (media) {
      case "application/merge-patch+json":
        return "merge";
      case "application/strategic-merge-patch+json":
        return "strategic";
      case "application/apply-patch+yaml":
        return "apply";
      case "application/json-patch+json":
        return "json";
      default:
        throw errors.unsupportedMediaType(media ?? "");
    }
  }

  private async readBody(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > MAX_BODY) throw errors.tooLarge();
      chunks.push(buffer);
    }
    return Buffer.concat(chunks);
  }

  private parseJson(body: Buffer, what: string): unknown {
    return parseJsonBody(body.toString("utf8"), what);
  }

  /** The request body as an object, from JSON or YAML. */
  private async readObject(req: IncomingMessage): Promise<KObject> {
    const media = (req.headers["content-type"] ?? "application/json").split(";")[0]?.trim() ?? "";
    const body = await this.readBody(req);
    let value: unknown;
    if (media === "application/yaml" || media === "application/x-yaml" || media === "text/yaml") {
      value = parseYamlBody(body.toString("utf8"), "error converting YAML to JSON");
    } else if (media === PROTOBUF_CONTENT_TYPE) {
      value = decodeProtobufBody(this.registry, body);
    } else if (media === "application/json" || media === "*/*" || media === "") {
      value = this.parseJson(body, "request body");
    } else {
      throw errors.unsupportedMediaType(media);
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw errors.badRequest("the request body must be a Kubernetes object (a JSON or YAML mapping)");
    }
    const object = value as KObject;
    if (object.metadata !== undefined && (typeof object.metadata !== "object" || object.metadata === null || Array.isArray(object.metadata))) {
      throw errors.badRequest("metadata must be an object");
    }
    return object;
  }

  private sendObject(req: IncomingMessage, res: ServerResponse, code: number, type: ResourceType, object: KObject): void {
    if (wantsTable(req.headers.accept)) {
      const url = new URL(req.url ?? "/", "http://sim");
      return this.send(res, code, toTable(type, [object], { now: this.clock.now(), include: includeObjectPolicy(url.searchParams.get("includeObject")), resourceVersion: object.metadata.resourceVersion }));
    }
    this.send(res, code, object);
  }

  private send(res: ServerResponse, code: number, body: unknown, contentType = "application/json", indent?: number): void {
    const text = indent ? JSON.stringify(body, null, indent) : encodeJson(res.req, body);
    res.writeHead(code, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(text), "Cache-Control": "no-cache, private" });
    res.end(text);
  }

  private sendText(res: ServerResponse, code: number, text: string): void {
    res.writeHead(code, { "Content-Type": "text/plain", "Content-Length": Buffer.byteLength(text) });
    res.end(text);
  }
}
