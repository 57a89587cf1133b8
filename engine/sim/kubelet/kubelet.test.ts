// The kubelet's pod lifecycle on a ManualClock: pull failures worded as a
// containerd node reports them, containers whose config does not resolve
// (CreateContainerConfigError, retried), and containers restarting alone.
import { beforeEach, describe, expect, it } from "vitest";
import { testCluster, type TestCluster } from "../controllers/test-cluster";
import type { Container, ContainerStatus, Pod } from "../types";

let t: TestCluster;
beforeEach(async () => {
  t = await testCluster();
});

function createPod(name: string, containers: Container[], restartPolicy = "Always"): void {
  t.create("", "pods", { apiVersion: "v1", kind: "Pod", metadata: { name }, spec: { restartPolicy, containers } });
}

function statusOf(pod: string, container: string): ContainerStatus | undefined {
  return (t.get("", "pods", pod) as Pod | undefined)?.status?.containerStatuses?.find((s) => s.name === container);
}

describe("image pulls", () => {
  it("a missing tag fails with containerd's NotFound status, a missing repository without one", async () => {
    createPod("tag", [{ name: "app", image: "nginx:9.9" }]);
    createPod("repo", [{ name: "app", image: "nosuch/app:v1" }]);
    await t.advance(2000);
    expect(statusOf("tag", "app")?.state?.waiting).toEqual({
      reason: "ErrImagePull",
      message: 'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:9.9": failed to resolve reference "docker.io/library/nginx:9.9": docker.io/library/nginx:9.9: not found',
    });
    expect(t.events("Failed")).toEqual(
      expect.arrayContaining([
        'Failed to pull image "nginx:9.9": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:9.9": failed to resolve reference "docker.io/library/nginx:9.9": docker.io/library/nginx:9.9: not found',
        'Failed to pull image "nosuch/app:v1": failed to pull and unpack image "docker.io/nosuch/app:v1": failed to resolve reference "docker.io/nosuch/app:v1": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed',
      ]),
    );
  });
});

describe("container config", () => {
  const sleeper = (env: Record<string, unknown>): Container => ({ name: "app", image: "busybox:1.36", command: ["sleep", "3600"], ...env });

  it("a missing key or Secret is CreateContainerConfigError, retried until it resolves", async () => {
    t.create("", "configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg" }, data: { mode: "prod" } });
    createPod("key", [sleeper({ env: [{ name: "COLOR", valueFrom: { configMapKeyRef: { name: "cfg", key: "color" } } }] })]);
    createPod("secret", [sleeper({ envFrom: [{ secretRef: { name: "creds" } }] })]);
    await t.advance(3000);
    expect(statusOf("key", "app")?.state?.waiting).toEqual({ reason: "CreateContainerConfigError", message: "couldn't find key color in ConfigMap default/cfg" });
    expect(statusOf("secret", "app")?.state?.waiting).toEqual({ reason: "CreateContainerConfigError", message: 'secret "creds" not found' });
    expect(t.events("Failed")).toEqual(expect.arrayContaining(["Error: couldn't find key color in ConfigMap default/cfg", 'Error: secret "creds" not found']));
    expect(t.events("Created")).toEqual([]);
    expect((t.get("", "pods", "key") as Pod).status?.phase).toBe("Pending");

    t.create("", "secrets", { apiVersion: "v1", kind: "Secret", metadata: { name: "creds" }, data: { user: Buffer.from("admin").toString("base64") } });
    await t.advance(10_500);
    expect(statusOf("secret", "app")?.state?.running).toBeDefined();
    expect(statusOf("key", "app")?.state?.waiting?.reason).toBe("CreateContainerConfigError");
    const errors = t.cluster.service.list(t.type("", "events"), "default").items.filter((e) => e.message === "Error: couldn't find key color in ConfigMap default/cfg");
    expect(errors.map((e) => e.count)).toEqual([2]);
  });

  it("optional references that do not resolve are skipped", async () => {
    createPod("optional", [
      sleeper({
        envFrom: [{ configMapRef: { name: "nope", optional: true } }],
        env: [
          { name: "A", valueFrom: { secretKeyRef: { name: "nope", key: "a", optional: true } } },
          { name: "B", value: "b" },
        ],
      }),
    ]);
    await t.advance(3000);
    expect(statusOf("optional", "app")?.state?.running).toBeDefined();
    const container = t.cluster.containers.container(t.get("", "pods", "optional") as Pod, "app");
    expect(container?.env.B).toBe("b");
    expect(container?.env.A).toBeUndefined();
  });
});

