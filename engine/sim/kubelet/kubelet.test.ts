// The kubelet's pod lifecycle on a ManualClock: pull failures worded as a
// containerd node reports them, containers whose config does not resolve
// (CreateContainerConfigError, retried), volumes that cannot be mounted
// (FailedMount), containers restarting alone, and init containers (the
// kubernetes.io examples, failures under each restart policy, sidecars) as
// the real kubectl shows them.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { testCluster, type TestCluster } from "../controllers/test-cluster";
import type { SimCluster } from "../cluster/cluster";
import type { ResourceType } from "../registry";
import { advanceClock, rows, startKubectlCluster, type KubectlCluster } from "../test-kubectl";
import type { Container, ContainerStatus, CoreEvent, Pod } from "../types";

let t: TestCluster;
beforeEach(async () => {
  t = await testCluster();
});

afterEach(() => {
  t.cluster.dispose();
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

describe("volumes", () => {
  const withVolumes = (name: string, volumes: Record<string, unknown>[]): void => {
    t.create("", "pods", { apiVersion: "v1", kind: "Pod", metadata: { name }, spec: { containers: [{ name: "app", image: "nginx:1.27" }], volumes } });
  };

  it("a missing ConfigMap is FailedMount, retried with back-off, until it exists", async () => {
    withVolumes("cfg", [{ name: "config", configMap: { name: "settings" } }]);
    await t.advance(3000);
    const pod = t.get("", "pods", "cfg") as Pod;
    expect(statusOf("cfg", "app")?.state?.waiting?.reason).toBe("ContainerCreating");
    expect(pod.status?.podIP).toBeUndefined();
    expect(pod.status?.conditions?.find((c) => c.type === "PodReadyToStartContainers")?.status).toBe("False");
    const failed = (): CoreEvent[] => (t.cluster.service.list(t.type("", "events"), "default").items as CoreEvent[]).filter((e) => e.reason === "FailedMount");
    // Tries at 0.4 s, then 0.5 and 1 s later (the next one 2 s after that).
    expect(failed()).toEqual([expect.objectContaining({ type: "Warning", count: 3, message: 'MountVolume.SetUp failed for volume "config" : configmap "settings" not found', source: { component: "kubelet", host: (pod.spec.nodeName ?? "") } })]);
    expect(t.events("Pulling")).toEqual([]);

    t.create("", "configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" }, data: { mode: "prod" } });
    await t.advance(6000);
    expect(statusOf("cfg", "app")?.state?.running).toBeDefined();
    expect(failed()[0]?.count).toBe(3);
  });

  it("names a missing Secret or key; optional sources are skipped", async () => {
    t.create("", "configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" }, data: { mode: "prod" } });
    withVolumes("secret", [{ name: "creds", secret: { secretName: "db" } }]);
    withVolumes("key", [{ name: "config", configMap: { name: "settings", items: [{ key: "color", path: "color" }] } }]);
    withVolumes("optional", [{ name: "creds", secret: { secretName: "db", optional: true } }, { name: "more", projected: { sources: [{ configMap: { name: "nope", optional: true } }] } }]);
    await t.advance(3000);
    expect(t.events("FailedMount")).toEqual(
      expect.arrayContaining(['MountVolume.SetUp failed for volume "creds" : secret "db" not found', 'MountVolume.SetUp failed for volume "config" : configmap references non-existent config key: color']),
    );
    expect(statusOf("optional", "app")?.state?.running).toBeDefined();
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

describe("init containers", () => {
  let h: KubectlCluster;
  let cluster: SimCluster;
  beforeAll(async () => {
    h = await startKubectlCluster("learner-init");
    cluster = (await h.driver.cluster("learner-init")) as SimCluster;
  });
  afterAll(async () => {
    await h.close();
  });

  const live = (name: string): Pod => cluster.service.get(cluster.registry.find("", "v1", "pods") as ResourceType, "default", name) as Pod;
  /** Move the clock in 50 ms steps until the pod satisfies `check`. */
  const settle = async (name: string, check: (pod: Pod) => boolean, what: string, ms = 60_000): Promise<void> => {
    for (let waited = 0; waited <= ms; waited += 50) {
      if (check(live(name))) return;
      await advanceClock(h.clock, 50, 50);
    }
    throw new Error(`pod ${name} never got ${what}`);
  };
  const row = async (name: string): Promise<string[]> => rows((await h.kubectl("get", "pod", name)).stdout)[1] ?? [];
  const init = (pod: Pod, name: string): ContainerStatus | undefined => pod.status?.initContainerStatuses?.find((s) => s.name === name);
  /** The kubelet's events about the pod, in order: reason and container. */
  const kubeletEvents = async (name: string): Promise<string[]> => {
    const list = JSON.parse((await h.kubectl("get", "events", "--field-selector", `involvedObject.name=${name}`, "-o", "json")).stdout) as { items: CoreEvent[] };
    return list.items
      .filter((e) => e.source?.component === "kubelet")
      .sort((a, b) => Date.parse(a.firstTimestamp ?? "") - Date.parse(b.firstTimestamp ?? ""))
      .map((e) => `${e.reason ?? ""} ${e.involvedObject.fieldPath ?? ""}`);
  };

  it("runs the Init Containers page's pod: each waits for its Service in turn, then the app starts", async () => {
    const namespaceOf = "$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace)";
    const manifest = [
      "apiVersion: v1",
      "kind: Pod",
      "metadata:",
      "  name: myapp-pod",
      "spec:",
      "  containers:",
      "  - name: myapp-container",
      "    image: busybox:1.28",
      "    command: ['sh', '-c', 'echo The app is running! && sleep 3600']",
      "  initContainers:",
      "  - name: init-myservice",
      "    image: busybox:1.28",
      `    command: ['sh', '-c', "until nslookup myservice.${namespaceOf}.svc.cluster.local; do echo waiting for myservice; sleep 2; done"]`,
      "  - name: init-mydb",
      "    image: busybox:1.28",
      `    command: ['sh', '-c', "until nslookup mydb.${namespaceOf}.svc.cluster.local; do echo waiting for mydb; sleep 2; done"]`,
      "",
    ].join("\n");
    expect((await h.kubectlWithInput(manifest, "apply", "-f", "-")).stdout).toBe("pod/myapp-pod created\n");
    await advanceClock(h.clock, 3000, 100);
    expect(await row("myapp-pod")).toEqual(["myapp-pod", "0/1", "Init:0/2", "0", "3s"]);
    expect((await h.kubectl("logs", "myapp-pod", "-c", "init-myservice")).stdout).toContain("waiting for myservice\n");
    expect((await h.kubectl("exec", "myapp-pod", "-c", "init-myservice", "--", "hostname")).stdout).toBe("myapp-pod\n");
    const appLogs = await h.kubectl("logs", "myapp-pod");
    expect(appLogs).toMatchObject({ code: 1, stderr: expect.stringContaining('container "myapp-container" in pod "myapp-pod" is waiting to start: PodInitializing') as unknown });
    const described = (await h.kubectl("describe", "pod", "myapp-pod")).stdout;
    expect(described).toMatch(/\nInit Containers:\n {2}init-myservice:\n[\s\S]*?State: {10}Running\n[\s\S]*?\n {2}init-mydb:\n[\s\S]*?State: {10}Waiting\n {6}Reason: {7}PodInitializing\n[\s\S]*?\nContainers:\n {2}myapp-container:/);
    expect(described).toContain("\n  Initialized                 False \n");
    expect((await h.kubectl("get", "pod", "myapp-pod", "-o", 'jsonpath={.status.conditions[?(@.type=="Initialized")].message}')).stdout).toBe("containers with incomplete status: [init-myservice init-mydb]");

    await h.kubectl("create", "service", "clusterip", "myservice", "--tcp=80:9376");
    await settle("myapp-pod", (p) => init(p, "init-myservice")?.state?.terminated?.reason === "Completed", "init-myservice completed");
    expect((await row("myapp-pod")).slice(0, 3)).toEqual(["myapp-pod", "0/1", "Init:1/2"]);
    await h.kubectl("create", "service", "clusterip", "mydb", "--tcp=80:9377");
    await settle("myapp-pod", (p) => init(p, "init-mydb")?.state?.terminated?.reason === "Completed", "init-mydb completed");
    // Initialized; the app container is being created.
    expect((await row("myapp-pod")).slice(0, 3)).toEqual(["myapp-pod", "0/1", "PodInitializing"]);
    await settle("myapp-pod", (p) => p.status?.phase === "Running", "Running");
    expect((await row("myapp-pod")).slice(0, 4)).toEqual(["myapp-pod", "1/1", "Running", "0"]);
    expect((await h.kubectl("logs", "myapp-pod")).stdout).toBe("The app is running!\n");
    expect(await kubeletEvents("myapp-pod")).toEqual([
      "Pulling spec.initContainers{init-myservice}",
      "Pulled spec.initContainers{init-myservice}",
      "Created spec.initContainers{init-myservice}",
      "Started spec.initContainers{init-myservice}",
      "Pulled spec.initContainers{init-mydb}",
      "Created spec.initContainers{init-mydb}",
      "Started spec.initContainers{init-mydb}",
      "Pulled spec.containers{myapp-container}",
      "Created spec.containers{myapp-container}",
      "Started spec.containers{myapp-container}",
    ]);
    expect((await h.kubectl("get", "pod", "myapp-pod", "-o", "jsonpath={.status.initContainerStatuses[*].ready} {.status.conditions[?(@.type==\"Initialized\")].status}")).stdout).toBe("true true True");
  });

  it("shares the pod's volumes: what an init container writes (echo, or wget from a Service) is what nginx serves", async () => {
    const demo = (name: string, command: string): string =>
      [
        "apiVersion: v1",
        "kind: Pod",
        "metadata:",
        `  name: ${name}`,
        "  labels:",
        `    app: ${name}`,
        "spec:",
        "  containers:",
        "  - name: nginx",
        "    image: nginx",
        "    ports:",
        "    - containerPort: 80",
        "    volumeMounts:",
        "    - name: workdir",
        "      mountPath: /usr/share/nginx/html",
        "  initContainers:",
        "  - name: install",
        "    image: busybox:1.28",
        `    command: ${command}`,
        "    volumeMounts:",
        "    - name: workdir",
        '      mountPath: "/work-dir"',
        "  dnsPolicy: Default",
        "  volumes:",
        "  - name: workdir",
        "    emptyDir: {}",
        "",
      ].join("\n");
    await h.kubectlWithInput(demo("init-demo", `["sh", "-c", "echo '<h1>Hello from the init container</h1>' > /work-dir/index.html"]`), "apply", "-f", "-");
    await settle("init-demo", (p) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true, "Ready");
    expect((await h.kubectl("exec", "init-demo", "--", "curl", "-s", "localhost")).stdout).toBe("<h1>Hello from the init container</h1>\n");

    expect((await h.kubectl("expose", "pod", "init-demo", "--port=80")).stdout).toBe("service/init-demo exposed\n");
    await advanceClock(h.clock, 500, 100);
    await h.kubectlWithInput(demo("copy", '["wget", "-O", "/work-dir/index.html", "http://init-demo"]'), "apply", "-f", "-");
    await settle("copy", (p) => p.status?.phase === "Running", "Running");
    expect((await h.kubectl("logs", "copy", "-c", "install")).stdout).toContain("'/work-dir/index.html' saved\n");
    expect((await h.kubectl("exec", "copy", "--", "curl", "-s", "localhost")).stdout).toBe("<h1>Hello from the init container</h1>\n");
  });

  it("a failing init container fails a Never pod, and crash-loops under Always", async () => {
    const failing = (name: string, restartPolicy: string): string =>
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  restartPolicy: ${restartPolicy}\n  initContainers:\n  - name: setup\n    image: busybox:1.36\n    command: ["sh", "-c", "echo no config; exit 1"]\n  containers:\n  - name: app\n    image: nginx:1.27\n`;
    await h.kubectlWithInput(failing("once", "Never"), "apply", "-f", "-");
    await h.kubectlWithInput(failing("again", "Always"), "apply", "-f", "-");
    await settle("once", (p) => p.status?.phase === "Failed", "Failed");
    expect((await row("once")).slice(0, 4)).toEqual(["once", "0/1", "Init:Error", "0"]);
    expect(live("once").status?.containerStatuses?.[0]?.state).toEqual({ waiting: { reason: "PodInitializing" } });
    expect((await h.kubectl("logs", "once", "-c", "setup")).stdout).toBe("no config\n");

    await settle("again", (p) => (init(p, "setup")?.restartCount ?? 0) >= 2 && init(p, "setup")?.state?.waiting?.reason === "CrashLoopBackOff", "CrashLoopBackOff");
    const crashing = await row("again");
    expect(crashing.slice(0, 3)).toEqual(["again", "0/1", "Init:CrashLoopBackOff"]);
    expect(crashing[3]).toMatch(/^2 \(\d+s ago\)$/);
    expect(live("again").status?.phase).toBe("Pending");
    expect(await kubeletEvents("again")).toContain("BackOff spec.initContainers{setup}");
    expect(await kubeletEvents("once")).not.toContain("BackOff spec.initContainers{setup}");
  });

  it("starts a sidecar (restartPolicy Always) before the next init container and keeps it running; a Job's pod stops it when done", async () => {
    const web = [
      "apiVersion: v1",
      "kind: Pod",
      "metadata:",
      "  name: web",
      "spec:",
      "  initContainers:",
      "  - name: puller",
      "    image: busybox:1.36",
      "    restartPolicy: Always",
      '    command: ["sh", "-c", "while true; do echo \\"<p>pulled at $(date)</p>\\" > /html/index.html; sleep 5; done"]',
      "    volumeMounts:",
      "    - name: html",
      "      mountPath: /html",
      "  - name: check",
      "    image: busybox:1.36",
      '    command: ["sh", "-c", "cat /html/index.html"]',
      "    volumeMounts:",
      "    - name: html",
      "      mountPath: /html",
      "  containers:",
      "  - name: nginx",
      "    image: nginx:1.27",
      "    volumeMounts:",
      "    - name: html",
      "      mountPath: /usr/share/nginx/html",
      "  volumes:",
      "  - name: html",
      "    emptyDir: {}",
      "",
    ].join("\n");
    await h.kubectlWithInput(web, "apply", "-f", "-");
    await settle("web", (p) => init(p, "check")?.state?.running !== undefined, "check running");
    // The sidecar counts in READY once started.
    expect((await row("web")).slice(0, 3)).toEqual(["web", "1/2", "Init:1/2"]);
    await settle("web", (p) => p.status?.phase === "Running" && p.status.containerStatuses?.[0]?.ready === true, "Running");
    expect((await row("web")).slice(0, 4)).toEqual(["web", "2/2", "Running", "0"]);
    expect((await h.kubectl("logs", "web", "-c", "check")).stdout).toMatch(/^<p>pulled at .+<\/p>\n$/);
    expect((await h.kubectl("exec", "web", "--", "curl", "-s", "localhost")).stdout).toMatch(/^<p>pulled at .+<\/p>\n$/);
    expect((await kubeletEvents("web")).filter((e) => /^(Started|Created)/.test(e))).toEqual([
      "Created spec.initContainers{puller}",
      "Started spec.initContainers{puller}",
      "Created spec.initContainers{check}",
      "Started spec.initContainers{check}",
      "Created spec.containers{nginx}",
      "Started spec.containers{nginx}",
    ]);

    const job = [
      "apiVersion: batch/v1",
      "kind: Job",
      "metadata:",
      "  name: report",
      "spec:",
      "  template:",
      "    spec:",
      "      restartPolicy: Never",
      "      initContainers:",
      "      - name: shipper",
      "        image: busybox:1.36",
      "        restartPolicy: Always",
      '        command: ["sh", "-c", "sleep 3600"]',
      "      containers:",
      "      - name: main",
      "        image: busybox:1.36",
      '        command: ["sh", "-c", "echo report done"]',
      "",
    ].join("\n");
    await h.kubectlWithInput(job, "apply", "-f", "-");
    await advanceClock(h.clock, 200, 100);
    const jobPod = JSON.parse((await h.kubectl("get", "pods", "-l", "job-name=report", "-o", "json")).stdout) as { items: Pod[] };
    const name = jobPod.items[0]?.metadata.name ?? "";
    await settle(name, (p) => p.status?.containerStatuses?.[0]?.state?.terminated !== undefined, "main finished");
    // Main is done; the sidecar still runs until the kubelet stops it (sleep ignores SIGTERM: the grace period, then 137).
    expect(live(name).status?.phase).toBe("Running");
    expect(await kubeletEvents(name)).toContain("Killing spec.initContainers{shipper}");
    await settle(name, (p) => p.status?.phase === "Succeeded", "Succeeded");
    expect(init(live(name), "shipper")?.state?.terminated).toMatchObject({ exitCode: 137, reason: "Error" });
    expect((await row(name)).slice(1, 3)).toEqual(["0/2", "Completed"]);
    await advanceClock(h.clock, 1000, 100);
    expect(rows((await h.kubectl("get", "job", "report")).stdout)[1]?.slice(0, 3)).toEqual(["report", "Complete", "1/1"]);
  });
});
