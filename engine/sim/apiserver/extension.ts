// Routes the generic resource handler does not serve itself: answers that are
// computed rather than stored (access reviews, TokenRequest, autoscaling/v1
// Scale, metrics). ApiHttp offers each resource request to its extension
// first; `undefined` means "not mine, carry on".
import type { IncomingMessage } from "node:http";
import type { ResourceType } from "../registry";
import type { KObject } from "../types";

export interface ExtensionRoute {
  req: IncomingMessage;
  method: string;
  type: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
  query: URLSearchParams;
  /** The raw request body (read once). */
  readBody(): Promise<Buffer>;
  /** The request body decoded as ApiHttp decodes it (read once). */
  readObject(): Promise<KObject>;
}

export interface ExtensionAnswer {
  code: number;
  body: unknown;
  /** Sent as is instead of `body` as JSON: a proxied server's own answer (proxy.ts). */
  raw?: { headers: Record<string, string>; body: string };
}

export type RouteExtension = (route: ExtensionRoute) => Promise<ExtensionAnswer | undefined> | ExtensionAnswer | undefined;

/** Try each extension in turn; the first answer wins. */
export function combineExtensions(...extensions: RouteExtension[]): RouteExtension {
  return async (route) => {
    for (const extension of extensions) {
      const answer = await extension(route);
      if (answer) return answer;
    }
    return undefined;
  };
}
