// tar in the simulated containers: archives that round-trip through a pipe,
// directories, -C, listing, and busybox's errors. (kubectl cp in both
// directions is in etcdctl.test.ts.)
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../clock";
import type { Pod } from "../types";
import { ContainerRuntime, type SimContainer } from "./runtime";

function busybox(): SimContainer {
  const clock = new ManualClock(Date.parse("2026-03-01T12:00:00Z"));
  const runtime = new ContainerRuntime({ clock, lookup: () => undefined });
  const pod: Pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "bb", namespace: "default", uid: "uid-bb" }, spec: { containers: [{ name: "c", image: "busybox", command: ["sleep", "3600"] }] } };
  const container = runtime.start(pod, 0, () => undefined);
  if (!container) throw new Error("no container");
  return container;
}

async function sh(container: SimContainer, script: string): Promise<{ out: string; err: string; code: number }> {
  let out = "";
  let err = "";
  const code = await container.exec(["sh", "-c", script], { tty: false, stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { out, err, code };
}

describe("tar", () => {
  it("archives a directory to stdout and extracts it elsewhere with -C", async () => {
    const c = busybox();
    await sh(c, "mkdir -p /data/sub && echo hello > /data/a.txt && echo 'héllo wörld' > /data/sub/b.txt && mkdir /restore");
    const piped = await sh(c, "tar cf - /data | tar -xmf - -C /restore");
    expect(piped.err).toBe("tar: removing leading '/' from member names\n");
    expect(piped.code).toBe(0);
    expect((await sh(c, "cat /restore/data/a.txt /restore/data/sub/b.txt")).out).toBe("hello\nhéllo wörld\n");
    const listed = await sh(c, "cd /data && tar cf /tmp/x.tar . && tar tf /tmp/x.tar");
    expect(listed.out).toBe("./\n./a.txt\n./sub/\n./sub/b.txt\n");
  });

  it("archives are ustar: 512-byte blocks, two empty blocks at the end", async () => {
    const c = busybox();
    await sh(c, "echo hi > /f");
    const archive = Buffer.from((await sh(c, "tar cf - f")).out, "utf8");
    expect(archive.length).toBe(512 * 4);
    expect(archive.subarray(257, 262).toString()).toBe("ustar");
    expect(archive.subarray(0, 1).toString()).toBe("f");
    expect(archive.subarray(512, 515).toString()).toBe("hi\n");
  });

  it("fails as busybox does", async () => {
    const c = busybox();
    expect(await sh(c, "tar cf - /nope")).toMatchObject({ err: "tar: can't open '/nope': No such file or directory\n", code: 1 });
    expect(await sh(c, "echo junk | tar xf -")).toMatchObject({ err: "tar: short read\n", code: 1 });
    expect(await sh(c, "tar xf - -C /missing < /etc/passwd")).toMatchObject({ err: "tar: can't change directory to '/missing': No such file or directory\n" });
  });
});
