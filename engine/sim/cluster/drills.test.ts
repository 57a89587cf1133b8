// Node failure and the drills, on a whole sim cluster with a ManualClock:
// heartbeats stop -> NotReady/Unknown after the 50 s grace period -> taints
// -> pods evicted after their 300 s toleration -> recreated elsewhere -> the
// node comes back. The scheduler and controller-manager drills, the
// fill-a-node drill, and a seeded property test of failures, recoveries and
// scaling.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../clock";
import { createSimCluster, type SimCluster } from "./cluster";
import { advanceClock, rows, startKubectlCluster, whileAdvancing } from "../test-kubectl";
import type { ResourceType } from "../registry";
import { encodeSnapshot } from "../store/snapshot-file";
import type { CoreEvent, KObject, Node, Pod } from "../types";

let clock: ManualClock;
let cluster: SimCluster;
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const t = (group: string, plural: string): ResourceType => cluster.registry.find(group, "v1", plural) as ResourceType;
async function advance(ms: number, step = 1_000): Promise<void> {
  await flush();
  for (let done = 0; done < ms; done += step) {
    clock.advance(step);
    await flush();
  }
}
const node = (name: string): Node => cluster.service.get(t("", "nodes"), undefined, name);
const ready = (name: string): string | undefined => node(name).status?.conditions?.find((c) => c.type === "Ready")?.status;
const pods = (prefix: string): Pod[] => (cluster.service.list(t("", "pods"), "default").items as Pod[]).filter((p) => p.metadata.name?.startsWith(prefix));
const events = (reason: string): CoreEvent[] => (cluster.service.list(t("", "events"), undefined).items as CoreEvent[]).filter((e) => e.reason === reason);
const deployment = (name: string, replicas: number): KObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "app", image: "nginx:1.27" }] } } },
});

beforeEach(async () => {
  clock = new ManualClock(Date.parse("2026-03-01T12:00:00Z"));
  cluster = createSimCluster({ clock });
  await flush();
});
afterEach(() => cluster.dispose());

