// Liveness, readiness and startup probes through the real kubectl 1.32 against
// a sim cluster on a ManualClock: the kubernetes.io probe tutorials' pods, the
// events and describe lines they print, readiness gating READY and Endpoints.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../clock";
import { advanceClock, rows, startKubectlCluster, type KubectlCluster } from "../test-kubectl";
import type { Container } from "../types";
import { ContainerProbes, type ProbeKind, type ProbeOutcome } from "./probes";

let h: KubectlCluster;

beforeAll(async () => {
  h = await startKubectlCluster("learner-probes");
});

afterAll(async () => {
  await h.close();
});

const advance = (ms: number): Promise<void> => advanceClock(h.clock, ms, 100);

async function apply(manifest: string): Promise<void> {
  const applied = await h.kubectlWithInput(manifest, "apply", "-f", "-");
  expect(applied.stderr).toBe("");
}

/** NAME READY STATUS RESTARTS of one pod, as `kubectl get pod` prints them. */
async function podRow(name: string): Promise<string[]> {
  const got = await h.kubectl("get", "pod", name, "--no-headers");
  expect(got.stderr).toBe("");
  return (rows(got.stdout)[0] ?? []).slice(0, 4);
}

async function describePod(name: string): Promise<string> {
  const described = await h.kubectl("describe", "pod", name);
  expect(described.stderr).toBe("");
  return described.stdout;
}

async function jsonpath(args: string[], path: string): Promise<string> {
  return (await h.kubectl("get", ...args, "-o", `jsonpath=${path}`)).stdout;
}

/**
 * A pod's events of `reason` as `kubectl get events` returns them: message,
 * count and the seconds from first to last (describe's "xN over T", which
 * kubectl measures against the real clock, not the cluster's).
 */
async function events(pod: string, reason: string): Promise<{ message: string; count: number; over: number }[]> {
  const got = await h.kubectl("get", "events", "--field-selector", `involvedObject.name=${pod},reason=${reason}`, "-o", "json");
  const list = JSON.parse(got.stdout) as { items: { message: string; count: number; firstTimestamp: string; lastTimestamp: string }[] };
  return list.items.map((e) => ({ message: e.message, count: e.count, over: (Date.parse(e.lastTimestamp) - Date.parse(e.firstTimestamp)) / 1000 }));
}

