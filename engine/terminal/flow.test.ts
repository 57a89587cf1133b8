import { describe, expect, it } from "vitest";
import { FlowGate, Scrollback } from "./flow";

describe("FlowGate", () => {
  function gate() {
    const changes: boolean[] = [];
    const flow = new FlowGate<string>({ highWater: 100, lowWater: 20 }, (paused) => changes.push(paused));
    return { flow, changes };
  }

  it("pauses when any viewer passes the high-water mark and resumes under the low one", () => {
    const { flow, changes } = gate();
    flow.track("a");
    flow.track("b");
    flow.sent("a", 60);
    flow.sent("b", 60);
    expect(flow.paused).toBe(false);
    flow.sent("b", 41);
    expect(flow.paused).toBe(true);
    flow.ack("b", 50); // 51 left: above low water, stays paused (hysteresis)
    expect(flow.paused).toBe(true);
    flow.ack("b", 40); // b at 11, but a is still at 60
    expect(flow.paused).toBe(true);
    flow.ack("a", 50);
    expect(flow.paused).toBe(false);
    expect(changes).toEqual([true, false]);
  });

  it("stops counting a viewer that detaches", () => {
    const { flow, changes } = gate();
    flow.track("slow");
    flow.track("fast");
    flow.sent("slow", 500);
    expect(flow.paused).toBe(true);
    flow.untrack("slow");
    expect(flow.paused).toBe(false);
    expect(changes).toEqual([true, false]);
  });

  it("ignores bogus acks and unknown viewers", () => {
    const { flow } = gate();
    flow.track("a");
    flow.ack("a", 1_000);
    flow.ack("a", -5);
    flow.ack("a", Number.NaN);
    flow.sent("ghost", 1_000);
    expect(flow.unacked("a")).toBe(0);
    flow.sent("a", 101);
    expect(flow.paused).toBe(true);
  });

  it("rejects marks that cannot work", () => {
    expect(() => new FlowGate({ highWater: 10, lowWater: 10 }, () => undefined)).toThrow(RangeError);
  });
});

describe("Scrollback", () => {
  it("keeps everything while under the bound", () => {
    const s = new Scrollback(100);
    s.push("hello ");
    s.push("world");
    expect(s.snapshot()).toBe("hello world");
  });

  it("keeps at most the bound, starting after a line break", () => {
    const s = new Scrollback(50);
    for (let i = 0; i < 40; i++) s.push(`\u001b[32mline ${i}\u001b[0m\r\n`);
    const snap = s.snapshot();
    expect(snap.length).toBeLessThanOrEqual(50);
    expect(snap.startsWith("\u001b[32mline ")).toBe(true);
    expect(snap.endsWith("line 39\u001b[0m\r\n")).toBe(true);
  });

  it("never starts inside a surrogate pair when there is no line break", () => {
    const s = new Scrollback(5);
    s.push("😀😀😀😀😀😀");
    const snap = s.snapshot();
    expect(snap.length).toBeLessThanOrEqual(5);
    expect(snap.codePointAt(0)).toBe(0x1f600);
  });
});
