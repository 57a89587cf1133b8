// Errors as the API server sends them: metav1.Status objects whose `message`
// kubectl prints verbatim ("Error from server (NotFound): pods "x" not found").
import type { ResourceType } from "../registry";
import { describeFieldError, type FieldError } from "../registry";

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: { reason: string; message: string; field?: string }[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Success" | "Failure";
  message: string;
  reason: string;
  details?: StatusDetails;
  code: number;
}

export class ApiError extends Error {
  constructor(readonly status: Status) {
    super(status.message);
  }
}

export function failure(code: number, reason: string, message: string, details?: StatusDetails): ApiError {
  // Key order of Go's metav1.Status (code last): curl through `kubectl proxy` shows it as is.
  const status: Status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, ...(details && { details }), code };
  return new ApiError(status);
}

/** `pods` for the core group, `deployments.apps` for others, as messages name resources. */
export function qualifiedResource(type: ResourceType): string {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}

function resourceDetails(type: ResourceType, name: string): StatusDetails {
  return type.group ? { name, group: type.group, kind: type.plural } : { name, kind: type.plural };
}

export const errors = {
  notFound: (type: ResourceType, name: string) =>
    failure(404, "NotFound", `${qualifiedResource(type)} "${name}" not found`, resourceDetails(type, name)),
  alreadyExists: (type: ResourceType, name: string) =>
    failure(409, "AlreadyExists", `${qualifiedResource(type)} "${name}" already exists`, resourceDetails(type, name)),
  conflict: (type: ResourceType, name: string) =>
    failure(
      409,
      "Conflict",
      `Operation cannot be fulfilled on ${qualifiedResource(type)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      resourceDetails(type, name),
    ),
  invalid(type: ResourceType, name: string, fieldErrors: FieldError[]) {
    const described = fieldErrors.map(describeFieldError);
    const aggregate = described.length === 1 ? (described[0] as string) : `[${described.join(", ")}]`;
    const kind = type.group ? `${type.kind}.${type.group}` : type.kind;
    return failure(422, "Invalid", `${kind} "${name}" is invalid: ${aggregate}`, {
      name,
      ...(type.group ? { group: type.group } : {}),
      kind: type.kind,
      causes: fieldErrors.map((e, i) => ({
        reason: e.type,
        message: (described[i] as string).slice(e.field.length + 2),
        field: e.field,
      })),
    });
  },
  forbidden: (type: ResourceType, name: string, why: string) =>
    failure(403, "Forbidden", `${qualifiedResource(type)} "${name}" is forbidden: ${why}`, resourceDetails(type, name)),
  badRequest: (message: string) => failure(400, "BadRequest", message),
  methodNotAllowed: () => failure(405, "MethodNotAllowed", "the server does not allow this method on the requested resource"),
  pathNotFound: () => failure(404, "NotFound", "the server could not find the requested resource", {}),
  unsupportedMediaType: (contentType: string) =>
    failure(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/apply-patch+yaml, application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got ${contentType})`),
  expired: (message: string) => failure(410, "Expired", message),
  unauthorized: () => failure(401, "Unauthorized", "Unauthorized"),
  tooLarge: () => failure(413, "RequestEntityTooLarge", "Request entity too large: limit is 3145728"),
  internal: (message: string) => failure(500, "InternalError", `Internal error occurred: ${message}`, { causes: [{ reason: "UnexpectedServerResponse", message }] }),
};
