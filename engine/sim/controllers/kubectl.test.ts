// Real kubectl 1.32 against a SimDriver cluster: deployments, rollouts and
// cascading deletes, driven by the controllers on a ManualClock.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { advanceClock, whileAdvancing as advanceWhile, rows, startKubectlCluster, type KubectlCluster, type KubectlResult } from "../test-kubectl";

let h: KubectlCluster;

beforeAll(async () => {
  h = await startKubectlCluster("learner-controllers");
});

afterAll(async () => {
  await h.close();
});

const advance = (ms: number, step?: number): Promise<void> => advanceClock(h.clock, ms, step);

const whileAdvancing = (run: Promise<KubectlResult>, ms = 30_000): Promise<KubectlResult> => advanceWhile(h.clock, run, ms);

describe("deployments through kubectl", () => {
  it("create deployment -> 3/3 ready after the clock moves", async () => {
    const created = await h.kubectl("create", "deployment", "web", "--image=nginx", "--replicas=3");
    expect(created.stdout).toBe("deployment.apps/web created\n");
    await advance(5_000);
    const got = await h.kubectl("get", "deploy");
    expect(rows(got.stdout)).toEqual([
      ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"],
      ["web", "3/3", "3", "3", "5s"],
    ]);
    const rs = await h.kubectl("get", "rs", "-o", "jsonpath={.items[0].metadata.name} {.items[0].metadata.annotations.deployment\\.kubernetes\\.io/revision}");
    expect(rs.stdout).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{9,10} 1$/);
    const pods = await h.kubectl("get", "pods", "--no-headers");
    expect(pods.stdout.trim().split("\n")).toHaveLength(3);
    expect(pods.stdout).toMatch(/^web-[a-z0-9]+-[bcdfghjklmnpqrstvwxz2456789]{5}\s+1\/1\s+Running/);
    const events = await h.kubectl("get", "events", "--field-selector", "involvedObject.kind=Deployment", "-o", "jsonpath={.items[*].message}");
    expect(events.stdout).toMatch(/^Scaled up replica set web-\S+ from 0 to 3$/);
    const describe = await h.kubectl("describe", "deploy", "web");
    expect(describe.stdout).toContain("Replicas:               3 desired | 3 updated | 3 total | 3 available | 0 unavailable");
    expect(describe.stdout).toMatch(/NewReplicaSet:\s+web-\S+ \(3\/3 replicas created\)/);
  });

  it("rollout status prints upstream's lines and exits", async () => {
    const done = await h.kubectl("rollout", "status", "deployment/web");
    expect(done.stdout).toBe('deployment "web" successfully rolled out\n');
    await h.kubectl("set", "image", "deployment/web", "nginx=nginx:1.27");
    const status = await whileAdvancing(h.kubectl("rollout", "status", "deployment/web"));
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('Waiting for deployment "web" rollout to finish:');
    expect(status.stdout.trim().split("\n").at(-1)).toBe('deployment "web" successfully rolled out');
  });

  it("rollout history, undo", async () => {
    await h.kubectl("annotate", "deployment/web", "kubernetes.io/change-cause=nginx 1.27");
    const history = await h.kubectl("rollout", "history", "deployment/web");
    expect(rows(history.stdout)).toEqual([["deployment.apps/web"], ["REVISION", "CHANGE-CAUSE"], ["1", "<none>"], ["2", "nginx 1.27"]]);
    const undo = await h.kubectl("rollout", "undo", "deployment/web");
    expect(undo.stdout).toBe("deployment.apps/web rolled back\n");
    await advance(10_000);
    const after = await h.kubectl("rollout", "history", "deployment/web");
    expect(rows(after.stdout).slice(2)).toEqual([["2", "nginx 1.27"], ["3", "<none>"]]);
    const image = await h.kubectl("get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image} {.metadata.annotations.deployment\\.kubernetes\\.io/revision}");
    expect(image.stdout).toBe("nginx 3");
    const rs = await h.kubectl("get", "rs", "--no-headers");
    expect(rs.stdout.trim().split("\n").map((l) => l.split(/\s+/).slice(1, 4).join(" ")).sort()).toEqual(["0 0 0", "3 3 3"]);
  });

  it("delete deploy --cascade=orphan leaves the ReplicaSet and its pods", async () => {
    const deleted = await h.kubectl("delete", "deploy", "web", "--cascade=orphan");
    expect(deleted.stdout).toBe('deployment.apps "web" deleted\n');
    await advance(2_000);
    expect((await h.kubectl("get", "deploy")).stderr).toBe("No resources found in default namespace.\n");
    const rs = await h.kubectl("get", "rs", "-o", "jsonpath={range .items[*]}{.metadata.name} {.metadata.ownerReferences}{\"\\n\"}{end}");
    expect(rs.stdout.trim().split("\n")).toHaveLength(2);
    expect(rs.stdout).not.toContain("Deployment");
    const pods = await h.kubectl("get", "pods", "--no-headers");
    expect(pods.stdout.trim().split("\n")).toHaveLength(3);
  });

  it("delete rs (background) takes its pods with it", async () => {
    const rs = await h.kubectl("delete", "rs", "--all");
    expect(rs.code).toBe(0);
    await advance(3_000);
    expect((await h.kubectl("get", "pods")).stderr).toBe("No resources found in default namespace.\n");
  });

  it("kube-system keeps its pods and shows its owners", async () => {
    const deploy = await h.kubectl("get", "deploy,ds", "-n", "kube-system", "--no-headers");
    expect(deploy.stdout).toMatch(/deployment\.apps\/coredns\s+2\/2\s+2\s+2/);
    expect(deploy.stdout).toMatch(/daemonset\.apps\/kube-proxy\s+3\s+3\s+3\s+3\s+3/);
    const pods = await h.kubectl("get", "pods", "-n", "kube-system", "--no-headers");
    expect(pods.stdout.trim().split("\n")).toHaveLength(9);
  });
});
