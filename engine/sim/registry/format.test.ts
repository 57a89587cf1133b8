import { describe, expect, it } from "vitest";
import { humanDuration, timestamp, microTimestamp } from "./format";

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;
const y = 365 * d;

describe("humanDuration", () => {
  it.each([
    [-2 * s, "<invalid>"],
    [-1999, "0s"],
    [-500, "0s"],
    [0, "0s"],
    [999, "0s"],
    [90 * s, "90s"],
    [119 * s + 999, "119s"],
    [120 * s, "2m"],
    [150 * s, "2m30s"],
    [9 * m + 59 * s, "9m59s"],
    [10 * m + 30 * s, "10m"],
    [179 * m + 59 * s, "179m"],
    [3 * h + 4 * m + 59 * s, "3h4m"],
    [5 * h, "5h"],
    [8 * h, "8h"],
    [47 * h + 59 * m, "47h"],
    [2 * d + 3 * h + 59 * m, "2d3h"],
    [7 * d, "7d"],
    [8 * d + 23 * h, "8d"],
    [400 * d, "400d"],
    [2 * y + 45 * d + 23 * h, "2y45d"],
    [3 * y, "3y"],
    [9 * y, "9y"],
  ])("%d ms -> %s (truncated, never rounded)", (ms, shown) => {
    expect(humanDuration(ms)).toBe(shown);
  });

  it("renders metav1.Time in whole seconds and MicroTime in microseconds", () => {
    const at = Date.parse("2026-01-01T10:00:00.987Z");
    expect(timestamp(at)).toBe("2026-01-01T10:00:00Z");
    expect(microTimestamp(at)).toBe("2026-01-01T10:00:00.987000Z");
  });
});
