// `perl` of the perl image, for the one-liners the course runs (the
// kubernetes.io Job `perl -Mbignum=bpi -wle 'print bpi(2000)'`): switches
// (-e/-E code, -l, -w, -M/-m modules), then statements separated by `;`:
// print of strings, numbers and bpi(N); sleep; exit; die. Anything else fails
// to compile as perl reports it, with perl's exit code 255.
import { FsError } from "./fs";
import type { ProcIO, Shell } from "./shell";

interface Script {
  code: string;
  /** Where perl says an error is: `-e` or the script's path. */
  source: string;
  /** -l: print ends each call with a newline. */
  lines: boolean;
  /** Names imported by -M (bignum=bpi imports bpi). */
  imports: Set<string>;
}

class PerlDie extends Error {
  constructor(
    readonly text: string,
    readonly code = 255,
  ) {
    super(text);
  }
}

export async function perl(sh: Shell, [, ...args]: string[], io: ProcIO): Promise<number> {
  const imports = new Set<string>();
  let lines = false;
  let code: string | undefined;
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "--") {
      i++;
      break;
    }
    if (!arg.startsWith("-") || arg === "-") break;
    for (let j = 1; j < arg.length; j++) {
      const flag = arg[j] as string;
      if (flag === "l") lines = true;
      else if (flag === "e" || flag === "E") {
        const rest = arg.slice(j + 1);
        const next = rest || args[++i];
        if (next === undefined) {
          io.err("No code specified for -e.\n");
          return 25;
        }
        code = code === undefined ? next : `${code}\n${next}`;
        break;
      } else if (flag === "M" || flag === "m") {
        const [, names = ""] = arg.slice(j + 1).split("=", 2);
        for (const name of names.split(",")) if (name) imports.add(name);
        break;
      }
    }
  }
  let script: Script;
  if (code !== undefined) script = { code, source: "-e", lines, imports };
  else if (i < args.length) {
    const file = args[i] as string;
    try {
      script = { code: sh.host.fs.readFile(sh.path(file)), source: file, lines, imports };
    } catch (error) {
      if (!(error instanceof FsError)) throw error;
      io.err(`Can't open perl script "${file}": ${error.text}\n`);
      return 2;
    }
  } else script = { code: await io.stdin.readAll(io.interrupt), source: "-", lines, imports };
  try {
    return await run(sh, script, io);
  } catch (error) {
    if (!(error instanceof PerlDie)) throw error;
    io.err(error.text);
    return error.code;
  }
}

async function run(sh: Shell, script: Script, io: ProcIO): Promise<number> {
  const statements = script.code
    .split(/;|\n/)
    .map((s) => s.trim())
    .filter((s) => s && !s.startsWith("#"));
  // perl compiles the whole script before running any of it.
  const compiled = statements.map((statement) => compile(statement, script));
  for (const step of compiled) {
    const exit = await step(sh, io);
    if (exit !== undefined) return exit;
  }
  return 0;
}

type Step = (sh: Shell, io: ProcIO) => Promise<number | undefined>;

function compile(statement: string, script: Script): Step {
  const call = /^(print|sleep|exit|die)\b\s*(.*)$/.exec(statement);
  if (!call) return unknown(statement, script);
  const [, verb = "", list = ""] = call;
  const rest = unwrap(list);
  const values = rest ? splitList(rest).map((item) => term(item, script)) : [];
  switch (verb) {
    case "print":
      return async (sh, io) => {
        let text = "";
        for (const value of values) text += await value(sh, io);
        io.out(script.lines ? `${text}\n` : text);
        return undefined;
      };
    case "sleep":
      return async (sh, io) => {
        const seconds = Number((await values[0]?.(sh, io)) ?? 0);
        return (await sh.wait(seconds * 1000, io.interrupt)) ? undefined : 130;
      };
    case "exit":
      return async (sh, io) => Number((await values[0]?.(sh, io)) ?? 0) & 255;
    default:
      return async (sh, io) => {
        let text = "";
        for (const value of values) text += await value(sh, io);
        throw new PerlDie(text.endsWith("\n") ? text : `${text || "Died"}${at(script)}`);
      };
  }
}

