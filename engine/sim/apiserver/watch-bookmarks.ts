// The timed side of a watch stream, by the injected clock: BOOKMARK events
// for clients that ask (`allowWatchBookmarks=true`) and the server-side end of
// the stream. Upstream sends a bookmark carrying the current resourceVersion
// about once a minute and just before a watch reaches its deadline, so a
// client can resume from there instead of relisting. A watch without
// `timeoutSeconds` still ends, after a random 30 to 60 minutes
// (minRequestTimeout x [1, 2)); clients (informers, kubectl get -w) cope.
import { randomInt } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Clock, Timer } from "../../clock";
import { apiVersionOf, type ResourceType } from "../registry";

/** How often a bookmark goes to a watch that allows them. */
export const BOOKMARK_INTERVAL_MS = 60_000;
/** Upstream's --min-request-timeout: watches without timeoutSeconds end after 1 to 2 times this. */
export const MIN_REQUEST_TIMEOUT_MS = 1_800_000;

/**
 * Schedule the bookmarks and the end of one watch stream. `revision` reads the
 * store's current revision (every event up to it has been written), `write`
 * sends one event line, `close` ends the stream. Cancel when the stream ends.
 */
export function watchKeepalive(
  clock: Clock,
  type: ResourceType,
  query: URLSearchParams,
  revision: () => number,
  write: (event: { type: string; object: unknown }) => void,
  close: () => void,
): Timer {
  const requested = Number(query.get("timeoutSeconds") ?? 0);
  const timeoutMs = Number.isFinite(requested) && requested > 0 ? requested * 1000 : MIN_REQUEST_TIMEOUT_MS + randomInt(MIN_REQUEST_TIMEOUT_MS);
  const bookmarks = query.get("allowWatchBookmarks") === "true";
  const bookmark = (): void =>
    write({
      type: "BOOKMARK",
      object: { kind: type.kind, apiVersion: apiVersionOf(type), metadata: { resourceVersion: String(revision()) } },
    });
  const deadline = clock.now() + timeoutMs;
  let periodic: Timer | undefined;
  const tick = (): void => {
    bookmark();
    if (clock.now() + BOOKMARK_INTERVAL_MS < deadline) periodic = clock.schedule(BOOKMARK_INTERVAL_MS, tick);
  };
  if (bookmarks && BOOKMARK_INTERVAL_MS < timeoutMs) periodic = clock.schedule(BOOKMARK_INTERVAL_MS, tick);
  const end = clock.schedule(timeoutMs, () => {
    periodic?.cancel();
    if (bookmarks) bookmark();
    close();
  });
  return {
    cancel() {
      periodic?.cancel();
      end.cancel();
    },
  };
}

/**
 * GET /openapi/v2 (kept here to touch http.ts least): an empty document. kubectl
 * asks for protobuf; zero bytes are a valid empty `openapi_v2.Document`.
 */
export function serveEmptyOpenApiV2(req: IncomingMessage, res: ServerResponse): void {
  const protobuf = (req.headers.accept ?? "").includes("protobuf");
  const body = protobuf ? "" : JSON.stringify({ swagger: "2.0", info: { title: "Kubernetes", version: "v1.32.3" }, paths: {}, definitions: {} });
  res.writeHead(200, { "Content-Type": protobuf ? "application/com.github.proto-openapi.spec.v2.v1.0+protobuf" : "application/json", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}
