// Label and field selectors as the API server parses them from the query
// string. Parse errors become 400s with a message naming the bad selector.
import { errors } from "./status";

type LabelRequirement =
  | { key: string; op: "exists" | "!exists" }
  | { key: string; op: "=" | "!="; value: string }
  | { key: string; op: "in" | "notin"; values: string[] }
  | { key: string; op: ">" | "<"; value: number };

export type LabelSelector = (labels: Record<string, string> | undefined) => boolean;

/** Split on commas that are not inside parentheses: `a in (x,y),b` -> [`a in (x,y)`, `b`]. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of text) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      parts.push(current);
      current = "";
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

function parseRequirement(text: string, whole: string): LabelRequirement {
  const setMatch = /^([^\s!=<>()]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(text);
  if (setMatch) {
    const values = (setMatch[3] ?? "").split(",").map((v) => v.trim()).filter((v) => v.length > 0);
    return { key: setMatch[1] as string, op: setMatch[2] as "in" | "notin", values };
  }
  const opMatch = /^([^\s!=<>()]+)\s*(==|=|!=|>|<)\s*([^\s!=<>(),]*)$/.exec(text);
  if (opMatch) {
    const key = opMatch[1] as string;
    const op = opMatch[2] as string;
    const value = opMatch[3] ?? "";
    if (op === ">" || op === "<") {
      const n = Number(value);
      if (!Number.isInteger(n)) throw errors.badRequest(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`);
      return { key, op, value: n };
    }
    return { key, op: op === "!=" ? "!=" : "=", value };
  }
  const existsMatch = /^(!?)\s*([^\s!=<>(),]+)$/.exec(text);
  if (existsMatch) return { key: existsMatch[2] as string, op: existsMatch[1] ? "!exists" : "exists" };
  throw errors.badRequest(`unable to parse requirement: found '${text}', expected: in, notin, =, ==, !=, gt, lt in selector "${whole}"`);
}

function matches(req: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, req.key);
  const value = labels[req.key];
  switch (req.op) {
    case "exists":
      return has;
    case "!exists":
      return !has;
    case "=":
      return has && value === req.value;
    case "!=":
      return !has || value !== req.value;
    case "in":
      return has && req.values.includes(value ?? "");
    case "notin":
      return !has || !req.values.includes(value ?? "");
    case ">":
      return has && Number(value) > req.value;
    case "<":
      return has && Number(value) < req.value;
  }
}

export function parseLabelSelector(text: string | null): LabelSelector {
  if (!text) return () => true;
  const requirements = splitTopLevel(text).map((part) => parseRequirement(part, text));
  return (labels) => requirements.every((r) => matches(r, labels ?? {}));
}

export interface FieldRequirement {
  field: string;
  op: "=" | "!=";
  value: string;
}

export function parseFieldSelector(text: string | null): FieldRequirement[] {
  if (!text) return [];
  return text
    .split(",")
    .filter((p) => p.length > 0)
    .map((part) => {
      const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(part);
      if (!m) throw errors.badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
      return { field: (m[1] as string).trim(), op: m[2] === "!=" ? "!=" : "=", value: (m[3] as string).trim() };
    });
}

export function matchesFields(requirements: FieldRequirement[], fields: Record<string, string>): boolean {
  return requirements.every((r) => (r.op === "=" ? fields[r.field] === r.value : fields[r.field] !== r.value));
}
