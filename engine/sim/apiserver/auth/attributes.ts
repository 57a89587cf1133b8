// What a request asks to do, in the terms authorization speaks: a verb on a
// resource (group, resource, subresource, namespace, name) or on a plain
// path. Mirrors the way upstream reads a URL (its RequestInfo).

export interface Attributes {
  verb: string;
  resourceRequest: boolean;
  /** The URL path, for requests outside /api and /apis resources. */
  path: string;
  namespace: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  name: string;
}

const METHOD_VERBS: Record<string, string> = { POST: "create", PUT: "update", PATCH: "patch", DELETE: "delete", GET: "get", HEAD: "get" };
/** Subresources of a namespace itself, not resources inside it. */
const NAMESPACE_SUBRESOURCES = new Set(["status", "finalize"]);

export function requestAttributes(method: string, url: URL): Attributes {
  const path = url.pathname;
  const parts = path.split("/").filter((p) => p.length > 0).map(decodeURIComponent);
  const nonResource: Attributes = { verb: method.toLowerCase(), resourceRequest: false, path, namespace: "", apiGroup: "", apiVersion: "", resource: "", subresource: "", name: "" };
  let rest: string[];
  let apiGroup = "";
  let apiVersion: string;
  if (parts[0] === "api" && parts.length >= 3) {
    apiVersion = parts[1] ?? "";
    rest = parts.slice(2);
  } else if (parts[0] === "apis" && parts.length >= 4) {
    apiGroup = parts[1] ?? "";
    apiVersion = parts[2] ?? "";
    rest = parts.slice(3);
  } else return nonResource;
  let verb = METHOD_VERBS[method.toUpperCase()];
  if (!verb) return nonResource;
  if (rest[0] === "watch") {
    verb = "watch";
    rest = rest.slice(1);
    if (!rest.length) return nonResource;
  }
  let namespace = "";
  if (rest[0] === "namespaces" && rest.length > 1) {
    namespace = rest[1] ?? "";
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2] ?? "")) rest = rest.slice(2);
  }
  const resource = rest[0] ?? "";
  let name = rest[1] ?? "";
  const subresource = rest[2] ?? "";
  const query = url.searchParams;
  if (!name && verb === "get") {
    const watch = query.get("watch");
    verb = watch === "true" || watch === "1" ? "watch" : "list";
    // A list narrowed to one name by field selector is authorized as that name.
    const exact = /^(?:metadata\.name)(?:==?)([^,]+)$/.exec(query.get("fieldSelector") ?? "");
    if (exact?.[1] && !exact[1].includes("/")) name = exact[1];
  }
  if (!name && verb === "delete") verb = "deletecollection";
  // Upstream (AuthorizePodWebsocketUpgradeCreatePermission, on since 1.31): a websocket GET to exec/attach/portforward needs `create`.
  if (verb === "get" && resource === "pods" && ["exec", "attach", "portforward"].includes(subresource)) verb = "create";
  return { verb, resourceRequest: true, path, namespace, apiGroup, apiVersion, resource, subresource, name };
}