describe("start errors", () => {
  const notFound = (name: string): string =>
    `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: "${name}": executable file not found in $PATH: unknown`;

  it("a command the image lacks is created but never starts: StartError 128, the pod fails under Never", async () => {
    createPod("once", [{ name: "app", image: "busybox:1.36", command: ["frobnicate", "--now"] }], "Never");
    await t.advance(3000);
    expect(statusOf("once", "app")?.state?.terminated).toMatchObject({ exitCode: 128, reason: "StartError", message: notFound("frobnicate"), startedAt: "1970-01-01T00:00:00Z" });
    expect((t.get("", "pods", "once") as Pod).status?.phase).toBe("Failed");
    expect(t.events("Created")).toEqual(["Created container app"]);
    expect(t.events("Failed")).toEqual([`Error: ${notFound("frobnicate")}`]);
    expect(t.events("Started")).toEqual([]);
  });

  it("a server image with another command is no server: RunContainerError, then CrashLoopBackOff", async () => {
    createPod("web", [{ name: "web", image: "nginx:1.27", command: ["/usr/sbin/nosuch"] }]);
    await t.advance(2500);
    const message = `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: "/usr/sbin/nosuch": stat /usr/sbin/nosuch: no such file or directory: unknown`;
    expect(statusOf("web", "web")).toMatchObject({ state: { waiting: { reason: "RunContainerError", message } }, lastState: { terminated: { exitCode: 128, reason: "StartError" } } });
    await t.advance(5000);
    expect(statusOf("web", "web")).toMatchObject({ restartCount: 1, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { reason: "StartError" } } });
    // As upstream's getPhase: a container waiting to restart after a termination counts as stopped, so Running.
    expect((t.get("", "pods", "web") as Pod).status?.phase).toBe("Running");
  });

  it("the image's own server under another command line still serves", async () => {
    createPod("daemon", [{ name: "web", image: "nginx:1.27", command: ["nginx", "-g", "daemon off;"] }]);
    await t.advance(5000);
    expect(statusOf("daemon", "web")?.state?.running).toBeDefined();
  });
});

describe("containers of one pod", () => {
  it("a crashing container restarts alone; its neighbour keeps running", async () => {
    createPod("pair", [
      { name: "crasher", image: "busybox:1.36", command: ["sh", "-c", "sleep 2; exit 1"] },
      { name: "web", image: "nginx:1.27" },
    ]);
    await t.advance(5000);
    const webStarted = statusOf("pair", "web")?.state?.running?.startedAt;
    expect(webStarted).toBeDefined();
    await t.advance(60_000);
    expect(statusOf("pair", "crasher")?.restartCount).toBeGreaterThanOrEqual(2);
    expect(statusOf("pair", "web")).toMatchObject({ restartCount: 0, state: { running: { startedAt: webStarted } } });
  });

  it("a container that cannot start does not hold back the next one", async () => {
    createPod("after", [
      { name: "broken", image: "nginx:9.9" },
      { name: "web", image: "nginx:1.27" },
    ]);
    await t.advance(5000);
    expect(statusOf("after", "broken")?.state?.waiting?.reason).toMatch(/^(ErrImagePull|ImagePullBackOff)$/);
    expect(statusOf("after", "web")?.state?.running).toBeDefined();
  });
});