type Term = (sh: Shell, io: ProcIO) => Promise<string>;

function term(item: string, script: Script): Term {
  const quoted = /^"(.*)"$/s.exec(item) ?? /^'(.*)'$/s.exec(item);
  if (quoted) {
    const text = item.startsWith('"') ? (quoted[1] ?? "").replace(/\\n/g, "\n").replace(/\\t/g, "\t") : (quoted[1] ?? "");
    return () => Promise.resolve(text);
  }
  if (/^-?\d+(\.\d+)?$/.test(item)) return () => Promise.resolve(String(Number(item)));
  const pi = /^bpi\s*\(\s*(\d+)\s*\)$/.exec(item);
  if (pi) {
    const digits = Number(pi[1]);
    return async (sh, io) => {
      if (!script.imports.has("bpi")) throw new PerlDie(`Undefined subroutine &main::bpi called${at(script)}`);
      // Thinking time grows with the square of the digits: 2000 take about 10 s, as the Job's docs say.
      if (!(await sh.wait(Math.round((digits * digits) / 400), io.interrupt))) throw new PerlDie("", 130);
      return piDigits(digits);
    };
  }
  throw syntaxError(item, script);
}

/** `(a, b)` -> `a, b` when the parentheses enclose the whole list. */
function unwrap(list: string): string {
  if (!list.startsWith("(") || !list.endsWith(")")) return list;
  const inner = list.slice(1, -1);
  let depth = 0;
  for (const ch of inner) {
    depth += ch === "(" ? 1 : ch === ")" ? -1 : 0;
    if (depth < 0) return list;
  }
  return inner.trim();
}

/** Split a print list on top-level commas (not inside quotes or parentheses). */
function splitList(text: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let quote = "";
  let current = "";
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = "";
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === "(") depth++;
    else if (ch === ")") depth--;
    else if (ch === "," && depth === 0) {
      items.push(current.trim());
      current = "";
      continue;
    }
    current += ch;
  }
  items.push(current.trim());
  return items;
}

/** Where perl places a message: ` at -e line 1.` */
function at(script: Script): string {
  return ` at ${script.source} line 1.\n`;
}

/** A call of a sub we do not have fails when it runs; anything else does not compile. */
function unknown(statement: string, script: Script): Step {
  const sub = /^([A-Za-z_]\w*)\s*(\(|$)/.exec(statement);
  if (!sub) throw syntaxError(statement, script);
  return () => Promise.reject(new PerlDie(`Undefined subroutine &main::${sub[1] ?? ""} called${at(script)}`));
}

/** perl's parser gives up at the first token it cannot use; we name the statement's first one. */
function syntaxError(statement: string, script: Script): PerlDie {
  const near = /^(\w+|\S)/.exec(statement)?.[1] ?? statement;
  return new PerlDie(`syntax error at ${script.source} line 1, near "${near}"\nExecution of ${script.source} aborted due to compilation errors.\n`);
}

/**
 * Pi to `digits` significant digits, rounded at the last one, as
 * Math::BigFloat's bpi(N) prints it (bpi(10) is 3.141592654). Machin's
 * formula on BigInts with guard digits.
 */
export function piDigits(digits: number): string {
  const guard = 10;
  const unity = 10n ** BigInt(digits - 1 + guard);
  const arccot = (x: bigint): bigint => {
    let term = unity / x;
    let sum = term;
    const square = x * x;
    for (let k = 3n, sign = -1n; term !== 0n; k += 2n, sign = -sign) {
      term /= square;
      sum += (sign * term) / k;
    }
    return sum;
  };
  const scaled = 4n * (4n * arccot(5n) - arccot(239n));
  const rounded = (scaled + 5n * 10n ** BigInt(guard - 1)) / 10n ** BigInt(guard);
  const text = rounded.toString();
  return text.length > 1 ? `${text[0]}.${text.slice(1)}` : text;
}
