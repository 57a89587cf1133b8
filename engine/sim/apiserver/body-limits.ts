// Guards on request bodies, applied before any parser sees them: a body nested
// deeper than any Kubernetes object (thousands of `[`) and a YAML "billion
// laughs" (aliases expanding exponentially) are refused with a 400 at once.
// Without them the `yaml` package overflows its stack near 800 levels and
// crashes the whole process (out of memory) near 100,000, and our recursive
// copies (thaw, freeze, field checks) would overflow on deep JSON.
import { parse as parseYaml } from "yaml";
import { errors } from "./status";

/** Deeper than any real object (upstream's JSON decoder stops at 10,000; our recursive code wants far less). */
export const MAX_NESTING_DEPTH = 500;

/** Aliases a YAML body may dereference (the `yaml` package's default, stated). */
export const MAX_ALIAS_COUNT = 100;

/**
 * The deepest `[`/`{` nesting of `text`, skipping quoted strings and comments.
 * Exact for JSON; for YAML it counts flow collections (block nesting needs an
 * indentation per level, so the body size bounds it).
 */
export function nestingDepth(text: string, limit = Infinity, quotes = true): number {
  let depth = 0;
  let deepest = 0;
  let quote = "";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote) {
      if (quote === '"' && c === 92 /* \ */) i++;
      else if (c === quote.charCodeAt(0)) quote = "";
      continue;
    }
    if (quotes && (c === 34 /* " */ || c === 39) /* ' */) {
      // A quote inside a plain YAML scalar (it's) does not open a string.
      const before = i > 0 ? text[i - 1] : " ";
      if (c === 34 || !/[A-Za-z0-9]/.test(before ?? " ")) quote = text[i] ?? "";
    } else if (c === 35 /* # */ && (i === 0 || /\s/.test(text[i - 1] ?? " "))) {
      const end = text.indexOf("\n", i);
      if (end < 0) break;
      i = end;
    } else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if ((c === 93 /* ] */ || c === 125) /* } */ && depth > 0) depth--;
  }
  return deepest;
}

/** A bracket count that trusts no quoting, for YAML whose quotes the scan may misread: the parser must never see 100,000 levels. */
const HARD_YAML_DEPTH = 5000;

function checkDepth(text: string, yaml = false): void {
  if (nestingDepth(text, MAX_NESTING_DEPTH) > MAX_NESTING_DEPTH || (yaml && nestingDepth(text, HARD_YAML_DEPTH, false) > HARD_YAML_DEPTH)) {
    throw errors.badRequest(`the request body is nested too deeply: more than ${MAX_NESTING_DEPTH} levels`);
  }
}

/** JSON.parse behind the nesting guard; `what` names the body in the error ("request body", "patch"). */
export function parseJsonBody(text: string, what: string): unknown {
  checkDepth(text);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw errors.badRequest(`error decoding ${what}: json parse error: ${(error as Error).message}`);
  }
}

/** YAML behind the nesting guard and a bounded alias count; `prefix` starts the error message. */
export function parseYamlBody(text: string, prefix: string): unknown {
  checkDepth(text, true);
  try {
    return parseYaml(text, { maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const message = (error as Error).message.split("\n")[0] ?? "";
    if (message.startsWith("Excessive alias count")) throw errors.badRequest(`${prefix}: yaml: document contains excessive aliasing`);
    throw errors.badRequest(`${prefix}: ${message}`);
  }
}
