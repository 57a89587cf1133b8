// ResourceQuota and LimitRange admission, and the quota status controller.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ApiError } from "../apiserver/status";
import type { KObject, Pod } from "../types";
import { testCluster, type TestCluster } from "../controllers/test-cluster";
import { startKubectlCluster } from "../test-kubectl";

let t: TestCluster;

beforeEach(async () => {
  t = await testCluster();
});

afterEach(() => {
  t.cluster.dispose();
});

const pod = (name: string, resources?: Record<string, unknown>): KObject => ({ apiVersion: "v1", kind: "Pod", metadata: { name }, spec: { containers: [{ name: "c", image: "nginx", ...(resources ? { resources } : {}) }] } });
const quota = (name: string, hard: Record<string, string>): KObject => ({ apiVersion: "v1", kind: "ResourceQuota", metadata: { name }, spec: { hard } });

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return `${error.status.code} ${error.status.message}`;
    throw error;
  }
  return "accepted";
}

describe("ResourceQuota", () => {
  it("refuses the pod past the count with upstream's wording and reports usage", async () => {
    t.create("", "resourcequotas", quota("q", { pods: "2" }));
    t.create("", "pods", pod("a"));
    t.create("", "pods", pod("b"));
    await t.advance(100);
    expect(refusal(() => t.create("", "pods", pod("c")))).toBe('403 pods "c" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2');
    expect(t.get("", "resourcequotas", "q")?.status).toEqual({ hard: { pods: "2" }, used: { pods: "2" } });
  });

  it("sums requests and limits, and wants them on every container", async () => {
    t.create("", "resourcequotas", quota("compute", { "requests.cpu": "1", "limits.memory": "1Gi" }));
    expect(refusal(() => t.create("", "pods", pod("bare")))).toBe('403 pods "bare" is forbidden: failed quota: compute: must specify limits.memory for: c; requests.cpu for: c');
    t.create("", "pods", pod("half", { requests: { cpu: "600m" }, limits: { memory: "512Mi" } }));
    expect(refusal(() => t.create("", "pods", pod("more", { requests: { cpu: "500m" }, limits: { memory: "256Mi" } })))).toBe(
      '403 pods "more" is forbidden: exceeded quota: compute, requested: requests.cpu=500m, used: requests.cpu=600m, limited: requests.cpu=1',
    );
    await t.advance(100);
    expect(t.get("", "resourcequotas", "compute")?.status).toMatchObject({ used: { "requests.cpu": "600m", "limits.memory": "512Mi" } });
  });

  it("counts count/<resource> quotas", () => {
    t.create("", "resourcequotas", quota("objects", { "count/configmaps": "2" }));
    t.create("", "configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "one" } });
    // kube-root-ca.crt is there too.
    expect(refusal(() => t.create("", "configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "two" } }))).toMatch(/exceeded quota: objects, requested: count\/configmaps=1, used: count\/configmaps=2, limited: count\/configmaps=2$/);
  });
});

describe("LimitRange", () => {
  it("fills default requests and limits and annotates the pod; enforces max", () => {
    t.create("", "limitranges", { apiVersion: "v1", kind: "LimitRange", metadata: { name: "lr" }, spec: { limits: [{ type: "Container", default: { cpu: "500m", memory: "256Mi" }, defaultRequest: { cpu: "100m" }, max: { cpu: "1" } }] } });
    const created = t.create("", "pods", pod("p")) as Pod;
    expect(created.spec.containers[0]?.resources).toEqual({ limits: { cpu: "500m", memory: "256Mi" }, requests: { cpu: "100m", memory: "256Mi" } });
    expect(created.metadata.annotations?.["kubernetes.io/limit-ranger"]).toBe("LimitRanger plugin set: cpu, memory request for container c; cpu, memory limit for container c");
    expect(refusal(() => t.create("", "pods", pod("big", { limits: { cpu: "2" } })))).toBe('403 pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2');
  });
});

describe("QoS class after LimitRanger", () => {
  it("a pod that gets its requests and limits from a LimitRange is Burstable, as kubectl describe shows", async () => {
    const h = await startKubectlCluster("learner-qos");
    try {
      const limits = "apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: defaults\nspec:\n  limits:\n  - type: Container\n    default:\n      memory: 256Mi\n    defaultRequest:\n      memory: 128Mi\n";
      expect((await h.kubectlWithInput(limits, "apply", "-f", "-")).stdout).toBe("limitrange/defaults created\n");
      expect((await h.kubectl("run", "web", "--image=nginx")).stdout).toBe("pod/web created\n");
      expect((await h.kubectl("get", "pod", "web", "-o", "jsonpath={.status.qosClass}")).stdout).toBe("Burstable");
      expect((await h.kubectl("describe", "pod", "web")).stdout).toContain("\nQoS Class:                   Burstable\n");
      // Equal defaults for cpu and memory make it Guaranteed; without a LimitRange it stays BestEffort.
      await h.kubectl("delete", "limitrange", "defaults");
      expect((await h.kubectl("run", "bare", "--image=nginx")).code).toBe(0);
      expect((await h.kubectl("get", "pod", "bare", "-o", "jsonpath={.status.qosClass}")).stdout).toBe("BestEffort");
      const equal = "apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: equal\nspec:\n  limits:\n  - type: Container\n    default:\n      cpu: 500m\n      memory: 256Mi\n";
      expect((await h.kubectlWithInput(equal, "apply", "-f", "-")).code).toBe(0);
      expect((await h.kubectl("run", "even", "--image=nginx")).code).toBe(0);
      expect((await h.kubectl("get", "pod", "even", "-o", "jsonpath={.status.qosClass}")).stdout).toBe("Guaranteed");
    } finally {
      await h.close();
    }
  });
});
