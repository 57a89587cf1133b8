// Real kubectl 1.32: cordon, uncordon and drain (evictions through the
// pods/eviction subresource) against a SimDriver cluster on a ManualClock.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { advanceClock, whileAdvancing as advanceWhile, rows, startKubectlCluster, type KubectlCluster, type KubectlResult } from "../test-kubectl";

let h: KubectlCluster;

beforeAll(async () => {
  h = await startKubectlCluster("learner-scheduler");
});
afterAll(async () => {
  await h.close();
});

const advance = (ms: number, step?: number): Promise<void> => advanceClock(h.clock, ms, step);
const whileAdvancing = (run: Promise<KubectlResult>, ms = 60_000): Promise<KubectlResult> => advanceWhile(h.clock, run, ms);

describe("cordon, uncordon, drain", () => {
  it("cordon marks the node SchedulingDisabled; uncordon undoes it", async () => {
    expect((await h.kubectl("cordon", "node01")).stdout).toBe("node/node01 cordoned\n");
    const nodes = await h.kubectl("get", "nodes", "node01");
    expect(rows(nodes.stdout)[1]?.[1]).toBe("Ready,SchedulingDisabled");
    expect((await h.kubectl("cordon", "node01")).stdout).toBe("node/node01 already cordoned\n");
    expect((await h.kubectl("uncordon", "node01")).stdout).toBe("node/node01 uncordoned\n");
    expect(rows((await h.kubectl("get", "nodes", "node01")).stdout)[1]?.[1]).toBe("Ready");
  });

  it("a pod on a cordoned cluster stays Pending with upstream's FailedScheduling", async () => {
    await h.kubectl("cordon", "node01");
    await h.kubectl("cordon", "node02");
    await h.kubectl("run", "waiting", "--image=nginx");
    await advance(2_000);
    const events = await h.kubectl("get", "events", "--field-selector", "involvedObject.name=waiting,reason=FailedScheduling", "-o", "jsonpath={.items[*].message}");
    expect(events.stdout).toBe(
      "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) were unschedulable. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    );
    await h.kubectl("uncordon", "node01", "node02");
    await advance(12_000);
    const node = await h.kubectl("get", "pod", "waiting", "-o", "jsonpath={.spec.nodeName}");
    expect(node.stdout).toMatch(/^node0[12]$/);
    await h.kubectl("delete", "pod", "waiting", "--wait=false");
    await advance(2_000);
  });

  it("drain evicts the node's pods, which come back elsewhere", async () => {
    await h.kubectl("create", "deployment", "web", "--image=nginx", "--replicas=4");
    await advance(8_000);
    const before = await h.kubectl("get", "pods", "-l", "app=web", "--field-selector", "spec.nodeName=node01", "-o", "name");
    const victims = before.stdout.trim().split("\n").filter(Boolean);
    expect(victims.length).toBeGreaterThan(0);
    const refused = await h.kubectl("drain", "node01");
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): kube-system/kube-proxy-");
    const drained = await whileAdvancing(h.kubectl("drain", "node01", "--ignore-daemonsets", "--delete-emptydir-data"));
    expect(drained.code).toBe(0);
    const lines = drained.stdout.trim().split("\n");
    expect(lines[0]).toBe("node/node01 already cordoned");
    expect(lines.at(-1)).toBe("node/node01 drained");
    for (const v of victims) {
      const name = v.replace("pod/", "");
      expect(lines).toContain(`evicting pod default/${name}`);
      expect(lines).toContain(`pod/${name} evicted`);
    }
    expect(drained.stderr).toMatch(/^Warning: ignoring DaemonSet-managed Pods: kube-system\/kube-proxy-\w+\n$/);
    await advance(8_000);
    const after = await h.kubectl("get", "pods", "-l", "app=web", "-o", "jsonpath={range .items[*]}{.spec.nodeName} {.status.phase}{\"\\n\"}{end}");
    expect(after.stdout.trim().split("\n").sort()).toEqual(["node02 Running", "node02 Running", "node02 Running", "node02 Running"]);
    expect(rows((await h.kubectl("get", "nodes", "node01")).stdout)[1]?.[1]).toBe("Ready,SchedulingDisabled");
  });

  it("drain refuses unmanaged pods without --force, and deletes them with it", async () => {
    await h.kubectl("uncordon", "node01");
    await h.kubectl("run", "solo", "--image=nginx", "--overrides", JSON.stringify({ spec: { nodeName: "node01" } }));
    await advance(5_000);
    const refused = await h.kubectl("drain", "node01", "--ignore-daemonsets");
    expect(refused.stderr).toContain("cannot delete Pods that declare no controller (use --force to override): default/solo");
    const forced = await whileAdvancing(h.kubectl("drain", "node01", "--ignore-daemonsets", "--force"));
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain("evicting pod default/solo\n");
    expect(forced.stdout).toContain("pod/solo evicted\n");
    expect(forced.stdout.trim().split("\n").at(-1)).toBe("node/node01 drained");
  });
});
