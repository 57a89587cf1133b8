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
});
