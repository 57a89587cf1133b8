// ObjectMeta rules every kind shares (upstream's ValidateObjectMeta), around
// the kind's own checks: generateName as a name prefix, then the kind's
// metadata.name errors, then label keys and values, then the rest.
import type { FieldError } from "../registry";
import { validateSubdomain } from "../registry/validation";
import type { KObject } from "../types";

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE_DETAIL =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const NAME_PART_DETAIL =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

/** A label key: an optional DNS subdomain prefix and "/", then a name part of at most 63 characters. */
function labelKeyErrors(key: string): string[] {
  const slash = key.lastIndexOf("/");
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const out: string[] = [];
  if (slash >= 0) {
    const prefix = key.slice(0, slash);
    if (!prefix.length) out.push("prefix part must be non-empty");
    else for (const e of validateSubdomain("", prefix)) out.push(`prefix part ${e.detail ?? ""}`);
  }
  if (!name.length) out.push("name part must be non-empty");
  else if (name.length > 63) out.push("name part must be no more than 63 characters");
  else if (!NAME_PART.test(name)) out.push(NAME_PART_DETAIL);
  return out;
}

function labelErrors(labels: unknown): FieldError[] {
  if (!labels || typeof labels !== "object") return [];
  const out: FieldError[] = [];
  for (const [key, value] of Object.entries(labels as Record<string, unknown>)) {
    for (const detail of labelKeyErrors(key)) out.push({ field: "metadata.labels", type: "FieldValueInvalid", value: key, detail });
    const text = typeof value === "string" ? value : String(value);
    if (text.length > 63) out.push({ field: "metadata.labels", type: "FieldValueInvalid", value: text, detail: "must be no more than 63 characters" });
    else if (!LABEL_VALUE.test(text)) out.push({ field: "metadata.labels", type: "FieldValueInvalid", value: text, detail: LABEL_VALUE_DETAIL });
  }
  return out;
}

/** generateName is checked as a name prefix: a trailing "-" is fine. */
function generateNameErrors(generateName: unknown): FieldError[] {
  if (typeof generateName !== "string" || !generateName.length) return [];
  const masked = generateName.endsWith("-") ? `${generateName.slice(0, -1)}a` : generateName;
  return validateSubdomain("metadata.generateName", masked).map((e) => ({ ...e, value: generateName }));
}

/** The kind's own problems with the shared metadata ones in upstream's order. */
export function withObjectMetaErrors(object: KObject, kindErrors: FieldError[]): FieldError[] {
  const meta = object.metadata ?? {};
  const nameErrors = kindErrors.filter((e) => e.field === "metadata.name");
  const rest = kindErrors.filter((e) => e.field !== "metadata.name");
  return [...generateNameErrors(meta.generateName), ...nameErrors, ...labelErrors(meta.labels), ...rest];
}
