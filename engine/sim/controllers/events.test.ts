// The event recorder's correlator, as client-go's: identical repeats fold into
// a count, similar events (same source, object, type and reason) are combined
// from the 10th distinct message in 10 minutes, and a spam filter (25 writes
// per source, object and type, one more every 5 minutes) drops the rest.
// Unit tests on a ManualClock cluster, then what kubectl shows after a scale-up.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ResourceType } from "../registry";
import { describedEvents, lines, startScenario, type Scenario } from "../scenarios/harness";
import type { CoreEvent, KObject } from "../types";
import { CORRELATOR_CACHE_ENTRIES, EventRecorder, type EventSpec } from "./events";
import { testCluster, type TestCluster } from "./test-cluster";

const MINUTE = 60_000;
const COMBINED = "(combined from similar events): ";

describe("EventRecorder correlation", () => {
  let t: TestCluster;
  let recorder: EventRecorder;
  let eventType: ResourceType;

  beforeEach(async () => {
    t = await testCluster();
    eventType = t.type("", "events");
    // A recorder of our own: the cluster's controllers share theirs and write events of their own meanwhile.
    recorder = new EventRecorder(t.cluster.service, eventType, t.clock);
  });

  const object = (name: string): KObject => ({ apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name, namespace: "default", uid: `uid-${name}` } });
  const created = (pod: string): EventSpec => ({ type: "Normal", reason: "SuccessfulCreate", message: `Created pod: ${pod}`, component: "replicaset-controller" });

  /** The events about `name`, oldest first, as `get events -o json` would show them. */
  const eventsAbout = (name: string): Pick<CoreEvent, "reason" | "message" | "count" | "firstTimestamp" | "lastTimestamp">[] =>
    (t.cluster.service.list(eventType, "default").items as CoreEvent[])
      .filter((e) => e.involvedObject.uid === `uid-${name}`)
      .sort((a, b) => (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""))
      .map(({ reason, message, count, firstTimestamp, lastTimestamp }) => ({ reason, message, count, firstTimestamp, lastTimestamp }));

  it("folds identical repeats into one event whose count and lastTimestamp grow", () => {
    const rs = object("web-1");
    recorder.record(rs, created("web-1-a"));
    t.clock.advance(3_000);
    recorder.record(rs, created("web-1-a"));
    expect(eventsAbout("web-1")).toEqual([
      { reason: "SuccessfulCreate", message: "Created pod: web-1-a", count: 2, firstTimestamp: "2026-03-01T12:00:00Z", lastTimestamp: "2026-03-01T12:00:03Z" },
    ]);
  });

  it("writes 9 similar events one by one, then combines the 10th and later ones into one event", () => {
    const rs = object("web-2");
    for (let i = 0; i < 12; i++) {
      recorder.record(rs, created(`web-2-${i}`));
      t.clock.advance(1_000);
    }
    const events = eventsAbout("web-2");
    expect(events.map((e) => e.message)).toEqual([...Array.from({ length: 9 }, (_, i) => `Created pod: web-2-${i}`), `${COMBINED}Created pod: web-2-11`]);
    expect(events.every((e) => e.reason === "SuccessfulCreate")).toBe(true);
    expect(events.at(-1)).toMatchObject({ count: 3, firstTimestamp: "2026-03-01T12:00:09Z", lastTimestamp: "2026-03-01T12:00:11Z" });
  });

  it("groups by reason, type and object, and starts afresh after 10 minutes without a similar event", () => {
    const rs = object("web-3");
    // Similar events 5 minutes apart stay in one group: the window follows the latest one.
    for (let i = 0; i < 9; i++) {
      recorder.record(rs, created(`web-3-${i}`));
      recorder.record(rs, { ...created("x"), reason: "SuccessfulDelete", message: `Deleted pod: web-3-${i}` });
      recorder.record(object("other"), created(`other-${i}`));
      t.clock.advance(5 * MINUTE);
    }
    recorder.record(rs, { ...created("x"), type: "Warning", reason: "SuccessfulCreate", message: "Created pod: web-3-w" });
    recorder.record(rs, created("web-3-9"));
    expect(eventsAbout("web-3").filter((e) => e.reason === "SuccessfulCreate").map((e) => e.message)).toEqual([
      ...Array.from({ length: 9 }, (_, i) => `Created pod: web-3-${i}`),
      "Created pod: web-3-w",
      `${COMBINED}Created pod: web-3-9`,
    ]);
    expect(eventsAbout("web-3").filter((e) => e.message?.startsWith(COMBINED))).toHaveLength(1);
    expect(eventsAbout("other").filter((e) => e.message?.startsWith(COMBINED))).toHaveLength(0);

    t.clock.advance(10 * MINUTE + 1);
    recorder.record(rs, created("web-3-10"));
    expect(eventsAbout("web-3").at(-1)?.message).toBe("Created pod: web-3-10");
  });

  it("drops writes beyond a burst of 25 per source, object and type, and allows one more per 5 minutes", () => {
    const node = object("node01");
    const notReady: EventSpec = { type: "Warning", reason: "NodeNotReady", message: "Node is not ready", component: "node-controller" };
    for (let i = 0; i < 30; i++) recorder.record(node, notReady);
    // One create and 24 count updates passed; the last 5 repeats were dropped.
    expect(eventsAbout("node01")).toMatchObject([{ message: "Node is not ready", count: 25 }]);
    // The bucket is per type, not per reason (client-go 1.32): another Warning reason is dropped too ...
    recorder.record(node, { ...notReady, reason: "Rebooted", message: "Node rebooted" });
    // ... but a Normal event, or another source about the same object, has tokens of its own.
    recorder.record(node, { ...notReady, type: "Normal", reason: "NodeReady", message: "Node is ready" });
    recorder.record(node, { ...notReady, component: "kubelet", host: "node01" });
    expect(eventsAbout("node01").map((e) => e.reason)).toEqual(["NodeNotReady", "NodeReady", "NodeNotReady"]);

    t.clock.advance(5 * MINUTE - 1);
    recorder.record(node, notReady);
    expect(eventsAbout("node01")[0]?.count).toBe(25);
    t.clock.advance(1);
    // A token is back: the write carries every occurrence counted so far, dropped ones included, as upstream's.
    recorder.record(node, notReady);
    expect(eventsAbout("node01")[0]).toMatchObject({ count: 32, lastTimestamp: "2026-03-01T12:05:00Z" });
    recorder.record(node, notReady);
    expect(eventsAbout("node01")[0]?.count).toBe(32);
  });

  it("an event deleted meanwhile is created again under its name, with its count", () => {
    const rs = object("web-4");
    recorder.record(rs, created("web-4-a"));
    const [first] = t.cluster.service.list(eventType, "default").items.filter((e) => (e as CoreEvent).involvedObject.name === "web-4");
    t.cluster.service.delete(eventType, "default", first?.metadata.name ?? "");
    t.clock.advance(2_000);
    recorder.record(rs, created("web-4-a"));
    const again = t.cluster.service.find(eventType, "default", first?.metadata.name ?? "") as CoreEvent | undefined;
    expect(again).toMatchObject({ count: 2, firstTimestamp: "2026-03-01T12:00:00Z", lastTimestamp: "2026-03-01T12:00:02Z" });
  });

  it("keeps its caches bounded: an object pushed out of them starts a new event", () => {
    const first = object("first");
    recorder.record(first, created("first-a"));
    for (let i = 0; i < CORRELATOR_CACHE_ENTRIES; i++) recorder.record(object(`filler-${i}`), created(`filler-${i}-a`));
    recorder.record(first, created("first-a"));
    expect(eventsAbout("first").map((e) => e.count)).toEqual([1, 1]);
  });
});

