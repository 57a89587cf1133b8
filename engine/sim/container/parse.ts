// The POSIX shell grammar the simulated `sh` understands: words with quotes
// and `$VAR` / `${VAR}` / `$(cmd)`, pipelines, `&&` `||` `;` `&`, redirects
// (`>` `>>` `<` `2>` `2>&1`), and the compound commands tutorials use
// (`if`, `while`/`until`, `for`, `{ }`, `( )`). Expansion happens at run time.

/** One piece of a word: 0 unquoted, 1 'single', 2 "double"; `sub` = the text of a $(...) . */
export interface WordPart {
  text: string;
  q: 0 | 1 | 2;
  sub?: boolean;
}
export type Word = WordPart[];

export interface Redirect {
  fd: number;
  op: ">" | ">>" | "<" | ">&";
  target: Word;
}

export type Command =
  | { t: "simple"; assigns: [string, Word][]; words: Word[]; redirects: Redirect[] }
  | { t: "if"; clauses: { cond: List; body: List }[]; otherwise?: List; redirects: Redirect[] }
  | { t: "while"; until: boolean; cond: List; body: List; redirects: Redirect[] }
  | { t: "for"; name: string; words?: Word[]; body: List; redirects: Redirect[] }
  | { t: "group"; body: List; subshell: boolean; redirects: Redirect[] };

export interface Pipeline {
  bang: boolean;
  commands: Command[];
}
export interface AndOr {
  first: Pipeline;
  rest: { op: "&&" | "||"; pipeline: Pipeline }[];
}
export interface List {
  items: { andOr: AndOr; background: boolean }[];
}

type Token = { k: "word"; word: Word; raw: string } | { k: "op"; op: string } | { k: "io"; fd: number };

export class ShellSyntaxError extends Error {}

