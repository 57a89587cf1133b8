// The time-scale drill: a lesson may run the cluster's clock faster (back-off,
// eviction timeouts, CronJobs), and learners must see the same story, only
// sooner. One scenario — a crash-looping pod, a CronJob every minute, a
// worker node that stops and has its pods evicted — runs on a plain
// ManualClock and again with the drill's time scale over a ManualClock
// stepped proportionally less; the events (reason and object, in the order
// they were written) must be the same.
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../clock";
import { flush } from "../controllers/test-cluster";
import type { ResourceType } from "../registry";
import type { CoreEvent, KObject } from "../types";
import { createSimCluster } from "./cluster";

const START = Date.parse("2026-03-01T12:00:30Z");
/** Scaled-clock time per step: every run steps the same scaled instants. */
const STEP_MS = 1_000;
const NODE_DOWN_AT_MS = 60_000;
const DURATION_MS = 9 * 60_000;

const pod = (name: string, node: string, command?: string[]): KObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name },
  spec: { nodeName: node, containers: [{ name: "app", image: command ? "busybox:1.36" : "nginx:1.27", ...(command ? { command } : {}) }] },
});

const cronJob: KObject = {
  apiVersion: "batch/v1",
  kind: "CronJob",
  metadata: { name: "tick" },
  spec: {
    schedule: "* * * * *",
    jobTemplate: { spec: { template: { spec: { restartPolicy: "OnFailure", containers: [{ name: "tick", image: "busybox:1.36", command: ["sh", "-c", "echo tick"] }] } } } },
  },
};

/** Generated names end in 5 random characters; one pod per Job, so the prefix names it. */
const stable = (name: string): string => name.replace(/-[a-z0-9]{5}$/, "-*");

/** Every event write of the scenario, in store order: `reason Kind/name` (a repeat counts again). */
async function scenario(factor: number): Promise<{ events: string[]; wrappedMs: number }> {
  const clock = new ManualClock(START);
  const cluster = createSimCluster({ clock });
  const type = (group: string, plural: string): ResourceType => cluster.registry.find(group, "v1", plural) as ResourceType;
  const events: string[] = [];
  const watch = cluster.store.watch("/core/events/", undefined, (e) => {
    if (e.type === "DELETED") return;
    const { reason, involvedObject } = e.object as CoreEvent;
    events.push(`${reason ?? ""} ${involvedObject.kind ?? ""}/${stable(involvedObject.name ?? "")}`);
  });
  try {
    cluster.drills.setTimeScale(factor);
    cluster.service.create(type("", "pods"), "default", pod("crasher", "node01", ["sh", "-c", "echo starting; exit 1"]));
    cluster.service.create(type("", "pods"), "default", pod("web-a", "node02"));
    cluster.service.create(type("", "pods"), "default", pod("web-b", "node02"));
    cluster.service.create(type("batch", "cronjobs"), "default", cronJob);
    await flush();
    for (let scaled = STEP_MS; scaled <= DURATION_MS; scaled += STEP_MS) {
      // To the exact wrapped instant (summing 1000 / 60 steps would drift).
      clock.advance(START + scaled / factor - clock.now());
      await flush();
      if (scaled === NODE_DOWN_AT_MS) cluster.drills.nodeDown("node02");
    }
    return { events, wrappedMs: clock.now() - START };
  } finally {
    watch.stop();
    cluster.dispose();
  }
}

describe("time scale", () => {
  it("time can run faster for a lesson, with event order unchanged", async () => {
    const plain = await scenario(1);
    // The story the lesson tells: crash loop with back-off, a Job a minute, a node lost and its pods evicted.
    for (const expected of [
      "BackOff Pod/crasher",
      "SuccessfulCreate CronJob/tick",
      `Completed Job/tick-${Date.parse("2026-03-01T12:01:00Z") / 60_000}`,
      "SawCompletedJob CronJob/tick",
      "SuccessfulDelete CronJob/tick",
      "NodeNotReady Node/node02",
      "NodeNotReady Pod/web-a",
      "TaintManagerEviction Pod/web-b",
    ]) {
      expect(plain.events).toContain(expected);
    }
    for (const factor of [10, 60]) {
      const fast = await scenario(factor);
      expect(fast.wrappedMs).toBe(DURATION_MS / factor);
      expect(fast.events, `x${factor}`).toEqual(plain.events);
    }
  }, 60_000);
});
