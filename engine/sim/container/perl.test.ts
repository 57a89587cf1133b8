// perl of the perl image, run in a container without an API server: the
// kubernetes.io pi Job's one-liner, simple prints, and perl's own errors.
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../clock";
import type { Pod } from "../types";
import { piDigits } from "./perl";
import { ContainerRuntime } from "./runtime";

const clock = new ManualClock(Date.parse("2026-03-01T12:00:00Z"));
const runtime = new ContainerRuntime({ clock, lookup: () => undefined });
const pod: Pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "pi", namespace: "default", uid: "uid-pi" }, spec: { containers: [{ name: "c", image: "perl:5.34.0", command: ["sleep", "3600"] }] } };
const container = runtime.start(pod, 0, () => undefined);

async function perl(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  let out = "";
  let err = "";
  const running = container?.exec(["perl", ...args], { tty: false, stdout: (t) => (out += t), stderr: (t) => (err += t) });
  // bpi thinks on the clock.
  for (let i = 0; i < 200 && out === "" && err === ""; i++) {
    clock.advance(100);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { out, err, code: (await running) ?? -1 };
}

describe("perl", () => {
  it("prints bpi(N) with N significant digits, as Math::BigFloat rounds them", async () => {
    expect(piDigits(10)).toBe("3.141592654");
    // perl -Mbignum=bpi -le 'print bpi(100)' on a real perl.
    expect(piDigits(100)).toBe("3.141592653589793238462643383279502884197169399375105820974944592307816406286208998628034825342117068");
    const job = await perl("-Mbignum=bpi", "-wle", "print bpi(2000)");
    expect(job.code).toBe(0);
    expect(job.out).toMatch(/^3\.14159265358979323846264338327950288419716939937510\d{1944}75901\n$/);
  });

  it("prints strings and numbers, and exits with exit's code", async () => {
    expect(await perl("-le", 'print "a", 1, \'b\'')).toEqual({ out: "a1b\n", err: "", code: 0 });
    expect(await perl("-e", 'print("x\\n"); exit 3')).toEqual({ out: "x\n", err: "", code: 3 });
  });

  it("fails as perl does: no import, unknown subs, bad syntax, die, a missing script", async () => {
    expect(await perl("-le", "print bpi(20)")).toEqual({ out: "", err: "Undefined subroutine &main::bpi called at -e line 1.\n", code: 255 });
    expect(await perl("-e", "frob(1)")).toEqual({ out: "", err: "Undefined subroutine &main::frob called at -e line 1.\n", code: 255 });
    expect(await perl("-e", "=1")).toEqual({ out: "", err: 'syntax error at -e line 1, near "="\nExecution of -e aborted due to compilation errors.\n', code: 255 });
    expect(await perl("-e", 'die "boom"')).toEqual({ out: "", err: "boom at -e line 1.\n", code: 255 });
    expect(await perl("nosuch.pl")).toEqual({ out: "", err: 'Can\'t open perl script "nosuch.pl": No such file or directory\n', code: 2 });
  });
});
