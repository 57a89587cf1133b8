// Real kubectl 1.32 against the Job, CronJob, DaemonSet, StatefulSet and
// PersistentVolume controllers, on a ManualClock.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { advanceClock, rows, startKubectlCluster, type KubectlCluster } from "../test-kubectl";

let h: KubectlCluster;

beforeAll(async () => {
  h = await startKubectlCluster("learner-batch");
});

afterAll(async () => {
  await h.close();
});

const advance = (ms: number, step?: number): Promise<void> => advanceClock(h.clock, ms, step);

const AGE = expect.stringMatching(/^\d+[smhd]/) as unknown;

describe("batch and storage through kubectl", () => {
  it("kubectl create job runs to Complete", async () => {
    expect((await h.kubectl("create", "job", "hello", "--image=busybox", "--", "echo", "hi")).stdout).toBe("job.batch/hello created\n");
    await advance(200);
    expect(rows((await h.kubectl("get", "jobs")).stdout)).toEqual([
      ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"],
      ["hello", "Running", "0/1", AGE, AGE],
    ]);
    await advance(6000);
    expect(rows((await h.kubectl("get", "job", "hello")).stdout)[1]).toEqual(["hello", "Complete", "1/1", expect.stringMatching(/^\d+s$/), AGE]);
    const pods = rows((await h.kubectl("get", "pods", "-l", "job-name=hello")).stdout);
    expect(pods[1]?.[2]).toBe("Completed");
    const described = (await h.kubectl("describe", "job", "hello")).stdout;
    expect(described).toMatch(/Normal\s+SuccessfulCreate\s+\S+\s+job-controller\s+Created pod: hello-[a-z0-9]{5}/);
    expect(described).toMatch(/Normal\s+Completed\s+\S+\s+job-controller\s+Job completed/);
  });

  it("kubectl create cronjob, then the clock makes its job", async () => {
    expect((await h.kubectl("create", "cronjob", "tick", "--image=busybox", "--schedule=*/1 * * * *", "--", "date")).stdout).toBe("cronjob.batch/tick created\n");
    const minute = Math.floor(h.clock.now() / 60_000) + 1;
    await advance(61_000, 1000);
    expect(rows((await h.kubectl("get", "jobs", `tick-${minute}`)).stdout)[1]?.[0]).toBe(`tick-${minute}`);
    const cj = rows((await h.kubectl("get", "cj", "tick")).stdout);
    expect(cj[1]?.slice(0, 4)).toEqual(["tick", "*/1 * * * *", "<none>", "False"]);
    expect(cj[1]?.[5]).toMatch(/^\d+s$/);
    expect((await h.kubectl("describe", "cj", "tick")).stdout).toMatch(new RegExp(`Normal\\s+SuccessfulCreate\\s+\\S+\\s+cronjob-controller\\s+Created job tick-${minute}`));
    await h.kubectl("delete", "cj", "tick");
  });

  it("get ds: the seeded kube-proxy and a new DaemonSet", async () => {
    const manifest = JSON.stringify({
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: "agent" },
      spec: { selector: { matchLabels: { app: "agent" } }, template: { metadata: { labels: { app: "agent" } }, spec: { containers: [{ name: "agent", image: "nginx" }] } } },
    });
    expect((await h.kubectlWithInput(manifest, "apply", "-f", "-")).stdout).toBe("daemonset.apps/agent created\n");
    await advance(6000);
    expect(rows((await h.kubectl("get", "ds", "-A")).stdout)).toEqual([
      ["NAMESPACE", "NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"],
      ["default", "agent", "2", "2", "2", "2", "2", "<none>", AGE],
      ["kube-system", "kube-proxy", "3", "3", "3", "3", "3", "kubernetes.io/os=linux", AGE],
    ]);
    expect(rows((await h.kubectl("get", "pods", "-n", "kube-system", "-l", "k8s-app=kube-proxy")).stdout)).toHaveLength(4);
  });

  it("get sts, pvc and pv: a StatefulSet with claim templates on the default class", async () => {
    const manifest = JSON.stringify({
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "web" },
      spec: {
        replicas: 2,
        serviceName: "web",
        selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "nginx" }] } },
        volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }],
      },
    });
    expect((await h.kubectlWithInput(manifest, "apply", "-f", "-")).stdout).toBe("statefulset.apps/web created\n");
    await advance(20_000);
    expect(rows((await h.kubectl("get", "sts")).stdout)).toEqual([
      ["NAME", "READY", "AGE"],
      ["web", "2/2", AGE],
    ]);
    const pvcs = rows((await h.kubectl("get", "pvc")).stdout);
    expect(pvcs.slice(1).map((r) => [r[0], r[1], r[3], r[4], r[5]])).toEqual([
      ["data-web-0", "Bound", "1Gi", "RWO", "standard"],
      ["data-web-1", "Bound", "1Gi", "RWO", "standard"],
    ]);
    expect(pvcs[1]?.[2]).toMatch(/^pvc-[0-9a-f-]{36}$/);
    const pvs = rows((await h.kubectl("get", "pv")).stdout);
    expect(pvs.slice(1).map((r) => [r[1], r[2], r[3], r[4], r[5], r[6]])).toEqual([
      ["1Gi", "RWO", "Delete", "Bound", expect.stringMatching(/^default\/data-web-\d$/), "standard"],
      ["1Gi", "RWO", "Delete", "Bound", expect.stringMatching(/^default\/data-web-\d$/), "standard"],
    ]);
    expect((await h.kubectl("describe", "pvc", "data-web-0")).stdout).toMatch(/ProvisioningSucceeded/);
  });
});
