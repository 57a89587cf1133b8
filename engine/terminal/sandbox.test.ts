import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, sandboxCommand, type SandboxSpec } from "./sandbox";

const spec: SandboxSpec = {
  uid: 200_001,
  procsFiles: ["/sys/fs/cgroup/memory/x/u200001/cgroup.procs"],
  netns: "/proc/42/ns/net",
  files: { passwd: "/rt/passwd", group: "/rt/group", hosts: "/rt/hosts", bashrc: "/rt/bashrc", kubeconfig: "/rt/it's/kubeconfig" },
  limits: DEFAULT_LIMITS,
};

describe("sandboxCommand", () => {
  it("joins the cgroups, then the netns, then drops the uid, and only then runs bwrap", () => {
    const script = sandboxCommand(spec).args.at(-1) ?? "";
    const order = ["cgroup.procs", "'prlimit'", "'nsenter' '--net=/proc/42/ns/net'", "'setpriv' '--reuid=200001' '--regid=200001'", "'bwrap'", "'/bin/bash'"].map((part) =>
      script.indexOf(part),
    );
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it("quotes host paths for the shell", () => {
    const script = sandboxCommand(spec).args.at(-1) ?? "";
    expect(script).toContain(`7<'/rt/it'\\''s/kubeconfig'`);
  });

  it("refuses root and system uids", () => {
    expect(() => sandboxCommand({ ...spec, uid: 0 })).toThrow(RangeError);
    expect(() => sandboxCommand({ ...spec, uid: 999 })).toThrow(RangeError);
  });
});