describe("kubectl after scaling a Deployment to 30 replicas", () => {
  let s: Scenario;

  beforeAll(async () => {
    s = await startScenario("learner-events");
    await s.ok("create", "deployment", "web", "--image=nginx", "--replicas=1");
    await s.settle("one pod", () => s.pods({ app: "web" }).length === 1);
    await s.advance(10_000);
    expect(await s.ok("scale", "deployment", "web", "--replicas=30")).toBe("deployment.apps/web scaled\n");
    await s.settle("30 pods", () => s.pods({ app: "web" }).length === 30);
  });

  afterAll(async () => {
    await s.close();
  });

  it("describe rs shows 9 SuccessfulCreate events and one combined event", async () => {
    const described = await s.ok("describe", "rs", "-l", "app=web");
    const events = describedEvents(described);
    const individual = events.slice(0, -1);
    expect(individual).toHaveLength(9);
    for (const [type, reason, from, message] of individual) {
      expect([type, reason, from]).toEqual(["Normal", "SuccessfulCreate", "replicaset-controller"]);
      expect(message).toMatch(/^Created pod: web-\w+-\w{5}$/);
    }
    const [type, reason, from, message = ""] = events.at(-1) ?? [];
    expect([type, reason, from]).toEqual(["Normal", "SuccessfulCreate", "replicaset-controller"]);
    expect(message.startsWith(`${COMBINED}Created pod: web-`)).toBe(true);
    // 30 creations: 9 events, then the combined one written 16 times before the spam filter's 25 tokens ran out.
    expect(lines(described).at(-1)).toMatch(/^ {2}Normal {2}SuccessfulCreate {2}\S+ \(x16 over \S+\) {2}replicaset-controller {2}\(combined from similar events\): Created pod: web-\S+$/);
    const pods = s.pods({ app: "web" }).map((p) => `Created pod: ${p.metadata.name ?? ""}`);
    expect(pods).toEqual(expect.arrayContaining([...individual.map((e) => e[3]), message.slice(COMBINED.length)]));
  });

  it("get events lists the same ten, the combined one with its count", async () => {
    const wide = await s.ok("get", "events", "--field-selector", "involvedObject.kind=ReplicaSet", "-o", "wide");
    const header = lines(wide)[0] ?? "";
    expect(header.trim().split(/\s{2,}/)).toEqual(["LAST SEEN", "TYPE", "REASON", "OBJECT", "SUBOBJECT", "SOURCE", "MESSAGE", "FIRST SEEN", "COUNT", "NAME"]);
    const rows = lines(wide)
      .slice(1)
      .map((line) => line.trim().split(/\s{2,}/));
    expect(rows).toHaveLength(10);
    // SUBOBJECT is empty: the cells run LAST SEEN, TYPE, REASON, OBJECT, SOURCE, MESSAGE, FIRST SEEN, COUNT, NAME.
    expect(rows.map((r) => [r[1], r[2], r[4], r[7]])).toEqual([
      ...Array.from({ length: 9 }, () => ["Normal", "SuccessfulCreate", "replicaset-controller", "1"]),
      ["Normal", "SuccessfulCreate", "replicaset-controller", "16"],
    ]);
    expect(rows.at(-1)?.[5]).toMatch(/^\(combined from similar events\): Created pod: web-\S+$/);
    const plain = await s.ok("get", "events", "--field-selector", "reason=SuccessfulCreate");
    expect(lines(plain).filter((line) => line.includes("(combined from similar events): Created pod: web-"))).toHaveLength(1);
  });
});
