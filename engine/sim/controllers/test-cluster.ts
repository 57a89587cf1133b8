// Shared helpers of the Job/CronJob/DaemonSet/StatefulSet/PV tests: a whole
// sim cluster on a ManualClock, advanced in steps with the reconcile loops
// (microtasks) running in between.
import { ManualClock } from "../../clock";
import { createSimCluster, type SimCluster } from "../cluster/cluster";
import type { ResourceType } from "../registry";
import type { KObject } from "../types";

export interface TestCluster {
  clock: ManualClock;
  cluster: SimCluster;
  type(group: string, plural: string): ResourceType;
  list(group: string, plural: string, namespace?: string): KObject[];
  get(group: string, plural: string, name: string, namespace?: string): KObject | undefined;
  create(group: string, plural: string, body: KObject, namespace?: string): KObject;
  advance(ms: number, step?: number): Promise<void>;
  events(reason: string, namespace?: string): string[];
}

export const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function testCluster(start = "2026-03-01T12:00:00Z"): Promise<TestCluster> {
  const clock = new ManualClock(Date.parse(start));
  const cluster = createSimCluster({ clock });
  await flush();
  const type = (group: string, plural: string): ResourceType => cluster.registry.find(group, "v1", plural) as ResourceType;
  const t: TestCluster = {
    clock,
    cluster,
    type,
    list: (group, plural, namespace = "default") => cluster.service.list(type(group, plural), type(group, plural).namespaced ? namespace : undefined).items,
    get: (group, plural, name, namespace = "default") => cluster.service.find(type(group, plural), type(group, plural).namespaced ? namespace : undefined, name),
    create: (group, plural, body, namespace = "default") => cluster.service.create(type(group, plural), type(group, plural).namespaced ? namespace : undefined, body),
    async advance(ms, step = 100) {
      await flush();
      for (let elapsed = 0; elapsed < ms; elapsed += step) {
        clock.advance(step);
        await flush();
      }
    },
    events: (reason, namespace = "default") =>
      cluster.service
        .list(type("", "events"), namespace)
        .items.filter((e) => e.reason === reason)
        .map((e) => e.message as string),
  };
  return t;
}
