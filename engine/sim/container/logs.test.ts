import { describe, expect, it } from "vitest";
import { ContainerLog } from "./logs";

describe("ContainerLog", () => {
  it("reads whole lines the same whether written as text or line by line", () => {
    let now = Date.UTC(2026, 0, 1);
    const log = new ContainerLog(() => now);
    const followed: string[] = [];
    log.follow({}, (text) => followed.push(text), () => undefined);
    log.writeLine("first");
    log.write("sec");
    now += 1000;
    // A line already begun takes the rest first.
    log.writeLine("ond");
    log.write("third\nfourth\n");
    log.writeLine("fifth");
    expect(log.text()).toBe("first\nsecond\nthird\nfourth\nfifth\n");
    expect(followed.join("")).toBe(log.text());
    expect(log.text({ tailLines: 2 })).toBe("fourth\nfifth\n");
    // The begun line keeps the time it was begun at.
    expect(log.text({ timestamps: true }).split("\n")[1]).toBe("2026-01-01T00:00:00.000000000Z second");
    expect(log.text({ sinceSeconds: 0 })).toBe("third\nfourth\nfifth\n");
  });
});