describe("liveness probes", () => {
  it("restarts the liveness exec tutorial's container once /tmp/healthy is gone", async () => {
    await apply(`apiVersion: v1
kind: Pod
metadata:
  labels:
    test: liveness
  name: liveness-exec
spec:
  containers:
  - name: liveness
    image: registry.k8s.io/busybox:1.27.2
    args:
    - /bin/sh
    - -c
    - touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600
    livenessProbe:
      exec:
        command:
        - cat
        - /tmp/healthy
      initialDelaySeconds: 5
      periodSeconds: 5
`);
    await advance(30_000);
    expect(await podRow("liveness-exec")).toEqual(["liveness-exec", "1/1", "Running", "0"]);
    let described = await describePod("liveness-exec");
    expect(described).toMatch(/^ {4}Liveness:\s+exec \[cat \/tmp\/healthy\] delay=5s timeout=1s period=5s #success=1 #failure=3$/m);
    expect(described).not.toContain("Unhealthy");

    // The file goes at 31 s; probes at 36, 41 and 46 s fail, the third kills the container.
    await advance(17_000);
    described = await describePod("liveness-exec");
    expect(described).toMatch(/^ {2}Warning\s+Unhealthy\s+\S+ \(x3 over \S+\)\s+kubelet\s+Liveness probe failed: cat: can't open '\/tmp\/healthy': No such file or directory$/m);
    // The exec output keeps its newline in the event, as upstream (describe trims it).
    expect(await events("liveness-exec", "Unhealthy")).toEqual([{ message: "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory\n", count: 3, over: 10 }]);
    expect(described).toMatch(/^ {2}Normal\s+Killing\s+\S+\s+kubelet\s+Container liveness failed liveness probe, will be restarted$/m);
    expect(await podRow("liveness-exec")).toEqual(["liveness-exec", "1/1", "Running", "0"]);

    // sh as PID 1 ignores SIGTERM: the kill lands after the 30 s grace period, as SIGKILL.
    await advance(31_000);
    const [name, ready, status, restarts] = await podRow("liveness-exec");
    expect([name, ready, status]).toEqual(["liveness-exec", "1/1", "Running"]);
    expect(restarts).toMatch(/^1 \(\d+s ago\)$/);
    described = await describePod("liveness-exec");
    expect(described).toMatch(/^ {4}Last State:\s+Terminated\n {6}Reason:\s+Error\n {6}Exit Code:\s+137$/m);
    expect(described).toMatch(/^ {4}Restart Count:\s+1$/m);
  });

  it("fails an HTTP liveness probe on a path the server does not serve (404) and restarts nginx", async () => {
    await apply(`apiVersion: v1
kind: Pod
metadata:
  name: web-live
spec:
  containers:
  - name: web
    image: nginx:1.27
    livenessProbe:
      httpGet:
        path: /healthz
        port: 80
      initialDelaySeconds: 3
      periodSeconds: 3
`);
    await advance(12_000);
    const described = await describePod("web-live");
    expect(described).toMatch(/^ {4}Liveness:\s+http-get http:\/\/:80\/healthz delay=3s timeout=1s period=3s #success=1 #failure=3$/m);
    expect(described).toMatch(/^ {2}Warning\s+Unhealthy\s+\S+ \(x3 over \S+\)\s+kubelet\s+Liveness probe failed: HTTP probe failed with statuscode: 404$/m);
    expect(await events("web-live", "Unhealthy")).toEqual([{ message: "Liveness probe failed: HTTP probe failed with statuscode: 404", count: 3, over: 6 }]);
    expect(described).toMatch(/^ {2}Normal\s+Killing\s+\S+\s+kubelet\s+Container web failed liveness probe, will be restarted$/m);
    // nginx stops on SIGTERM: exit 0, restarted at once.
    expect(described).toMatch(/^ {4}Last State:\s+Terminated\n {6}Reason:\s+Completed\n {6}Exit Code:\s+0$/m);
    expect(await jsonpath(["pod", "web-live"], "{.status.containerStatuses[0].restartCount}")).toBe("1");
  });

  it("runs the liveness HTTP tutorial: agnhost answers /healthz with 500 after 10 s", async () => {
    await apply(`apiVersion: v1
kind: Pod
metadata:
  labels:
    test: liveness
  name: liveness-http
spec:
  containers:
  - name: liveness
    image: registry.k8s.io/e2e-test-images/agnhost:2.40
    args:
    - liveness
    livenessProbe:
      httpGet:
        path: /healthz
        port: 8080
        httpHeaders:
        - name: Custom-Header
          value: Awesome
      initialDelaySeconds: 3
      periodSeconds: 3
`);
    // Started at about 2 s (the pull); probes at 3, 6 and 9 s pass, 12, 15 and 18 s get 500.
    await advance(10_000);
    expect(await describePod("liveness-http")).not.toContain("Unhealthy");
    await advance(11_000);
    const described = await describePod("liveness-http");
    expect(described).toMatch(/^ {2}Warning\s+Unhealthy\s+\S+ \(x3 over \S+\)\s+kubelet\s+Liveness probe failed: HTTP probe failed with statuscode: 500$/m);
    expect(await events("liveness-http", "Unhealthy")).toEqual([{ message: "Liveness probe failed: HTTP probe failed with statuscode: 500", count: 3, over: 6 }]);
    expect(described).toMatch(/Container liveness failed liveness probe, will be restarted$/m);
    expect(await jsonpath(["pod", "liveness-http"], "{.status.containerStatuses[0].restartCount}")).toBe("1");
  });
});

describe("readiness probes", () => {
  it("keeps the pod out of READY and the Service's endpoints until the probe passes", async () => {
    await apply(`apiVersion: v1
kind: Pod
metadata:
  name: gated
  labels:
    app: gated
spec:
  containers:
  - name: web
    image: nginx:1.27
    ports:
    - containerPort: 80
    readinessProbe:
      exec:
        command: ["cat", "/tmp/ready"]
      periodSeconds: 2
---
apiVersion: v1
kind: Service
metadata:
  name: gated
spec:
  selector:
    app: gated
  ports:
  - port: 80
`);
    await advance(6_000);
    expect(await podRow("gated")).toEqual(["gated", "0/1", "Running", "0"]);
    const ip = await jsonpath(["pod", "gated"], "{.status.podIP}");
    expect(await jsonpath(["endpoints", "gated"], "{.subsets[*].addresses[*].ip}")).toBe("");
    expect(await jsonpath(["endpoints", "gated"], "{.subsets[*].notReadyAddresses[*].ip}")).toBe(ip);
    let described = await describePod("gated");
    expect(described).toMatch(/^ {4}Readiness:\s+exec \[cat \/tmp\/ready\] delay=0s timeout=1s period=2s #success=1 #failure=3$/m);
    expect(described).toMatch(/^ {2}Warning\s+Unhealthy\s+\S+ \(x3 over \S+\)\s+kubelet\s+Readiness probe failed: cat: \/tmp\/ready: No such file or directory$/m);
    expect(described).toMatch(/^ {2}Ready\s+False\s*$/m);
    expect(described).not.toContain("Killing");

    expect((await h.kubectl("exec", "gated", "--", "touch", "/tmp/ready")).code).toBe(0);
    await advance(2_000);
    expect(await podRow("gated")).toEqual(["gated", "1/1", "Running", "0"]);
    expect(await jsonpath(["endpoints", "gated"], "{.subsets[*].addresses[*].ip}")).toBe(ip);
    described = await describePod("gated");
    expect(described).toMatch(/^ {2}Ready\s+True\s*$/m);

    // Three failures in a row take it out again; nothing restarts.
    expect((await h.kubectl("exec", "gated", "--", "rm", "/tmp/ready")).code).toBe(0);
    await advance(4_000);
    expect(await podRow("gated")).toEqual(["gated", "1/1", "Running", "0"]);
    await advance(2_000);
    expect(await podRow("gated")).toEqual(["gated", "0/1", "Running", "0"]);
    expect(await jsonpath(["endpoints", "gated"], "{.subsets[*].addresses[*].ip}")).toBe("");
  });

  it("runs the TCP tutorial's goproxy: not ready until the first probe after 15 s", async () => {
    await apply(`apiVersion: v1
kind: Pod
metadata:
  name: goproxy
  labels:
    app: goproxy
spec:
  containers:
  - name: goproxy
    image: registry.k8s.io/goproxy:0.1
    ports:
    - containerPort: 8080
    readinessProbe:
      tcpSocket:
        port: 8080
      initialDelaySeconds: 15
      periodSeconds: 10
    livenessProbe:
      tcpSocket:
        port: 8080
      initialDelaySeconds: 15
      periodSeconds: 10
`);
    await advance(10_000);
    expect(await podRow("goproxy")).toEqual(["goproxy", "0/1", "Running", "0"]);
    await advance(12_000);
    expect(await podRow("goproxy")).toEqual(["goproxy", "1/1", "Running", "0"]);
    const described = await describePod("goproxy");
    expect(described).toMatch(/^ {4}Liveness:\s+tcp-socket :8080 delay=15s timeout=1s period=10s #success=1 #failure=3$/m);
    expect(described).toMatch(/^ {4}Readiness:\s+tcp-socket :8080 delay=15s timeout=1s period=10s #success=1 #failure=3$/m);
    expect(described).not.toContain("Unhealthy");
  });

  it("reports a refused TCP port and an unknown port name as upstream does", async () => {
    await apply(`apiVersion: v1
kind: Pod
metadata:
  name: wrong-ports
spec:
  containers:
  - name: web
    image: nginx:1.27
    ports:
    - name: http
      containerPort: 80
    readinessProbe:
      tcpSocket:
        port: 8080
      periodSeconds: 5
    livenessProbe:
      httpGet:
        path: /
        port: web
      periodSeconds: 5
`);
    await advance(8_000);
    const ip = await jsonpath(["pod", "wrong-ports"], "{.status.podIP}");
    const described = await describePod("wrong-ports");
    expect(described).toContain(`Readiness probe failed: dial tcp ${ip}:8080: connect: connection refused`);
    // A probe that cannot run is an error, not a failure: the container is not killed for it.
    expect(described).toContain('Liveness probe errored and resulted in unknown state: strconv.Atoi: parsing "web": invalid syntax');
    expect(described).not.toContain("Killing");
    expect(await podRow("wrong-ports")).toEqual(["wrong-ports", "0/1", "Running", "0"]);

    // A named port that exists resolves to its number.
    await apply(`apiVersion: v1
kind: Pod
metadata:
  name: named-port
spec:
  containers:
  - name: web
    image: nginx:1.27
    ports:
    - name: http
      containerPort: 80
    readinessProbe:
      httpGet:
        path: /
        port: http
`);
    await advance(4_000);
    expect(await podRow("named-port")).toEqual(["named-port", "1/1", "Running", "0"]);
    expect(await describePod("named-port")).toMatch(/^ {4}Readiness:\s+http-get http:\/\/:http\/ delay=0s timeout=1s period=10s #success=1 #failure=3$/m);
  });
});

describe("probe specs", () => {
  it("times out an exec probe after timeoutSeconds of clock", async () => {
    await apply(`apiVersion: v1
kind: Pod
metadata:
  name: slow-check
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: ["sleep", "3600"]
    readinessProbe:
      exec:
        command: ["sleep", "5"]
      timeoutSeconds: 2
      periodSeconds: 5
`);
    await advance(6_000);
    expect(await podRow("slow-check")).toEqual(["slow-check", "0/1", "Running", "0"]);
    expect(await events("slow-check", "Unhealthy")).toEqual([{ message: 'Readiness probe failed: command "sleep 5" timed out', count: 1, over: 0 }]);
  });

  it("fills in upstream's defaults and rejects a probe without a handler or a liveness successThreshold above 1", async () => {
    await apply(`apiVersion: v1
kind: Pod
metadata:
  name: defaults
spec:
  containers:
  - name: web
    image: nginx:1.27
    livenessProbe:
      httpGet:
        port: 80
`);
    const probe = await jsonpath(["pod", "defaults"], "{.spec.containers[0].livenessProbe}");
    expect(JSON.parse(probe)).toEqual({ httpGet: { path: "/", port: 80, scheme: "HTTP" }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
    const bad = await h.kubectlWithInput(
      `apiVersion: v1
kind: Pod
metadata:
  name: bad-probe
spec:
  containers:
  - name: web
    image: nginx:1.27
    livenessProbe:
      periodSeconds: 5
    startupProbe:
      tcpSocket:
        port: 80
      successThreshold: 2
`,
      "apply",
      "-f",
      "-",
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      'The Pod "bad-probe" is invalid: \n* spec.containers[0].livenessProbe: Required value: must specify a handler type\n* spec.containers[0].startupProbe.successThreshold: Invalid value: 2: must be 1\n',
    );
  });
});

describe("startup probes", () => {
  it("holds back liveness until the startup probe passes, then marks the container started", async () => {
    await apply(`apiVersion: v1
kind: Pod
metadata:
  name: slow-start
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: ["sh", "-c", "sleep 8; touch /tmp/started; sleep 3600"]
    startupProbe:
      exec:
        command: ["cat", "/tmp/started"]
      periodSeconds: 2
      failureThreshold: 10
    livenessProbe:
      exec:
        command: ["cat", "/tmp/started"]
      periodSeconds: 2
`);
    await advance(6_000);
    expect(await podRow("slow-start")).toEqual(["slow-start", "0/1", "Running", "0"]);
    expect(await jsonpath(["pod", "slow-start"], "{.status.containerStatuses[0].started}")).toBe("false");
    let described = await describePod("slow-start");
    expect(described).toMatch(/^ {4}Startup:\s+exec \[cat \/tmp\/started\] delay=0s timeout=1s period=2s #success=1 #failure=10$/m);
    expect(described).toMatch(/Startup probe failed: cat: can't open '\/tmp\/started': No such file or directory$/m);
    expect(described).not.toContain("Liveness probe failed");

    await advance(6_000);
    expect(await podRow("slow-start")).toEqual(["slow-start", "1/1", "Running", "0"]);
    expect(await jsonpath(["pod", "slow-start"], "{.status.containerStatuses[0].started}")).toBe("true");
    described = await describePod("slow-start");
    expect(described).not.toContain("Liveness probe failed");
    expect(described).not.toContain("Killing");
  });

  it("kills a container whose startup probe keeps failing", async () => {
    await apply(`apiVersion: v1
kind: Pod
metadata:
  name: never-starts
spec:
  containers:
  - name: web
    image: nginx:1.27
    startupProbe:
      httpGet:
        port: 8080
      periodSeconds: 2
      failureThreshold: 3
    livenessProbe:
      httpGet:
        path: /healthz
        port: 80
      periodSeconds: 2
`);
    await advance(5_500);
    const ip = await jsonpath(["pod", "never-starts"], "{.status.podIP}");
    const described = await describePod("never-starts");
    expect(described).toMatch(/^ {4}Startup:\s+http-get http:\/\/:8080\/ delay=0s timeout=1s period=2s #success=1 #failure=3$/m);
    expect(described).toContain(`Startup probe failed: Get "http://${ip}:8080/": dial tcp ${ip}:8080: connect: connection refused`);
    expect(described).toMatch(/^ {2}Normal\s+Killing\s+\S+\s+kubelet\s+Container web failed startup probe, will be restarted$/m);
    expect(described).not.toContain("Liveness probe failed");
    await advance(1_000);
    expect(await jsonpath(["pod", "never-starts"], "{.status.containerStatuses[0].restartCount}")).toBe("1");
  });
});

describe("probe workers (ManualClock)", () => {
  /** Workers for `container` whose checks answer from `answers` (by probe kind), recording when they ran and what settled. */
  function workers(container: Container, answers: Partial<Record<ProbeKind, () => ProbeOutcome>>) {
    const clock = new ManualClock(0);
    const checks: string[] = [];
    const settled: string[] = [];
    const probes = new ContainerProbes(container, 0, {
      clock,
      run: (_spec, kind) => {
        checks.push(`${clock.now() / 1000}s ${kind}`);
        return Promise.resolve((answers[kind] ?? (() => ({ result: "success" }) as const))());
      },
      unhealthy: () => undefined,
      settled: (kind, ok) => settled.push(`${clock.now() / 1000}s ${kind} ${ok ? "ok" : "failed"}`),
    });
    const step = async (ms: number): Promise<void> => {
      for (let t = 0; t < ms; t += 500) {
        clock.advance(500);
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    return { probes, checks, settled, step };
  }

  it("waits initialDelaySeconds, ticks every periodSeconds and needs successThreshold passes in a row", async () => {
    const w = workers({ name: "c", readinessProbe: { exec: { command: ["true"] }, initialDelaySeconds: 5, periodSeconds: 3, successThreshold: 2 } }, {});
    await w.step(13_000);
    w.probes.stop();
    expect(w.checks).toEqual(["6s readiness", "9s readiness", "12s readiness"]);
    expect(w.settled).toEqual(["9s readiness ok"]);
  });

  it("settles a liveness failure only after failureThreshold failures, then holds", async () => {
    let healthy = true;
    const w = workers({ name: "c", livenessProbe: { exec: { command: ["check"] }, periodSeconds: 2, failureThreshold: 2 } }, { liveness: () => (healthy ? { result: "success" } : { result: "failure", output: "no" }) });
    await w.step(3_000);
    healthy = false;
    await w.step(8_000);
    w.probes.stop();
    expect(w.checks).toEqual(["0s liveness", "2s liveness", "4s liveness", "6s liveness"]);
    expect(w.settled).toEqual(["6s liveness failed"]);
  });

  it("runs only the startup probe until it passes, then readiness at once and liveness on its ticks", async () => {
    let up = false;
    const exec = { command: ["cat", "/tmp/up"] };
    const w = workers(
      { name: "c", startupProbe: { exec, periodSeconds: 1, failureThreshold: 30 }, livenessProbe: { tcpSocket: { port: 80 }, periodSeconds: 4 }, readinessProbe: { httpGet: { port: 80 }, periodSeconds: 4 } },
      { startup: () => (up ? { result: "success" } : { result: "failure", output: "" }) },
    );
    await w.step(2_500);
    up = true;
    await w.step(6_000);
    w.probes.stop();
    expect(w.checks).toEqual(["0s startup", "1s startup", "2s startup", "3s startup", "3s readiness", "4s liveness", "4s readiness", "8s liveness", "8s readiness"]);
    expect(w.settled).toEqual(["3s startup ok", "3s readiness ok"]);
  });
});
