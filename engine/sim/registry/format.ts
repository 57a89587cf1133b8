// How the API server renders times: RFC 3339 timestamps in whole seconds
// (metav1.Time), microsecond ones (metav1.MicroTime), and the human ages of
// table cells, truncated and never rounded.

export function timestamp(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

export function microTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

/** Age of a duration in milliseconds, as kubectl's AGE and LAST SEEN columns show it. */
export function humanDuration(ms: number): string {
  if (ms < -1000) return "<invalid>";
  if (ms < 0) return "0s";
  const seconds = Math.floor(ms / 1000);
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
