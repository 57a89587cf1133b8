import { describe, expect, it } from "vitest";
import { newUid, uuidFromHex } from "./uid";

describe("UIDs", () => {
  it("are random version 4 UUIDs", () => {
    // More than one batch of random bytes (256 UIDs) is used.
    const uids = new Set(Array.from({ length: 600 }, newUid));
    expect(uids.size).toBe(600);
    for (const uid of uids) expect(uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("written from hex digits keep the first 32 in UUID groups", () => {
    expect(uuidFromHex("0123456789abcdef0123456789abcdefffff")).toBe("01234567-89ab-cdef-0123-456789abcdef");
  });
});