const OPERATORS = ["&&", "||", ";;", ">>", ">&", "|", ";", "&", "(", ")", "<", ">", "\n"];

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let parts: WordPart[] = [];
  let raw = "";
  let inWord = false;
  const push = (text: string, q: 0 | 1 | 2, sub = false): void => {
    const last = parts[parts.length - 1];
    if (last && last.q === q && !last.sub && !sub) last.text += text;
    else parts.push(sub ? { text, q, sub } : { text, q });
    inWord = true;
  };
  const flush = (): void => {
    if (inWord) tokens.push({ k: "word", word: parts, raw });
    parts = [];
    raw = "";
    inWord = false;
  };
  /** `$(...)` starting at `start` (the `$`): its inner text and the index after `)`. */
  const substitution = (start: number): [string, number] => {
    let depth = 0;
    let j = start + 1;
    for (; j < source.length; j++) {
      const c = source[j];
      if (c === "(") depth++;
      else if (c === ")" && --depth === 0) return [source.slice(start + 2, j), j + 1];
      else if (c === "'") j = source.indexOf("'", j + 1) === -1 ? source.length : source.indexOf("'", j + 1);
    }
    throw new ShellSyntaxError("unterminated $(");
  };
  while (i < source.length) {
    const c = source[i] as string;
    if (c === "#" && !inWord) {
      while (i < source.length && source[i] !== "\n") i++;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r") {
      flush();
      i++;
      continue;
    }
    if (c === "\\") {
      if (source[i + 1] === "\n") {
        i += 2;
        continue;
      }
      push(source[i + 1] ?? "", 1);
      raw += source.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (c === "'") {
      const end = source.indexOf("'", i + 1);
      if (end === -1) throw new ShellSyntaxError("Unterminated quoted string");
      push(source.slice(i + 1, end), 1);
      raw += source.slice(i, end + 1);
      i = end + 1;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let text = "";
      for (; j < source.length && source[j] !== '"'; j++) {
        const d = source[j] as string;
        if (d === "\\" && ['"', "\\", "$", "`", "\n"].includes(source[j + 1] ?? "")) {
          const next = source[++j] as string;
          if (next !== "\n") text += next === "$" ? "\\$" : next;
        } else if (d === "$" && source[j + 1] === "(" && source[j + 2] !== "(") {
          if (text) push(text, 2);
          text = "";
          const [inner, after] = substitution(j);
          push(inner, 2, true);
          j = after - 1;
        } else text += d;
      }
      if (j >= source.length) throw new ShellSyntaxError("Unterminated quoted string");
      push(text, 2);
      raw += source.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (c === "$" && source[i + 1] === "(" && source[i + 2] !== "(") {
      const [inner, after] = substitution(i);
      push(inner, 0, true);
      raw += source.slice(i, after);
      i = after;
      continue;
    }
    if (c === "$" && source.startsWith("$((", i)) {
      const end = source.indexOf("))", i);
      if (end === -1) throw new ShellSyntaxError("unterminated $((");
      push(source.slice(i, end + 2), 0);
      raw += source.slice(i, end + 2);
      i = end + 2;
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (op) {
      if ((op === ">" || op === ">>" || op === "<" || op === ">&") && inWord && /^\d$/.test(raw) && parts.length === 1 && parts[0]?.q === 0) {
        const fd = Number(raw);
        parts = [];
        raw = "";
        inWord = false;
        tokens.push({ k: "io", fd });
      } else flush();
      tokens.push({ k: "op", op });
      i += op.length;
      continue;
    }
    push(c, 0);
    raw += c;
    i++;
  }
  flush();
  return tokens;
}

const RESERVED = new Set(["if", "then", "elif", "else", "fi", "while", "until", "do", "done", "for", "in", "{", "}", "!"]);

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }
  private isOp(op: string): boolean {
    const t = this.peek();
    return t?.k === "op" && t.op === op;
  }
  private isWord(text: string): boolean {
    const t = this.peek();
    return t?.k === "word" && t.raw === text;
  }
  private expectWord(text: string): void {
    if (!this.isWord(text)) throw new ShellSyntaxError(`syntax error: unexpected ${this.describe()} (expecting "${text}")`);
    this.pos++;
  }
  private describe(): string {
    const t = this.peek();
    if (!t) return "end of file";
    if (t.k === "op") return t.op === "\n" ? "newline" : `"${t.op}"`;
    return t.k === "word" ? `"${t.raw}"` : "redirection";
  }
  private skipNewlines(): void {
    while (this.isOp("\n")) this.pos++;
  }

  program(): List {
    const list = this.list([]);
    if (this.pos < this.tokens.length) throw new ShellSyntaxError(`syntax error: unexpected ${this.describe()}`);
    return list;
  }

  /** Commands until one of `stops` (reserved words) or a `)`. */
  private list(stops: string[]): List {
    const items: List["items"] = [];
    for (;;) {
      this.skipNewlines();
      const t = this.peek();
      if (!t || (t.k === "word" && stops.includes(t.raw)) || this.isOp(")")) break;
      const andOr = this.andOr();
      let background = false;
      if (this.isOp("&")) {
        background = true;
        this.pos++;
      } else if (this.isOp(";") || this.isOp("\n")) this.pos++;
      else if (this.peek() && !(this.peek()?.k === "word" && stops.includes((this.peek() as { raw: string }).raw)) && !this.isOp(")")) {
        throw new ShellSyntaxError(`syntax error: unexpected ${this.describe()}`);
      }
      items.push({ andOr, background });
    }
    return { items };
  }

  private andOr(): AndOr {
    const first = this.pipeline();
    const rest: AndOr["rest"] = [];
    while (this.isOp("&&") || this.isOp("||")) {
      const op = (this.peek() as { op: "&&" | "||" }).op;
      this.pos++;
      this.skipNewlines();
      rest.push({ op, pipeline: this.pipeline() });
    }
    return { first, rest };
  }

  private pipeline(): Pipeline {
    let bang = false;
    if (this.isWord("!")) {
      bang = true;
      this.pos++;
    }
    const commands = [this.command()];
    while (this.isOp("|")) {
      this.pos++;
      this.skipNewlines();
      commands.push(this.command());
    }
    return { bang, commands };
  }

  private command(): Command {
    const t = this.peek();
    if (!t || (t.k === "op" && !["<", ">", ">>", ">&", "("].includes(t.op))) throw new ShellSyntaxError(`syntax error: unexpected ${this.describe()}`);
    if (this.isOp("(")) {
      this.pos++;
      const body = this.list([]);
      if (!this.isOp(")")) throw new ShellSyntaxError(`syntax error: unexpected ${this.describe()} (expecting ")")`);
      this.pos++;
      return { t: "group", body, subshell: true, redirects: this.redirects() };
    }
    if (t.k === "word") {
      switch (t.raw) {
        case "{": {
          this.pos++;
          const body = this.list(["}"]);
          this.expectWord("}");
          return { t: "group", body, subshell: false, redirects: this.redirects() };
        }
        case "if": {
          this.pos++;
          const clauses: { cond: List; body: List }[] = [];
          let otherwise: List | undefined;
          for (;;) {
            const cond = this.list(["then"]);
            this.expectWord("then");
            const body = this.list(["elif", "else", "fi"]);
            clauses.push({ cond, body });
            if (this.isWord("elif")) {
              this.pos++;
              continue;
            }
            if (this.isWord("else")) {
              this.pos++;
              otherwise = this.list(["fi"]);
            }
            this.expectWord("fi");
            break;
          }
          return { t: "if", clauses, otherwise, redirects: this.redirects() };
        }
        case "while":
        case "until": {
          this.pos++;
          const cond = this.list(["do"]);
          this.expectWord("do");
          const body = this.list(["done"]);
          this.expectWord("done");
          return { t: "while", until: t.raw === "until", cond, body, redirects: this.redirects() };
        }
        case "for": {
          this.pos++;
          const name = this.peek();
          if (name?.k !== "word") throw new ShellSyntaxError(`syntax error: bad for loop variable`);
          this.pos++;
          let words: Word[] | undefined;
          this.skipNewlines();
          if (this.isWord("in")) {
            this.pos++;
            words = [];
            for (let w = this.peek(); w?.k === "word"; w = this.peek()) {
              words.push(w.word);
              this.pos++;
            }
          }
          if (this.isOp(";") || this.isOp("\n")) this.pos++;
          this.skipNewlines();
          this.expectWord("do");
          const body = this.list(["done"]);
          this.expectWord("done");
          return { t: "for", name: name.raw, words, body, redirects: this.redirects() };
        }
        default:
          if (RESERVED.has(t.raw) && t.raw !== "!") throw new ShellSyntaxError(`syntax error: unexpected ${this.describe()}`);
      }
    }
    const assigns: [string, Word][] = [];
    const words: Word[] = [];
    const redirects: Redirect[] = [];
    for (;;) {
      const tok = this.peek();
      if (!tok) break;
      if (tok.k === "word") {
        const eq = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(tok.raw);
        if (eq && words.length === 0 && tok.word[0]?.q === 0 && tok.word[0].text.startsWith(`${eq[1]}=`)) {
          const [head, ...tail] = tok.word as [WordPart, ...WordPart[]];
          assigns.push([eq[1] as string, [{ ...head, text: head.text.slice((eq[1] as string).length + 1) }, ...tail]]);
        } else words.push(tok.word);
        this.pos++;
        continue;
      }
      const redirect = this.redirect();
      if (!redirect) break;
      redirects.push(redirect);
    }
    return { t: "simple", assigns, words, redirects };
  }

  private redirects(): Redirect[] {
    const out: Redirect[] = [];
    for (let r = this.redirect(); r; r = this.redirect()) out.push(r);
    return out;
  }

  private redirect(): Redirect | undefined {
    let fd: number | undefined;
    const start = this.pos;
    const tok = this.peek();
    if (tok?.k === "io") {
      fd = tok.fd;
      this.pos++;
    }
    const op = this.peek();
    if (op?.k !== "op" || ![">", ">>", "<", ">&"].includes(op.op)) {
      this.pos = start;
      return undefined;
    }
    this.pos++;
    const target = this.peek();
    if (target?.k !== "word") throw new ShellSyntaxError(`syntax error: unexpected ${this.describe()}`);
    this.pos++;
    const kind = op.op as Redirect["op"];
    return { fd: fd ?? (kind === "<" ? 0 : 1), op: kind, target: target.word };
  }
}

export function parse(source: string): List {
  return new Parser(tokenize(source)).program();
}
