// Memory limits through the real kubectl 1.32: the kubernetes.io "Assign
// Memory Resources" tutorial with polinux/stress — within its limit it runs
// (and `kubectl top` sees the memory), over it the container is OOMKilled
// (137) and crash-loops.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { advanceClock, rows, startKubectlCluster, type KubectlCluster } from "../test-kubectl";
import type { SimCluster } from "../cluster/cluster";
import type { ResourceType } from "../registry";
import type { Pod } from "../types";

let h: KubectlCluster;
let cluster: SimCluster;

beforeAll(async () => {
  h = await startKubectlCluster("learner-oom");
  cluster = (await h.driver.cluster("learner-oom")) as SimCluster;
  expect((await h.kubectl("create", "namespace", "mem-example")).code).toBe(0);
});

afterAll(async () => {
  await h.close();
});

const advance = (ms: number): Promise<void> => advanceClock(h.clock, ms, 100);

function stressPod(name: string, bytes: string, limit: string): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: mem-example
spec:
  containers:
  - name: ${name}-ctr
    image: polinux/stress
    resources:
      requests:
        memory: "50Mi"
      limits:
        memory: "${limit}"
    command: ["stress"]
    args: ["--vm", "1", "--vm-bytes", "${bytes}", "--vm-hang", "1"]
`;
}

async function apply(manifest: string): Promise<void> {
  const applied = await h.kubectlWithInput(manifest, "apply", "-f", "-");
  expect(applied.stderr).toBe("");
}

/** The pod's first container state as stored (to stop the clock at a moment kubectl should see). */
function containerState(name: string): Pod["status"] {
  const pods = cluster.registry.find("", "v1", "pods") as ResourceType;
  return (cluster.service.find(pods, "mem-example", name) as Pod | undefined)?.status;
}

/** Step the clock until `check` holds on the stored pod status. */
async function advanceUntil(name: string, check: (status: Pod["status"]) => boolean, limitMs = 60_000): Promise<void> {
  for (let t = 0; t < limitMs; t += 100) {
    if (check(containerState(name))) return;
    await advance(100);
  }
  throw new Error(`pod ${name} never reached the expected state`);
}

describe("memory limits", () => {
  it("runs a container within its limit; kubectl top shows the memory stress holds", async () => {
    await apply(stressPod("memory-demo", "150M", "200Mi"));
    await advance(10_000);
    const got = rows((await h.kubectl("get", "pod", "memory-demo", "-n", "mem-example", "--no-headers")).stdout)[0];
    expect(got?.slice(0, 4)).toEqual(["memory-demo", "1/1", "Running", "0"]);
    const logs = await h.kubectl("logs", "memory-demo", "-n", "mem-example");
    expect(logs.stdout).toBe("stress: info: [1] dispatching hogs: 0 cpu, 0 io, 1 vm, 0 hdd\n");
    const top = await h.kubectl("top", "pod", "memory-demo", "-n", "mem-example");
    expect(top.stderr).toBe("");
    const [header, row] = rows(top.stdout);
    expect(header).toEqual(["NAME", "CPU(cores)", "MEMORY(bytes)"]);
    // 150 MiB held by the vm worker plus the process's own few MiB.
    expect(row?.[0]).toBe("memory-demo");
    expect(row?.[2]).toMatch(/^15[5-7]Mi$/);
  });

  it("OOM-kills a container over its limit: OOMKilled, then CrashLoopBackOff with Last State OOMKilled / 137", async () => {
    await apply(stressPod("memory-demo-2", "250M", "100Mi"));
    await advanceUntil("memory-demo-2", (s) => s?.containerStatuses?.[0]?.state?.terminated?.reason === "OOMKilled");
    const killed = rows((await h.kubectl("get", "pod", "memory-demo-2", "-n", "mem-example", "--no-headers")).stdout)[0];
    expect(killed?.slice(0, 4)).toEqual(["memory-demo-2", "0/1", "OOMKilled", "0"]);

    await advanceUntil("memory-demo-2", (s) => s?.containerStatuses?.[0]?.state?.waiting?.reason === "CrashLoopBackOff");
    const looping = rows((await h.kubectl("get", "pod", "memory-demo-2", "-n", "mem-example", "--no-headers")).stdout)[0];
    expect(looping?.slice(0, 3)).toEqual(["memory-demo-2", "0/1", "CrashLoopBackOff"]);
    expect(looping?.[3]).toMatch(/^1 \(\d+s ago\)$/);

    const described = await h.kubectl("describe", "pod", "memory-demo-2", "-n", "mem-example");
    expect(described.stdout).toMatch(/^ {4}State:\s+Waiting\n {6}Reason:\s+CrashLoopBackOff\n {4}Last State:\s+Terminated\n {6}Reason:\s+OOMKilled\n {6}Exit Code:\s+137$/m);
    expect(described.stdout).toMatch(/^ {4}Limits:\n {6}memory:\s+100Mi\n {4}Requests:\n {6}memory:\s+50Mi$/m);
    expect(described.stdout).toMatch(/^ {2}Warning\s+BackOff\s+.*kubelet\s+Back-off restarting failed container memory-demo-2-ctr in pod memory-demo-2_mem-example\(/m);
    const yaml = await h.kubectl("get", "pod", "memory-demo-2", "-n", "mem-example", "-o", "jsonpath={.status.containerStatuses[0].lastState.terminated.reason} {.status.containerStatuses[0].lastState.terminated.exitCode}");
    expect(yaml.stdout).toBe("OOMKilled 137");
  });

  it("OOM-kills the whole container when a process started by kubectl exec goes over the limit", async () => {
    await apply(`apiVersion: v1
kind: Pod
metadata:
  name: exec-oom
  namespace: mem-example
spec:
  containers:
  - name: app
    image: polinux/stress
    command: ["sh", "-c", "sleep 3600"]
    resources:
      limits:
        memory: "64Mi"
`);
    await advance(5_000);
    const run = await h.kubectl("exec", "exec-oom", "-n", "mem-example", "--", "stress", "--vm", "1", "--vm-bytes", "128M");
    expect(run.stdout).toMatch(/^stress: info: \[\d+\] dispatching hogs: 0 cpu, 0 io, 1 vm, 0 hdd\n$/);
    expect(run.stderr).toBe("command terminated with exit code 137\n");
    await advanceUntil("exec-oom", (s) => s?.containerStatuses?.[0]?.lastState?.terminated?.reason === "OOMKilled");
    expect(containerState("exec-oom")?.containerStatuses?.[0]?.restartCount).toBe(1);
  });
});
