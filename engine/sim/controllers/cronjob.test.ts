// Cron parsing and the CronJob controller on a ManualClock.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KObject } from "../types";
import { mostRecentScheduleTime, parseSchedule } from "./cron";
import { cronJobName, type CronJob } from "./cronjob";
import { jobFinished, type Job } from "./job";
import { testCluster, type TestCluster } from "./test-cluster";

const at = (s: string): number => Date.parse(s);

describe("cron schedules", () => {
  it("parses fields, steps, ranges, names and macros", () => {
    const every5 = parseSchedule("*/5 * * * *");
    expect(every5.next(at("2026-03-01T12:01:30Z"))).toBe(at("2026-03-01T12:05:00Z"));
    expect(parseSchedule("@hourly").next(at("2026-03-01T12:00:00Z"))).toBe(at("2026-03-01T13:00:00Z"));
    expect(parseSchedule("30 9 * * mon-fri").next(at("2026-02-28T00:00:00Z"))).toBe(at("2026-03-02T09:30:00Z"));
    expect(parseSchedule("0 0 1 jan *").next(at("2026-03-01T00:00:00Z"))).toBe(at("2027-01-01T00:00:00Z"));
    // Both day fields restricted: either matches.
    expect(parseSchedule("0 0 13 * 5").next(at("2026-03-01T00:00:00Z"))).toBe(at("2026-03-06T00:00:00Z"));
    expect(() => parseSchedule("* * *")).toThrow();
    expect(() => parseSchedule("61 * * * *")).toThrow();
  });

  it("reads the schedule in spec.timeZone", () => {
    const nineInTokyo = parseSchedule("0 9 * * *", "Asia/Tokyo");
    expect(nineInTokyo.next(at("2026-03-01T12:00:00Z"))).toBe(at("2026-03-02T00:00:00Z"));
    expect(() => parseSchedule("0 9 * * *", "Mars/Olympus").next(0)).toThrow(RangeError);
  });

  it("finds the most recent missed time", () => {
    const s = parseSchedule("*/10 * * * *");
    expect(mostRecentScheduleTime(s, at("2026-03-01T12:00:00Z"), at("2026-03-01T12:35:00Z"))).toEqual({ time: at("2026-03-01T12:30:00Z"), missed: 3 });
  });
});

let t: TestCluster;

describe("CronJob controller", () => {
  beforeEach(async () => {
    t = await testCluster("2026-03-01T12:00:30Z");
  });
  afterEach(() => {
    t.cluster.dispose();
  });

  function cronJob(name: string, command: string, spec: Record<string, unknown> = {}): KObject {
    return {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name },
      spec: {
        schedule: "* * * * *",
        ...spec,
        jobTemplate: { spec: { template: { spec: { restartPolicy: "OnFailure", containers: [{ name: "c", image: "busybox:1.36", command: ["sh", "-c", command] }] } } } },
      },
    };
  }
  const cj = (name: string): CronJob => t.get("batch", "cronjobs", name) as CronJob;
  const jobs = (): Job[] => (t.list("batch", "jobs") as Job[]).filter((j) => !j.metadata.deletionTimestamp);

  it("creates <name>-<minutes> jobs on schedule, tracks status and keeps 3 successful", async () => {
    t.create("batch", "cronjobs", cronJob("hello", "date; echo hello"));
    await t.advance(29_000, 500);
    expect(jobs()).toEqual([]);
    await t.advance(2000, 500);
    const first = cronJobName("hello", at("2026-03-01T12:01:00Z"));
    expect(first).toBe("hello-29539441");
    expect(jobs().map((j) => j.metadata.name)).toEqual([first]);
    expect(jobs()[0]?.metadata.annotations?.["batch.kubernetes.io/cronjob-scheduled-timestamp"]).toBe("2026-03-01T12:01:00Z");
    expect(cj("hello").status).toMatchObject({ lastScheduleTime: "2026-03-01T12:01:00Z", active: [{ kind: "Job", name: first }] });
    expect(t.events("SuccessfulCreate")).toContain(`Created job ${first}`);
    await t.advance(10_000, 500);
    expect(jobFinished(jobs()[0] as Job)).toBe("Complete");
    expect(cj("hello").status?.active).toBeUndefined();
    expect(cj("hello").status?.lastSuccessfulTime).toBeDefined();
    expect(t.events("SawCompletedJob")).toEqual([`Saw completed job: ${first}, status: Complete`]);
    await t.advance(5 * 60_000, 1000);
    expect(jobs()).toHaveLength(3);
    expect(t.events("SuccessfulDelete").length).toBeGreaterThanOrEqual(2);
  });

  it("does not start while suspended, and Forbid skips while a run is active", async () => {
    t.create("batch", "cronjobs", cronJob("paused", "true", { suspend: true }));
    t.create("batch", "cronjobs", cronJob("long", "sleep 150", { concurrencyPolicy: "Forbid" }));
    await t.advance(3 * 60_000, 1000);
    expect(jobs().filter((j) => j.metadata.name?.startsWith("paused"))).toEqual([]);
    expect(jobs().filter((j) => j.metadata.name?.startsWith("long"))).toHaveLength(1);
    expect(t.events("JobAlreadyActive").length).toBeGreaterThan(0);
  });

  it("Replace deletes the running job for the new one", async () => {
    t.create("batch", "cronjobs", cronJob("swap", "sleep 600", { concurrencyPolicy: "Replace" }));
    await t.advance(2 * 60_000, 1000);
    expect(cj("swap").status?.active?.map((r) => r.name)).toEqual([cronJobName("swap", at("2026-03-01T12:02:00Z"))]);
    expect(t.events("SuccessfulDelete")).toContain(`Deleted job ${cronJobName("swap", at("2026-03-01T12:01:00Z"))}`);
  });

  it("misses a start beyond startingDeadlineSeconds", async () => {
    t.create("batch", "cronjobs", cronJob("late", "true", { schedule: "0 * * * *", startingDeadlineSeconds: 10, suspend: true }));
    await t.advance(60 * 60_000, 60_000);
    t.cluster.service.patch(t.type("batch", "cronjobs"), "default", "late", "merge", { spec: { suspend: false } });
    await t.advance(1000);
    expect(jobs()).toEqual([]);
  });
});
