// The Job controller on a ManualClock, with the real scheduler and kubelets:
// busybox pods run their command for about a second and exit with its code.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KObject, Pod } from "../types";
import { jobFinished, type Job } from "./job";
import { testCluster, type TestCluster } from "./test-cluster";

let t: TestCluster;

beforeEach(async () => {
  t = await testCluster();
});

afterEach(() => {
  t.cluster.dispose();
});

function job(name: string, command: string, spec: Record<string, unknown> = {}, restartPolicy = "Never"): KObject {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name },
    spec: { ...spec, template: { spec: { restartPolicy, containers: [{ name: "work", image: "busybox:1.36", command: ["sh", "-c", command] }] } } },
  };
}

const getJob = (name: string): Job => t.get("batch", "jobs", name) as Job;
const jobPods = (name: string): Pod[] => (t.list("", "pods") as Pod[]).filter((p) => p.metadata.labels?.["batch.kubernetes.io/job-name"] === name);

describe("Job controller", () => {
  it("runs one pod to completion with upstream's status, conditions and events", async () => {
    const created = t.create("batch", "jobs", job("hello", "echo hi"));
    await t.advance(500);
    const [pod] = jobPods("hello");
    expect(pod?.metadata.labels?.["batch.kubernetes.io/controller-uid"]).toBe(created.metadata.uid);
    expect(pod?.metadata.ownerReferences?.[0]).toMatchObject({ kind: "Job", name: "hello", controller: true });
    expect(pod?.metadata.finalizers).toEqual(["batch.kubernetes.io/job-tracking"]);
    expect(getJob("hello").status).toMatchObject({ active: 1, startTime: "2026-03-01T12:00:00Z" });
    await t.advance(5000);
    const done = getJob("hello");
    expect(jobFinished(done)).toBe("Complete");
    expect(done.status?.succeeded).toBe(1);
    expect(done.status?.active).toBeUndefined();
    expect(done.status?.completionTime).toBeDefined();
    expect(done.status?.conditions?.map((c) => `${c.type}/${c.reason}`)).toEqual(["SuccessCriteriaMet/CompletionsReached", "Complete/CompletionsReached"]);
    expect(jobPods("hello")[0]?.status?.phase).toBe("Succeeded");
    expect(jobPods("hello")[0]?.metadata.finalizers).toBeUndefined();
    expect(t.events("SuccessfulCreate")).toEqual([`Created pod: ${pod?.metadata.name ?? ""}`]);
    expect(t.events("Completed")).toEqual(["Job completed"]);
  });

  it("honours completions and parallelism", async () => {
    t.create("batch", "jobs", job("batch", "echo work", { completions: 5, parallelism: 2 }));
    await t.advance(300);
    expect(jobPods("batch")).toHaveLength(2);
    await t.advance(30_000);
    const done = getJob("batch");
    expect(jobFinished(done)).toBe("Complete");
    expect(done.status?.succeeded).toBe(5);
    expect(jobPods("batch")).toHaveLength(5);
  });

  it("fails after backoffLimit failed pods, backing off exponentially by the clock", async () => {
    t.create("batch", "jobs", job("flaky", "echo boom; exit 3", { backoffLimit: 2 }));
    await t.advance(4000);
    expect(getJob("flaky").status?.failed).toBe(1);
    expect(jobPods("flaky")).toHaveLength(1);
    const failedPod = jobPods("flaky")[0];
    expect(failedPod?.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 3, reason: "Error" });
    // The replacement waits 10 s after the failure.
    await t.advance(8000);
    expect(jobPods("flaky")).toHaveLength(1);
    await t.advance(4000);
    expect(jobPods("flaky")).toHaveLength(2);
    await t.advance(120_000);
    const failed = getJob("flaky");
    expect(failed.status?.failed).toBe(3);
    expect(jobFinished(failed)).toBe("Failed");
    expect(failed.status?.conditions?.map((c) => `${c.type}/${c.reason}`)).toEqual(["FailureTarget/BackoffLimitExceeded", "Failed/BackoffLimitExceeded"]);
    expect(t.events("BackoffLimitExceeded")).toEqual(["Job has reached the specified backoff limit"]);
  });

  it("counts container restarts against backoffLimit with restartPolicy OnFailure", async () => {
    t.create("batch", "jobs", job("retry", "exit 1", { backoffLimit: 1 }, "OnFailure"));
    await t.advance(60_000);
    expect(jobFinished(getJob("retry"))).toBe("Failed");
    expect(jobPods("retry")).toHaveLength(0);
  });

  it("stops at activeDeadlineSeconds", async () => {
    t.create("batch", "jobs", job("slow", "sleep 300", { activeDeadlineSeconds: 10 }));
    await t.advance(9000);
    expect(jobFinished(getJob("slow"))).toBeUndefined();
    await t.advance(45_000);
    const failed = getJob("slow");
    expect(jobFinished(failed)).toBe("Failed");
    expect(failed.status?.conditions?.find((c) => c.type === "Failed")?.reason).toBe("DeadlineExceeded");
  });

  it("runs Indexed jobs with one pod per completion index", async () => {
    t.create("batch", "jobs", job("idx", "echo $JOB_COMPLETION_INDEX", { completions: 3, parallelism: 3, completionMode: "Indexed" }));
    await t.advance(300);
    const names = jobPods("idx").map((p) => p.metadata.name ?? "");
    expect(names.map((n) => n.replace(/-[a-z0-9]{5}$/, "")).sort()).toEqual(["idx-0", "idx-1", "idx-2"]);
    await t.advance(10_000);
    expect(getJob("idx").status).toMatchObject({ succeeded: 3, completedIndexes: "0-2" });
  });

  it("deletes a finished job after ttlSecondsAfterFinished", async () => {
    t.create("batch", "jobs", job("short", "true", { ttlSecondsAfterFinished: 30 }));
    await t.advance(5000);
    expect(jobFinished(getJob("short"))).toBe("Complete");
    await t.advance(31_000, 1000);
    expect(getJob("short")).toBeUndefined();
    expect(jobPods("short")).toHaveLength(0);
  });
});
