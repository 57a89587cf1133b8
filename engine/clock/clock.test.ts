import { describe, expect, it } from "vitest";
import { ManualClock } from "./index";

describe("ManualClock", () => {
  it("fires timers in time order, including ones scheduled while advancing", () => {
    const clock = new ManualClock(0);
    const fired: string[] = [];
    clock.schedule(20, () => fired.push("b"));
    clock.schedule(10, () => {
      fired.push("a");
      clock.schedule(5, () => fired.push("a+5"));
    });
    const cancelled = clock.schedule(12, () => fired.push("never"));
    cancelled.cancel();
    clock.advance(15);
    expect(fired).toEqual(["a", "a+5"]);
    expect(clock.now()).toBe(15);
    clock.advance(10);
    expect(fired).toEqual(["a", "a+5", "b"]);
    expect(clock.waiting).toBe(0);
  });

  it("fires timers due at the same time in the order they were scheduled", () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    for (let i = 0; i < 20; i++) clock.schedule(i % 3 === 0 ? 5 : 7, () => fired.push(i));
    clock.advance(10);
    expect(fired).toEqual([0, 3, 6, 9, 12, 15, 18, 1, 2, 4, 5, 7, 8, 10, 11, 13, 14, 16, 17, 19]);
  });

  it("fires thousands of random timers in (time, scheduling) order, skipping cancelled ones", () => {
    const clock = new ManualClock(0);
    let seed = 42;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const expected: { at: number; i: number }[] = [];
    const fired: number[] = [];
    for (let i = 0; i < 5_000; i++) {
      const at = Math.floor(random() * 1_000);
      const timer = clock.schedule(at, () => fired.push(i));
      if (random() < 0.3) timer.cancel();
      else expected.push({ at, i });
    }
    expect(clock.waiting).toBe(expected.length);
    clock.advance(500);
    clock.advance(600);
    expected.sort((a, b) => a.at - b.at || a.i - b.i);
    expect(fired).toEqual(expected.map((e) => e.i));
    expect(clock.waiting).toBe(0);
  });
});