describe("node failure", () => {
  it("goes NotReady after 50 s, taints, evicts after 300 s, recreates elsewhere, and comes back", async () => {
    expect(events("RegisteredNode").map((e) => e.message).sort()).toEqual(["controlplane", "node01", "node02"].map((n) => `Node ${n} event: Registered Node ${n} in Controller`));
    cluster.service.create(t("apps", "deployments"), "default", deployment("web", 4));
    await advance(10_000);
    const onNode01 = pods("web-").filter((p) => p.spec.nodeName === "node01");
    expect(onNode01.length).toBe(2);
    cluster.drills.nodeDown("node01");
    await advance(40_000);
    expect(ready("node01")).toBe("True");
    await advance(20_000);
    expect(ready("node01")).toBe("Unknown");
    expect(node("node01").status?.conditions?.every((c) => c.status === "Unknown" && c.message === "Kubelet stopped posting node status.")).toBe(true);
    expect(node("node01").spec?.taints?.map((x) => `${x.key}:${x.effect}`)).toEqual(["node.kubernetes.io/unreachable:NoSchedule", "node.kubernetes.io/unreachable:NoExecute"]);
    expect(events("NodeNotReady").map((e) => e.message)).toEqual(expect.arrayContaining(["Node node01 status is now: NodeNotReady", "Node is not ready"]));
    for (const p of pods("web-").filter((x) => x.spec.nodeName === "node01")) expect(p.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("False");
    // Still there before the 300 s toleration runs out, gone after.
    await advance(240_000);
    expect(events("TaintManagerEviction")).toHaveLength(0);
    await advance(70_000);
    expect(events("TaintManagerEviction").map((e) => e.message).sort()).toEqual(onNode01.map((p) => `Marking for deletion Pod default/${p.metadata.name ?? ""}`).sort());
    const live = pods("web-").filter((p) => !p.metadata.deletionTimestamp);
    expect(live).toHaveLength(4);
    expect(live.every((p) => p.spec.nodeName === "node02" && p.status?.phase === "Running")).toBe(true);
    // Back: Ready, taints gone, the Terminating pods finish.
    cluster.drills.nodeUp("node01");
    await advance(10_000);
    expect(ready("node01")).toBe("True");
    expect(node("node01").spec?.taints).toBeUndefined();
    expect(events("NodeReady").map((e) => e.message)).toContain("Node node01 status is now: NodeReady");
    expect(pods("web-")).toHaveLength(4);
  });
});

describe("drills", () => {
  it("a stopped scheduler leaves pods Pending without events; started again it schedules them", async () => {
    type LeaseSpec = { holderIdentity?: string; renewTime?: string; acquireTime?: string; leaseTransitions?: number; leaseDurationSeconds?: number };
    const lease = (): LeaseSpec => cluster.service.get(t("coordination.k8s.io", "leases"), "kube-system", "kube-scheduler").spec as LeaseSpec;
    // The leader renews its Lease every 2 s while it runs.
    await advance(5_000);
    const leader = lease();
    expect(leader).toMatchObject({ holderIdentity: expect.stringMatching(/^controlplane_[0-9a-f-]{36}$/) as unknown, leaseDurationSeconds: 15, leaseTransitions: 0, acquireTime: "2026-03-01T12:00:00.000000Z", renewTime: "2026-03-01T12:00:04.000000Z" });
    cluster.drills.stopComponent("kube-scheduler");
    await flush();
    const sched = cluster.service.get(t("", "pods"), "kube-system", "kube-scheduler-controlplane") as Pod;
    expect(sched.status?.containerStatuses?.[0]?.state?.waiting?.reason).toBe("CrashLoopBackOff");
    cluster.service.create(t("", "pods"), "default", { apiVersion: "v1", kind: "Pod", metadata: { name: "lonely" }, spec: { containers: [{ name: "c", image: "nginx" }] } });
    await advance(30_000);
    expect(pods("lonely")[0]?.spec.nodeName).toBeUndefined();
    expect(events("FailedScheduling")).toHaveLength(0);
    expect(lease()).toEqual(leader);
    cluster.drills.startComponent("kube-scheduler");
    await advance(5_000);
    expect(pods("lonely")[0]?.spec.nodeName).toMatch(/^node0[12]$/);
    // A new process with a new identity took the lease over and renews it again.
    expect(lease()).toMatchObject({ leaseTransitions: 1, acquireTime: "2026-03-01T12:00:35.000000Z", renewTime: "2026-03-01T12:00:39.000000Z" });
    expect(lease().holderIdentity).not.toBe(leader.holderIdentity);
    const back = cluster.service.get(t("", "pods"), "kube-system", "kube-scheduler-controlplane") as Pod;
    expect(back.status?.containerStatuses?.[0]).toMatchObject({ ready: true, restartCount: 1 });
  });

  it("fills a node so that pods with requests go elsewhere or nowhere", async () => {
    cluster.drills.fillNode("node01");
    cluster.drills.fillNode("node02");
    await advance(5_000);
    cluster.service.create(t("", "pods"), "default", { apiVersion: "v1", kind: "Pod", metadata: { name: "needy" }, spec: { containers: [{ name: "c", image: "nginx", resources: { requests: { cpu: "100m" } } }] } });
    await advance(2_000);
    expect(pods("needy")[0]?.status?.conditions?.find((c) => c.type === "PodScheduled")?.message).toBe(
      "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.",
    );
    cluster.service.delete(t("", "pods"), "default", "hog-node02", { gracePeriodSeconds: 0 });
    await advance(15_000);
    expect(pods("needy")[0]?.spec.nodeName).toBe("node02");
  });

  it("time scale speeds up the cluster clock", () => {
    const before = cluster.drills.timeScale;
    expect(before).toBe(1);
    cluster.drills.setTimeScale(10);
    expect(cluster.drills.timeScale).toBe(10);
  });
});

describe("the kube-controller-manager drill, through kubectl", () => {
  it("stops reconciling: a scale changes the spec but makes no pods until it is back", async () => {
    const sim = await startKubectlCluster();
    try {
      const get = async (...args: string[]): Promise<string[][]> => rows((await sim.kubectl("get", ...args)).stdout).slice(1);
      expect((await sim.kubectl("create", "deployment", "web", "--image=nginx")).code).toBe(0);
      await advanceClock(sim.clock, 10_000);
      const live = await sim.driver.cluster("learner-1");
      const renewed = async (): Promise<string> => (await sim.kubectl("get", "lease", "-n", "kube-system", "kube-controller-manager", "-o", "jsonpath={.spec.renewTime}")).stdout;
      expect(await renewed()).toBe("2026-03-01T12:00:10.000000Z");
      live?.drills.stopComponent("kube-controller-manager");
      expect(live?.drills.isRunning("kube-controller-manager")).toBe(false);
      const kcm = await get("pod", "-n", "kube-system", "kube-controller-manager-controlplane");
      expect(kcm[0]?.slice(0, 4)).toEqual(["kube-controller-manager-controlplane", "0/1", "CrashLoopBackOff", "0"]);

      expect((await sim.kubectl("scale", "deployment", "web", "--replicas=3")).stdout).toBe("deployment.apps/web scaled\n");
      await advanceClock(sim.clock, 30_000, 1_000);
      expect((await get("deployment", "web"))[0]?.slice(0, 4)).toEqual(["web", "1/3", "1", "1"]);
      expect(await get("pods", "-l", "app=web")).toHaveLength(1);
      // Its leader Lease is no longer renewed.
      expect(await renewed()).toBe("2026-03-01T12:00:10.000000Z");
      // Its mirror pod deleted meanwhile comes back still crashing (the static pod is what it is).
      await whileAdvancing(sim.clock, sim.kubectl("delete", "pod", "-n", "kube-system", "kube-controller-manager-controlplane"));
      await advanceClock(sim.clock, 1_000);
      expect((await get("pod", "-n", "kube-system", "kube-controller-manager-controlplane"))[0]?.slice(1, 3)).toEqual(["0/1", "CrashLoopBackOff"]);

      live?.drills.startComponent("kube-controller-manager");
      await advanceClock(sim.clock, 10_000);
      expect((await get("deployment", "web"))[0]?.slice(0, 4)).toEqual(["web", "3/3", "3", "3"]);
      expect((await get("pods", "-l", "app=web")).map((r) => r[2])).toEqual(["Running", "Running", "Running"]);
      const back = await get("pod", "-n", "kube-system", "kube-controller-manager-controlplane");
      expect(back[0]?.slice(1, 3)).toEqual(["1/1", "Running"]);
      expect(back[0]?.[3]).toMatch(/^1 \(\d+s ago\)$/);
    } finally {
      await sim.close();
    }
  });
});

describe("a worker joins (a lesson that needs more nodes)", () => {
  it("registers node03, gets its kube-proxy pod and takes pods; a saved cluster keeps it", async () => {
    const sim = await startKubectlCluster();
    let restored: Awaited<ReturnType<typeof startKubectlCluster>> | undefined;
    try {
      const live = await sim.driver.cluster("learner-1");
      expect(live?.drills.joinWorker()).toBe("node03");
      await advanceClock(sim.clock, 10_000);
      const nodes = rows((await sim.kubectl("get", "nodes", "-o", "wide")).stdout);
      expect(nodes.map((r) => r.slice(0, 3))).toEqual([
        ["NAME", "STATUS", "ROLES"],
        ["controlplane", "Ready", "control-plane"],
        ["node01", "Ready", "<none>"],
        ["node02", "Ready", "<none>"],
        ["node03", "Ready", "<none>"],
      ]);
      expect(nodes[4]?.[5]).toBe("172.30.2.4");
      const proxies = rows((await sim.kubectl("get", "pods", "-n", "kube-system", "-l", "k8s-app=kube-proxy", "-o", "wide")).stdout).slice(1);
      expect(proxies.map((r) => r[6]).sort()).toEqual(["controlplane", "node01", "node02", "node03"]);
      expect((await sim.kubectl("run", "pinned", "--image=nginx", "--overrides", '{"spec":{"nodeName":"node03"}}')).code).toBe(0);
      await advanceClock(sim.clock, 10_000);
      expect(rows((await sim.kubectl("get", "pod", "pinned", "-o", "wide")).stdout)[1]?.slice(2, 7)).toEqual(["Running", "0", expect.stringMatching(/s$/) as unknown, "10.244.3.2", "node03"]);

      // Booted again from its etcd snapshot, the cluster still has node03's kubelet: it stays Ready.
      restored = await startKubectlCluster("learner-2", "2026-03-01T12:00:00Z", live?.store && encodeSnapshot(live.store.snapshot()));
      await advanceClock(restored.clock, 120_000, 1_000);
      expect(rows((await restored.kubectl("get", "node", "node03")).stdout)[1]?.[1]).toBe("Ready");
    } finally {
      await restored?.close();
      await sim.close();
    }
  });
});

describe("property: failures, recoveries and scaling converge", () => {
  it("ends with every desired pod Running on a Ready node, no duplicates (30 seeded sequences)", async () => {
    for (let seed = 1; seed <= 30; seed++) {
      let state = seed * 2654435761;
      const rand = (n: number): number => {
        state = (state * 1103515245 + 12345) % 2147483648;
        return state % n;
      };
      cluster.dispose();
      clock = new ManualClock(Date.parse("2026-03-01T12:00:00Z"));
      cluster = createSimCluster({ clock });
      cluster.service.create(t("apps", "deployments"), "default", deployment("app", 3));
      let replicas = 3;
      for (let step = 0; step < 6; step++) {
        const op = rand(3);
        const target = rand(2) ? "node01" : "node02";
        if (op === 0) cluster.drills.nodeDown(target);
        else if (op === 1) cluster.drills.nodeUp(target);
        else {
          replicas = 1 + rand(5);
          cluster.service.patch(t("apps", "deployments"), "default", "app", "merge", { spec: { replicas } });
        }
        await advance(20_000 + rand(400) * 1000, 5_000);
      }
      cluster.drills.nodeUp("node01");
      cluster.drills.nodeUp("node02");
      await advance(120_000, 5_000);
      const live = pods("app-").filter((p) => !p.metadata.deletionTimestamp);
      expect(live, `seed ${seed}`).toHaveLength(replicas);
      expect(new Set(live.map((p) => p.metadata.name)).size).toBe(replicas);
      for (const p of live) {
        expect(p.status?.phase, `seed ${seed} ${p.metadata.name ?? ""}`).toBe("Running");
        expect(ready(p.spec.nodeName ?? "")).toBe("True");
      }
      expect(pods("app-").filter((p) => p.metadata.deletionTimestamp), `seed ${seed}: terminating pods left`).toHaveLength(0);
    }
  }, 120_000);
});
