import { describe, expect, it } from "vitest";
import { ManualClock } from "./index";
import { ScaledClock } from "./scaled";

const START = Date.parse("2026-03-01T12:00:00Z");

describe("ScaledClock", () => {
  it("is the wrapped clock exactly at factor 1", () => {
    const base = new ManualClock(START);
    const clock = new ScaledClock(base);
    const fired: number[] = [];
    clock.schedule(1_500, () => fired.push(clock.now()));
    expect(clock.factor).toBe(1);
    expect(clock.now()).toBe(START);
    base.advance(1_499);
    expect(fired).toEqual([]);
    expect(clock.now()).toBe(START + 1_499);
    base.advance(1);
    expect(fired).toEqual([START + 1_500]);
  });

  it("at factor 10 fires timers after a tenth of their delay in wrapped time, and now() runs 10 times as fast", () => {
    const base = new ManualClock(START);
    const clock = new ScaledClock(base);
    clock.setFactor(10);
    const fired: string[] = [];
    clock.schedule(10_000, () => fired.push(`10s at +${clock.now() - START}`));
    clock.schedule(300_000, () => fired.push(`5min at +${clock.now() - START}`));
    base.advance(999);
    expect(clock.now()).toBe(START + 9_990);
    expect(fired).toEqual([]);
    base.advance(1);
    expect(fired).toEqual(["10s at +10000"]);
    base.advance(29_000);
    expect(fired).toEqual(["10s at +10000", "5min at +300000"]);
    expect(clock.now()).toBe(START + 300_000);
  });

  it("cancels a timer", () => {
    const base = new ManualClock(START);
    const clock = new ScaledClock(base);
    clock.setFactor(60);
    const fired: string[] = [];
    const timer = clock.schedule(60_000, () => fired.push("cancelled"));
    clock.schedule(120_000, () => fired.push("kept"));
    timer.cancel();
    base.advance(5_000);
    expect(fired).toEqual(["kept"]);
    expect(base.waiting).toBe(0);
  });

  it("keeps time continuous when the factor changes, and waiting timers keep their due time on the scaled clock", () => {
    const base = new ManualClock(START);
    const clock = new ScaledClock(base);
    const fired: string[] = [];
    clock.schedule(20_000, () => fired.push(`20s at +${clock.now() - START} (wrapped +${base.now() - START})`));
    clock.schedule(20_000, () => fired.push("20s, set second"));
    base.advance(10_000);
    clock.setFactor(10);
    expect(clock.now()).toBe(START + 10_000);
    base.advance(999);
    expect(clock.now()).toBe(START + 19_990);
    expect(fired).toEqual([]);
    base.advance(1);
    expect(fired).toEqual(["20s at +20000 (wrapped +11000)", "20s, set second"]);
    clock.schedule(60_000, () => fired.push(`slowed at +${clock.now() - START}`));
    base.advance(1_000);
    clock.setFactor(1);
    expect(clock.now()).toBe(START + 30_000);
    base.advance(49_999);
    expect(fired).toHaveLength(2);
    base.advance(1);
    expect(fired.at(-1)).toBe("slowed at +80000");
    expect(base.waiting).toBe(0);
  });

  it("shows at least a timer's due time when it fires, for delays that do not divide by the factor", () => {
    const base = new ManualClock(START);
    const clock = new ScaledClock(base);
    clock.setFactor(60);
    const late: string[] = [];
    let due = START;
    for (const delay of [1, 7, 100, 333, 1_000, 1_001, 9_999, 10_000, 30_000, 299_999]) {
      due += delay;
      const expected = due;
      // Chained as a controller's requeue is: each timer set from the one before.
      clock.schedule(due - clock.now(), () => {
        if (clock.now() < expected) late.push(`${expected - START}: now ${clock.now() - START}`);
      });
      base.advance(Math.ceil(delay / 60));
    }
    expect(late).toEqual([]);
  });

  it("refuses a factor that is not a positive number", () => {
    const clock = new ScaledClock(new ManualClock(START));
    for (const bad of [0, -2, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => clock.setFactor(bad)).toThrow(/time scale must be a positive number/);
    expect(clock.factor).toBe(1);
  });
});
