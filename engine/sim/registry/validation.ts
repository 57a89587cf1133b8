// Name rules and the upstream wording of their failures (kubectl prints these verbatim).
import type { FieldError } from "./resource";

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const SUBDOMAIN_DETAIL =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_DETAIL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

export function validateSubdomain(field: string, value: string): FieldError[] {
  if (value.length > 253) {
    return [{ field, type: "FieldValueInvalid", value, detail: "must be no more than 253 characters" }];
  }
  return DNS1123_SUBDOMAIN.test(value) ? [] : [{ field, type: "FieldValueInvalid", value, detail: SUBDOMAIN_DETAIL }];
}

export function validateLabel(field: string, value: string): FieldError[] {
  if (value.length > 63) {
    return [{ field, type: "FieldValueInvalid", value, detail: "must be no more than 63 characters" }];
  }
  return DNS1123_LABEL.test(value) ? [] : [{ field, type: "FieldValueInvalid", value, detail: LABEL_DETAIL }];
}

/** One field error as upstream's field.Error prints it. */
/** A value as Go's field errors print it: strings quoted, a []string as `[]string{"a", "b"}`. */
function goValue(value: unknown): string {
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return `[]string{${value.map((v) => JSON.stringify(v)).join(", ")}}`;
  return JSON.stringify(value);
}

export function describeFieldError(error: FieldError): string {
  switch (error.type) {
    case "FieldValueRequired":
      return `${error.field}: Required value${error.detail ? `: ${error.detail}` : ""}`;
    case "FieldValueInvalid":
      return `${error.field}: Invalid value: ${goValue(error.value)}${error.detail ? `: ${error.detail}` : ""}`;
    case "FieldValueNotSupported":
      return `${error.field}: Unsupported value: ${JSON.stringify(error.value)}${error.detail ? `: ${error.detail}` : ""}`;
    case "FieldValueDuplicate":
      return `${error.field}: Duplicate value: ${JSON.stringify(error.value)}`;
    case "FieldValueForbidden":
      return `${error.field}: Forbidden${error.detail ? `: ${error.detail}` : ""}`;
    case "FieldValueTooLong":
      return `${error.field}: Too long${error.detail ? `: ${error.detail}` : ""}`;
  }
}
