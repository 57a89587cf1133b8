// Pod templates of every workload kind get the same container defaults as a
// pod written directly (probes included), as upstream's defaulting does.
import { describe, expect, it } from "vitest";
import { defaultRegistry, type ResourceType } from "./index";
import type { CreateContext } from "./resource";
import type { KObject } from "../types";

const registry = defaultRegistry();
const context: CreateContext = { now: Date.parse("2026-03-01T12:00:00Z"), randomSuffix: (n) => "x".repeat(n), allocateClusterIP: () => "10.96.0.50", allocateNodePort: () => 30000 };

function container(): Record<string, unknown> {
  return {
    name: "web",
    image: "nginx:1.27",
    ports: [{ containerPort: 80 }],
    readinessProbe: { httpGet: { path: "/ready", port: 80 } },
    livenessProbe: { tcpSocket: { port: 80 }, initialDelaySeconds: 5 },
  };
}

const template = (): Record<string, unknown> => ({ metadata: { labels: { app: "web" } }, spec: { containers: [container()] } });

const objects: [string, string, Record<string, unknown>][] = [
  ["apps", "deployments", { selector: { matchLabels: { app: "web" } }, template: template() }],
  ["apps", "replicasets", { selector: { matchLabels: { app: "web" } }, template: template() }],
  ["apps", "daemonsets", { selector: { matchLabels: { app: "web" } }, template: template() }],
  ["apps", "statefulsets", { selector: { matchLabels: { app: "web" } }, serviceName: "web", template: template() }],
  ["batch", "jobs", { template: { spec: { restartPolicy: "Never", containers: [container()] } } }],
  ["", "replicationcontrollers", { selector: { app: "web" }, template: template() }],
];

function templateContainer(object: KObject): Record<string, unknown> {
  const spec = object.spec as { template: { spec: { containers: Record<string, unknown>[] } } };
  return spec.template.spec.containers[0] as Record<string, unknown>;
}

describe("workload pod templates", () => {
  it.each(objects)("%s/%s: probes and container fields get the pod defaults", (group, plural, spec) => {
    const type = registry.find(group, "v1", plural) as ResourceType;
    const object: KObject = { apiVersion: "", kind: type.kind, metadata: { name: "web", namespace: "default" }, spec };
    type.defaults?.(object, context);
    expect(templateContainer(object)).toMatchObject({
      imagePullPolicy: "IfNotPresent",
      terminationMessagePath: "/dev/termination-log",
      ports: [{ containerPort: 80, protocol: "TCP" }],
      readinessProbe: { httpGet: { path: "/ready", port: 80, scheme: "HTTP" }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
      livenessProbe: { tcpSocket: { port: 80 }, initialDelaySeconds: 5, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
    });
    // Only pods get the service account token mount (admission), not templates.
    expect(templateContainer(object).volumeMounts).toBeUndefined();
  });

  it("a CronJob's job template too", () => {
    const type = registry.find("batch", "v1", "cronjobs") as ResourceType;
    const object: KObject = { apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "tick", namespace: "default" }, spec: { schedule: "* * * * *", jobTemplate: { spec: { template: { spec: { restartPolicy: "OnFailure", containers: [container()] } } } } } };
    type.defaults?.(object, context);
    const job = (object.spec as { jobTemplate: KObject }).jobTemplate;
    expect(templateContainer(job)).toMatchObject({ readinessProbe: { periodSeconds: 10, failureThreshold: 3, httpGet: { scheme: "HTTP" } } });
  });

  it.each(objects)("%s/%s: template containers are validated as a pod's are, init containers and probes included", (group, plural, spec) => {
    const type = registry.find(group, "v1", plural) as ResourceType;
    const broken = structuredClone(spec) as { template: { spec: { containers: Record<string, unknown>[]; initContainers?: Record<string, unknown>[] } } };
    const [main] = broken.template.spec.containers;
    if (main) main.livenessProbe = { initialDelaySeconds: 5 };
    broken.template.spec.initContainers = [{ name: "Setup" }];
    const object: KObject = { apiVersion: "", kind: type.kind, metadata: { name: "web", namespace: "default" }, spec: broken };
    type.defaults?.(object, context);
    const fields = (type.validate?.(object) ?? []).map((e) => `${e.field} ${e.type}`);
    expect(fields).toEqual(
      expect.arrayContaining([
        "spec.template.spec.containers[0].livenessProbe FieldValueRequired",
        "spec.template.spec.initContainers[0].name FieldValueInvalid",
        "spec.template.spec.initContainers[0].image FieldValueRequired",
      ]),
    );
  });
});
