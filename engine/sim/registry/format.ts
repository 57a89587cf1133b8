// How the API server renders times: RFC 3339 timestamps in whole seconds
// (metav1.Time), microsecond ones (metav1.MicroTime), and the human ages of
// table cells, truncated and never rounded.

/** The last second rendered: writers stamp many objects within one second of clock. */
const lastStamp = { second: Number.NaN, text: "" };

export function timestamp(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastStamp.second) {
    lastStamp.second = second;
    lastStamp.text = new Date(second * 1000).toISOString().replace(".000Z", "Z");
  }
  return lastStamp.text;
}

/** The last millisecond rendered as a MicroTime (events stamp several within one). */
const lastMicroStamp = { ms: Number.NaN, text: "" };

export function microTimestamp(ms: number): string {
  if (ms !== lastMicroStamp.ms) {
    lastMicroStamp.ms = ms;
    lastMicroStamp.text = new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
  }
  return lastMicroStamp.text;
}

/** Age of a duration in milliseconds, as kubectl's AGE and LAST SEEN columns show it. */
export function humanDuration(ms: number): string {
  // Whole seconds truncated toward zero, as Go's int(d.Seconds()): -1.9 s is still "0s".
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (ms < 0) return "0s";
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return withRest(minutes, "m", seconds % 60, "s");
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return withRest(hours, "h", minutes % 60, "m");
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) return withRest(days, "d", hours % 24, "h");
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (hours < 24 * 365 * 8) return withRest(years, "y", days % 365, "d");
  return `${years}y`;
}

function withRest(major: number, majorUnit: string, rest: number, restUnit: string): string {
  return rest === 0 ? `${major}${majorUnit}` : `${major}${majorUnit}${rest}${restUnit}`;
}

/** Age of a timestamp relative to `now`, `<unknown>` when absent. */
export function ageSince(time: string | null | undefined, now: number): string {
  if (!time) return "<unknown>";
  const at = Date.parse(time);
  return Number.isNaN(at) ? "<unknown>" : humanDuration(now - at);
}
