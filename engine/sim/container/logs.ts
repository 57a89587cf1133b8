// A container's log: what its main process wrote to stdout/stderr, line by
// line with the time of writing (for `--timestamps` / `--since`), readable
// while it grows (`logs -f`) and closed when the container stops.

export interface LogOptions {
  tailLines?: number;
  timestamps?: boolean;
  sinceSeconds?: number;
  limitBytes?: number;
}

interface Line {
  at: number;
  /** The line without its newline: a catalogue's constant lines are then stored once for every container that prints them. */
  text: string;
}

export class ContainerLog {
  private readonly lines: Line[] = [];
  private partial = "";
  private partialAt = 0;
  closed = false;
  private readonly followers = new Set<{ data(text: string): void; end(): void }>();

  constructor(private readonly now: () => number) {}

  write(text: string): void {
    if (this.closed) return;
    const at = this.now();
    if (!this.partial) this.partialAt = at;
    const parts = (this.partial + text).split("\n");
    this.partial = parts.pop() ?? "";
    for (const part of parts) {
      this.push(this.partialAt || at, part);
      this.partialAt = at;
    }
  }

  /** The same as `write(line + "\n")` for a line without newlines. */
  writeLine(line: string): void {
    if (this.closed) return;
    if (this.partial || line.includes("\n")) this.write(`${line}\n`);
    else this.push(this.now(), line);
  }

  private push(at: number, text: string): void {
    this.lines.push({ at, text });
    for (const f of this.followers) f.data(`${text}\n`);
  }

  close(): void {
    if (this.closed) return;
    if (this.partial) this.write("\n");
    this.closed = true;
    for (const f of this.followers) f.end();
    this.followers.clear();
  }

  private format(line: Line, timestamps?: boolean): string {
    return timestamps ? `${new Date(line.at).toISOString().replace(/\.(\d{3})Z$/, ".$1000000Z")} ${line.text}\n` : `${line.text}\n`;
  }

  text(options: LogOptions = {}): string {
    let lines = this.lines;
    if (options.sinceSeconds !== undefined) {
      const from = this.now() - options.sinceSeconds * 1000;
      lines = lines.filter((l) => l.at >= from);
    }
    if (options.tailLines !== undefined && options.tailLines >= 0) lines = lines.slice(Math.max(0, lines.length - options.tailLines));
    const text = lines.map((l) => this.format(l, options.timestamps)).join("");
    return options.limitBytes !== undefined ? text.slice(0, options.limitBytes) : text;
  }

  /** Call `data` with every new line until the log closes (then `end`); returns the unsubscribe. */
  follow(options: LogOptions, data: (text: string) => void, end: () => void): () => void {
    if (this.closed) {
      end();
      return () => undefined;
    }
    const follower = { data: (text: string) => data(options.timestamps ? this.format({ at: this.now(), text: text.slice(0, -1) }, true) : text), end };
    this.followers.add(follower);
    return () => this.followers.delete(follower);
  }
}
