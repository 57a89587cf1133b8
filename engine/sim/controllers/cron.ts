// Cron schedules as the CronJob controller reads them (robfig/cron's standard
// parser): five fields (minute hour day-of-month month day-of-week) with
// `*`, `?`, ranges, steps, lists and month/day names, the @yearly ... @hourly
// macros, and an IANA time zone. Times are whole minutes in ms since epoch.

export interface CronSchedule {
  /** Whether the minute starting at `ms` matches. */
  matches(ms: number): boolean;
  /** The first matching minute strictly after `ms`, or undefined within the search horizon. */
  next(ms: number): number | undefined;
}

const MINUTE = 60_000;
/** How far `next` and scans look: a bit over four years of minutes (29 February). */
const HORIZON_MINUTES = 366 * 4 * 24 * 60 + 1;

const MACROS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

interface FieldSpec {
  min: number;
  max: number;
  names?: string[];
  namesFrom?: number;
}

const FIELDS: FieldSpec[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTHS, namesFrom: 1 },
  { min: 0, max: 7, names: DAYS, namesFrom: 0 },
];

interface Field {
  values: Set<number>;
  /** Started with `*` or `?` (robfig's star bit: day fields then combine with AND). */
  star: boolean;
}

function parseValue(text: string, spec: FieldSpec): number {
  const lower = text.toLowerCase();
  const named = spec.names?.indexOf(lower) ?? -1;
  if (named >= 0) return named + (spec.namesFrom ?? 0);
  if (!/^\d+$/.test(text)) throw new Error(`failed to parse int from ${text}`);
  return Number(text);
}

function parseField(text: string, spec: FieldSpec): Field {
  const values = new Set<number>();
  let star = false;
  for (const part of text.split(",")) {
    const [range, stepText] = part.split("/") as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step <= 0) throw new Error(`invalid step ${stepText ?? ""}`);
    let lo: number;
    let hi: number;
    if (range === "*" || range === "?") {
      lo = spec.min;
      hi = spec.max;
      star ||= stepText === undefined;
    } else if (range.includes("-")) {
      const [a, b] = range.split("-") as [string, string];
      lo = parseValue(a, spec);
      hi = parseValue(b, spec);
    } else {
      lo = parseValue(range, spec);
      hi = stepText === undefined ? lo : spec.max;
    }
    if (lo < spec.min || hi > spec.max || lo > hi) throw new Error(`value out of range (${spec.min} - ${spec.max}): ${range}`);
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return { values, star };
}

interface WallTime {
  minute: number;
  hour: number;
  day: number;
  month: number;
  weekday: number;
}

/** UTC offset (ms) of `zone` at instant `ms`. */
function zoneOffset(format: Intl.DateTimeFormat, ms: number): number {
  const parts: Record<string, number> = {};
  for (const p of format.formatToParts(new Date(ms))) if (p.type !== "literal") parts[p.type] = Number(p.value);
  const asUTC = Date.UTC(parts.year ?? 1970, (parts.month ?? 1) - 1, parts.day ?? 1, (parts.hour ?? 0) % 24, parts.minute ?? 0, parts.second ?? 0);
  return asUTC - (ms - (ms % 1000));
}

/** Parse a schedule; throws with robfig-like wording when it is not valid. */
export function parseSchedule(schedule: string, timeZone?: string): CronSchedule {
  const text = MACROS[schedule.trim().toLowerCase()] ?? schedule.trim();
  const parts = text.split(/\s+/);
  if (parts.length !== 5) throw new Error(`expected exactly 5 fields, found ${parts.length}: ${schedule}`);
  const [minute, hour, dom, month, dow] = parts.map((p, i) => parseField(p, FIELDS[i] as FieldSpec)) as [Field, Field, Field, Field, Field];
  if (dow.values.has(7)) dow.values.add(0);
  const format = timeZone
    ? new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" })
    : undefined;
  // Offsets change rarely: cache per UTC hour.
  let cachedHour = Number.NaN;
  let cachedOffset = 0;
  const wall = (ms: number): WallTime => {
    let local = ms;
    if (format) {
      const hourKey = Math.floor(ms / 3_600_000);
      if (hourKey !== cachedHour) {
        cachedHour = hourKey;
        cachedOffset = zoneOffset(format, ms);
      }
      local = ms + cachedOffset;
    }
    const d = new Date(local);
    return { minute: d.getUTCMinutes(), hour: d.getUTCHours(), day: d.getUTCDate(), month: d.getUTCMonth() + 1, weekday: d.getUTCDay() };
  };
  const matches = (ms: number): boolean => {
    const w = wall(ms);
    if (!minute.values.has(w.minute) || !hour.values.has(w.hour) || !month.values.has(w.month)) return false;
    const domOk = dom.values.has(w.day);
    const dowOk = dow.values.has(w.weekday);
    return dom.star || dow.star ? domOk && dowOk : domOk || dowOk;
  };
  return {
    matches,
    next(ms) {
      let t = Math.floor(ms / MINUTE) * MINUTE + MINUTE;
      for (let i = 0; i < HORIZON_MINUTES; i++, t += MINUTE) if (matches(t)) return t;
      return undefined;
    },
  };
}

/**
 * Upstream's mostRecentScheduleTime: the latest scheduled minute in
 * (earliest, now], and how many were missed in that window (capped).
 */
export function mostRecentScheduleTime(schedule: CronSchedule, earliest: number, now: number): { time?: number; missed: number } {
  let t = schedule.next(earliest);
  let time: number | undefined;
  let missed = 0;
  while (t !== undefined && t <= now) {
    time = t;
    missed++;
    if (missed > 1000) {
      // Jump to the latest one without counting every slot.
      let back = Math.floor(now / MINUTE) * MINUTE;
      while (!schedule.matches(back)) back -= MINUTE;
      return { time: back, missed };
    }
    t = schedule.next(t);
  }
  return { time, missed };
}
