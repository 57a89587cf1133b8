// The course's graded "do"s of lessons 13-17 (../shared/course/SYLLABUS.md):
// scheduling, self-healing, batch, access control, operating the control
// plane. One `it` per "do", typed with the real kubectl 1.32 against one sim
// cluster on a ManualClock, asserting what the learner sees.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Pod } from "../types";
import { describedEvents, describedField, expectOutput, expectRows, lines, readyPods, startScenario, type Scenario } from "./harness";

let s: Scenario;

beforeAll(async () => {
  s = await startScenario("learner-syllabus-operations");
});
afterAll(async () => s.close());

const pod = (name: string): Pod | undefined => s.pods().find((p) => p.metadata.name === name);
/** The cpu request of a pod's first container, as written in its spec. */
const cpuRequest = (p: Pod | undefined): string | undefined => (p?.spec.containers[0]?.resources as { requests?: { cpu?: string } } | undefined)?.requests?.cpu;
const running = (name: string) => (): boolean => pod(name)?.status?.phase === "Running";
/** The scheduler's message on a Pending pod, as `kubectl describe` shows it. */
const failedScheduling = async (name: string): Promise<string[]> =>
  describedEvents(await s.ok("describe", "pod", name))
    .filter(([, reason]) => reason === "FailedScheduling")
    .map(([type, , from, message]) => `${type} ${from}: ${message}`);

describe("lesson 13: scheduling and resources", () => {
  it("place a pod on a labelled node (nodeSelector, node affinity)", async () => {
    expectOutput(await s.kubectl("label", "node", "node02", "disktype=ssd"), "node/node02 labeled\n");
    const selected = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: fast\nspec:\n  nodeSelector:\n    disktype: ssd\n  containers:\n  - name: app\n    image: nginx\n";
    expectOutput(await s.kubectlWithInput(selected, "apply", "-f", "-"), "pod/fast created\n");
    const affinity = `apiVersion: v1
kind: Pod
metadata:
  name: fast-affinity
spec:
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
        - matchExpressions:
          - key: disktype
            operator: In
            values: [ssd, nvme]
  containers:
  - name: app
    image: nginx
`;
    expectOutput(await s.kubectlWithInput(affinity, "apply", "-f", "-"), "pod/fast-affinity created\n");
    await s.settle("both running", () => running("fast")() && running("fast-affinity")());
    const wide = lines(await s.ok("get", "pods", "fast", "fast-affinity", "-o", "wide")).slice(1);
    expect(wide.map((l) => [l.split(/\s+/)[0], l.split(/\s+/)[6]])).toEqual([
      ["fast", "node02"],
      ["fast-affinity", "node02"],
    ]);
    expect(describedEvents(await s.ok("describe", "pod", "fast"))[0]).toEqual(["Normal", "Scheduled", "default-scheduler", "Successfully assigned default/fast to node02"]);
  });

  it("fix a Pending pod: no node matches its selector", async () => {
    const picky = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: picky\nspec:\n  nodeSelector:\n    gpu: \"true\"\n  containers:\n  - name: app\n    image: nginx\n";
    await s.okWithInput(picky, "apply", "-f", "-");
    await s.advance(2000);
    expectRows(await s.ok("get", "pod", "picky"), ["NAME    READY   STATUS    RESTARTS   AGE", "picky   0/1     Pending   0          <AGE>"]);
    expect(await failedScheduling("picky")).toEqual([
      "Warning default-scheduler: 0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    ]);
    expectOutput(await s.kubectl("label", "node", "node01", "gpu=true"), "node/node01 labeled\n");
    await s.settle("picky running", running("picky"));
    expect(pod("picky")?.spec.nodeName).toBe("node01");
  });

  it("fix a Pending pod: it requests more CPU than any node has", async () => {
    expectOutput(await s.kubectl("create", "deployment", "greedy", "--image=nginx"), "deployment.apps/greedy created\n");
    expectOutput(await s.kubectl("set", "resources", "deployment", "greedy", "--requests=cpu=3"), "deployment.apps/greedy resource requirements updated\n");
    await s.advance(3000);
    const pending = s.pods({ app: "greedy" }).find((p) => p.status?.phase === "Pending" && cpuRequest(p) === "3");
    expect(pending).toBeDefined();
    expect(await failedScheduling(pending?.metadata.name ?? "")).toEqual([
      "Warning default-scheduler: 0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.",
    ]);
    expectOutput(await s.kubectl("set", "resources", "deployment", "greedy", "--requests=cpu=250m"), "deployment.apps/greedy resource requirements updated\n");
    await s.settle("greedy running with a sane request", () => readyPods(s, { app: "greedy" }, 1)() && cpuRequest(s.pods({ app: "greedy" })[0]) === "250m");
    expectRows(await s.ok("get", "deployment", "greedy"), ["NAME     READY   UP-TO-DATE   AVAILABLE   AGE", "greedy   1/1     1            1           <AGE>"]);
  });

  it("taints keep pods off a node unless they tolerate them", async () => {
    expectOutput(await s.kubectl("taint", "nodes", "node01", "dedicated=batch:NoSchedule"), "node/node01 tainted\n");
    expect(describedField(await s.ok("describe", "node", "node01"), "Taints")).toBe("dedicated=batch:NoSchedule");
    const tolerant = `apiVersion: v1
kind: Pod
metadata:
  name: batch-worker
spec:
  nodeSelector:
    gpu: "true"
  tolerations:
  - key: dedicated
    operator: Equal
    value: batch
    effect: NoSchedule
  containers:
  - name: app
    image: nginx
`;
    await s.okWithInput(tolerant, "apply", "-f", "-");
    await s.okWithInput(tolerant.replace("name: batch-worker", "name: intolerant").replace(/ {2}tolerations:\n( {4}.*\n| {2}- .*\n)+/, ""), "apply", "-f", "-");
    await s.settle("batch-worker running", running("batch-worker"));
    await s.advance(2000);
    expect(pod("batch-worker")?.spec.nodeName).toBe("node01");
    expect(pod("intolerant")?.status?.phase).toBe("Pending");
    expect(await failedScheduling("intolerant")).toEqual([
      "Warning default-scheduler: 0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: batch}, 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    ]);
    expectOutput(await s.kubectl("taint", "nodes", "node01", "dedicated=batch:NoSchedule-"), "node/node01 untainted\n");
    await s.settle("intolerant scheduled once the taint is gone", running("intolerant"));
    for (const name of ["fast", "fast-affinity", "picky", "batch-worker", "intolerant"]) await s.ok("delete", "pod", name, "--wait=false");
    await s.ok("delete", "deployment", "greedy");
  });
});

describe("lesson 14: self-healing", () => {
  const probed = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: probed
spec:
  replicas: 1
  selector:
    matchLabels:
      app: probed
  template:
    metadata:
      labels:
        app: probed
    spec:
      containers:
      - name: web
        image: nginx:1.27
        livenessProbe:
          httpGet:
            path: /healthz
            port: 80
          periodSeconds: 5
          failureThreshold: 3
        readinessProbe:
          httpGet:
            path: /
            port: 8080
          periodSeconds: 5
`;

  it("fix a failing probe: a liveness probe on a missing path restarts the container, a readiness probe on the wrong port keeps it out of the Service", async () => {
    expectOutput(await s.kubectlWithInput(probed, "apply", "-f", "-"), "deployment.apps/probed created\n");
    expectOutput(await s.kubectl("expose", "deployment", "probed", "--port=80"), "service/probed exposed\n");
    const restarted = (): boolean => {
      const status = s.pods({ app: "probed" })[0]?.status?.containerStatuses?.[0];
      return (status?.restartCount ?? 0) >= 1 && status?.state?.running !== undefined;
    };
    await s.settle("the liveness probe restarts the container", restarted, 60_000);
    const [name = ""] = s.pods({ app: "probed" }).map((p) => p.metadata.name ?? "");
    const row = lines(await s.ok("get", "pod", name))[1] ?? "";
    expect(row).toMatch(new RegExp(`^${name}\\s+0/1\\s+Running\\s+1 \\(\\d+s ago\\)\\s+\\S+$`));
    const ip = pod(name)?.status?.podIP ?? "";
    const events = describedEvents(await s.ok("describe", "pod", name)).map(([type, reason, from, message]) => `${type} ${reason} ${from}: ${message}`);
    expect(events).toEqual(
      expect.arrayContaining([
        "Warning Unhealthy kubelet: Liveness probe failed: HTTP probe failed with statuscode: 404",
        "Normal Killing kubelet: Container web failed liveness probe, will be restarted",
        `Warning Unhealthy kubelet: Readiness probe failed: Get "http://${ip}:8080/": dial tcp ${ip}:8080: connect: connection refused`,
      ]),
    );
    expectRows(await s.ok("get", "endpoints", "probed"), ["NAME     ENDPOINTS   AGE", "probed               <AGE>"]);

    const fixed = probed.replace("path: /healthz", "path: /").replace("port: 8080", "port: 80");
    expectOutput(await s.kubectlWithInput(fixed, "apply", "-f", "-"), "deployment.apps/probed configured\n");
    const status = await s.waiting(s.kubectl("rollout", "status", "deployment/probed"));
    expect(lines(status.stdout).at(-1)).toBe('deployment "probed" successfully rolled out');
    await s.settle("the old pod gone", readyPods(s, { app: "probed" }, 1));
    await s.advance(60_000, 1000);
    const [healthy] = s.pods({ app: "probed" });
    expect(lines(await s.ok("get", "pod", healthy?.metadata.name ?? ""))[1]).toMatch(/^\S+\s+1\/1\s+Running\s+0\s+\S+$/);
    expectRows(await s.ok("get", "endpoints", "probed"), ["NAME     ENDPOINTS         AGE", `probed   ${healthy?.status?.podIP ?? ""}:80   <AGE>`]);
  });

  it("a crashing container: CrashLoopBackOff with growing back-off, logs --previous", async () => {
    expectOutput(await s.kubectl("run", "crasher", "--image=busybox", "--", "sh", "-c", "echo starting; exit 1"), "pod/crasher created\n");
    await s.settle("crasher in CrashLoopBackOff", () => pod("crasher")?.status?.containerStatuses?.[0]?.state?.waiting?.reason === "CrashLoopBackOff");
    expect(lines(await s.ok("get", "pod", "crasher"))[1]).toMatch(/^crasher\s+0\/1\s+CrashLoopBackOff\s+\d+ \(\d+s ago\)\s+\S+$/);
    expect(await s.ok("logs", "crasher", "--previous")).toBe("starting\n");
    const backOff = describedEvents(await s.ok("describe", "pod", "crasher")).find(([, reason]) => reason === "BackOff");
    expect(backOff).toEqual(["Warning", "BackOff", "kubelet", `Back-off restarting failed container crasher in pod crasher_default(${pod("crasher")?.metadata.uid ?? ""})`]);
    await s.ok("delete", "pod", "crasher", "--wait=false");
  });

  it("cordon and drain a node and see pods move", async () => {
    expectOutput(await s.kubectl("create", "deployment", "spread", "--image=nginx", "--replicas=4"), "deployment.apps/spread created\n");
    await s.settle("4 spread pods", readyPods(s, { app: "spread" }, 4));
    const onNode01 = s.pods({ app: "spread" }).filter((p) => p.spec.nodeName === "node01").map((p) => p.metadata.name ?? "");
    expect(onNode01.length).toBeGreaterThan(0);
    expectOutput(await s.kubectl("cordon", "node01"), "node/node01 cordoned\n");
    expect(lines(await s.ok("get", "node", "node01"))[1]).toMatch(/^node01\s+Ready,SchedulingDisabled\s+<none>\s+\S+\s+v1\.32\.3$/);
    const drained = await s.waiting(s.kubectl("drain", "node01", "--ignore-daemonsets", "--delete-emptydir-data"));
    expect(drained.code).toBe(0);
    expect(drained.stderr).toMatch(/^Warning: ignoring DaemonSet-managed Pods: kube-system\/kube-proxy-[a-z0-9]{5}\n$/);
    const said = lines(drained.stdout);
    expect(said[0]).toBe("node/node01 already cordoned");
    expect(said.at(-1)).toBe("node/node01 drained");
    for (const name of onNode01) expect(said).toEqual(expect.arrayContaining([`evicting pod default/${name}`, `pod/${name} evicted`]));
    await s.settle("4 spread pods again", readyPods(s, { app: "spread" }, 4));
    expect(new Set(s.pods({ app: "spread" }).map((p) => p.spec.nodeName))).toEqual(new Set(["node02"]));
    expectOutput(await s.kubectl("uncordon", "node01"), "node/node01 uncordoned\n");
    expect(lines(await s.ok("get", "node", "node01"))[1]).toMatch(/^node01\s+Ready\s+<none>/);
    await s.ok("delete", "deployment", "spread");
  });
});

describe("lesson 15: jobs and batch", () => {
  it("run a job to completion", async () => {
    expectOutput(await s.kubectl("create", "job", "hello", "--image=busybox", "--", "sh", "-c", "echo Hello from the job"), "job.batch/hello created\n");
    await s.settle("hello complete", () => (s.get("batch", "jobs", "hello") as { status?: { succeeded?: number } } | undefined)?.status?.succeeded === 1);
    expect(lines(await s.ok("get", "job", "hello"))[1]).toMatch(/^hello\s+Complete\s+1\/1\s+\d+s\s+\S+$/);
    expect(await s.ok("logs", "job/hello")).toBe("Hello from the job\n");
    expect(lines(await s.ok("get", "pods", "-l", "job-name=hello", "--no-headers")).map((l) => l.split(/\s+/).slice(1, 3).join(" "))).toEqual(["0/1 Completed"]);
  });

  it("completions and parallelism", async () => {
    const job = `apiVersion: batch/v1
kind: Job
metadata:
  name: batch
spec:
  completions: 4
  parallelism: 2
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: work
        image: busybox
        command: ["sh", "-c", "echo working; sleep 5"]
`;
    expectOutput(await s.kubectlWithInput(job, "apply", "-f", "-"), "job.batch/batch created\n");
    await s.advance(2000);
    expect(s.pods({ "job-name": "batch" }).filter((p) => p.status?.phase === "Running" || p.status?.phase === "Pending")).toHaveLength(2);
    await s.settle("batch complete", () => (s.get("batch", "jobs", "batch") as { status?: { succeeded?: number } } | undefined)?.status?.succeeded === 4);
    expect(lines(await s.ok("get", "job", "batch"))[1]).toMatch(/^batch\s+Complete\s+4\/4\s+\d+s\s+\S+$/);
    expect(lines(await s.ok("get", "pods", "-l", "job-name=batch", "--no-headers"))).toHaveLength(4);
  });

  it("the kubernetes.io example Job: perl computes pi to 2000 places", async () => {
    const pi = `apiVersion: batch/v1
kind: Job
metadata:
  name: pi
spec:
  template:
    spec:
      containers:
      - name: pi
        image: perl:5.34.0
        command: ["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"]
      restartPolicy: Never
  backoffLimit: 4
`;
    expectOutput(await s.kubectlWithInput(pi, "apply", "-f", "-"), "job.batch/pi created\n");
    await s.settle("pi complete", () => (s.get("batch", "jobs", "pi") as { status?: { succeeded?: number } } | undefined)?.status?.succeeded === 1, 60_000);
    const digits = await s.ok("logs", "job/pi");
    // bpi(2000) is 2000 significant digits, the last one rounded (bpi(10) prints 3.141592654).
    expect(digits).toMatch(/^3\.14159265358979323846264338327950288419716939937510\d{1944}75901\n$/);
  });

  it("a cron job", async () => {
    expectOutput(await s.kubectl("create", "cronjob", "hello-cron", "--image=busybox", "--schedule=*/1 * * * *", "--", "sh", "-c", "date; echo Hello from the Kubernetes cluster"), "cronjob.batch/hello-cron created\n");
    expect(lines(await s.ok("get", "cronjob", "hello-cron"))[1]).toMatch(/^hello-cron\s+\*\/1 \* \* \* \*\s+<none>\s+False\s+0\s+<none>\s+\S+$/);
    const minute = Math.floor(s.clock.now() / 60_000) + 1;
    const job = `hello-cron-${minute}`;
    await s.settle("the scheduled job completes", () => (s.get("batch", "jobs", job) as { status?: { succeeded?: number } } | undefined)?.status?.succeeded === 1, 120_000);
    const out = lines(await s.ok("logs", `job/${job}`));
    expect(out[0]).toMatch(/^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d UTC 2026$/);
    expect(out[1]).toBe("Hello from the Kubernetes cluster");
    expect(lines(await s.ok("get", "cronjob", "hello-cron"))[1]).toMatch(/^hello-cron\s+\*\/1 \* \* \* \*\s+<none>\s+False\s+0\s+\d+s\s+\S+$/);
    const events = describedEvents(await s.ok("describe", "cronjob", "hello-cron")).map((e) => e.slice(1).join(" "));
    expect(events).toEqual(expect.arrayContaining([`SuccessfulCreate cronjob-controller Created job ${job}`, `SawCompletedJob cronjob-controller Saw completed job: ${job}, status: Complete`]));
    await s.ok("delete", "cronjob", "hello-cron");
  });
});

describe("lesson 16: access control", () => {
  const reader = "system:serviceaccount:default:reader";

  it("grant read-only access and prove it", async () => {
    expectOutput(await s.kubectl("create", "serviceaccount", "reader"), "serviceaccount/reader created\n");
    expectOutput(await s.kubectl("create", "role", "pod-reader", "--verb=get,list,watch", "--resource=pods,pods/log"), "role.rbac.authorization.k8s.io/pod-reader created\n");
    expectOutput(await s.kubectl("create", "rolebinding", "read-pods", "--role=pod-reader", "--serviceaccount=default:reader"), "rolebinding.rbac.authorization.k8s.io/read-pods created\n");
    expectRows(await s.ok("get", "rolebinding", "read-pods", "-o", "wide"), ["NAME        ROLE              AGE   USERS   GROUPS   SERVICEACCOUNTS", "read-pods   Role/pod-reader   <AGE>                    default/reader"]);

    expectOutput(await s.kubectl("auth", "can-i", "list", "pods", `--as=${reader}`), "yes\n");
    const no = await s.kubectl("auth", "can-i", "delete", "pods", `--as=${reader}`);
    expect({ stdout: no.stdout, code: no.code }).toEqual({ stdout: "no\n", code: 1 });
    expect((await s.kubectl("auth", "can-i", "list", "secrets", `--as=${reader}`)).stdout).toBe("no\n");

    // Prove it with the account's own token, as a program in a pod would use it.
    const token = (await s.ok("create", "token", "reader")).trim();
    expect(token.split(".")).toHaveLength(3);
    const asReader = (...args: string[]) => s.kubectl(`--token=${token}`, ...args);
    expect((await asReader("get", "pods")).code).toBe(0);
    expectOutput(await asReader("auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"), reader);
    const denied = await asReader("delete", "pod", "anything");
    expect({ code: denied.code, stderr: denied.stderr }).toEqual({ code: 1, stderr: `Error from server (Forbidden): pods "anything" is forbidden: User "${reader}" cannot delete resource "pods" in API group "" in the namespace "default"\n` });
    const elsewhere = await asReader("get", "pods", "-n", "kube-system");
    expect(elsewhere.stderr).toBe(`Error from server (Forbidden): pods is forbidden: User "${reader}" cannot list resource "pods" in API group "" in the namespace "kube-system"\n`);
    const secrets = await asReader("get", "secrets");
    expect(secrets.stderr).toBe(`Error from server (Forbidden): secrets is forbidden: User "${reader}" cannot list resource "secrets" in API group "" in the namespace "default"\n`);
  });
});

describe("lesson 17: operating the control plane", () => {
  const etcdctl = ["exec", "-n", "kube-system", "etcd-controlplane", "--", "etcdctl", "--endpoints=https://127.0.0.1:2379", "--cacert=/etc/kubernetes/pki/etcd/ca.crt", "--cert=/etc/kubernetes/pki/etcd/server.crt", "--key=/etc/kubernetes/pki/etcd/server.key"];

  it("take an etcd snapshot", async () => {
    const saved = await s.kubectl(...etcdctl, "snapshot", "save", "/var/lib/etcd/snapshot.db");
    expect({ code: saved.code, stdout: saved.stdout }).toEqual({ code: 0, stdout: "Snapshot saved at /var/lib/etcd/snapshot.db\n" });
    const status = await s.kubectl(...etcdctl, "snapshot", "status", "/var/lib/etcd/snapshot.db", "--write-out=table");
    expect(status.code).toBe(0);
    const table = lines(status.stdout);
    expect(table[1]).toMatch(/^\|\s+HASH\s+\|\s+REVISION\s+\|\s+TOTAL KEYS\s+\|\s+TOTAL SIZE\s+\|$/);
    const [, , revision = "0", keys = "0"] = (table[3] ?? "").split("|").map((c) => c.trim());
    expect(Number(revision)).toBeGreaterThan(0);
    expect(Number(keys)).toBeGreaterThan(0);
  });

  it("find a static pod", async () => {
    const owners = await s.ok("get", "pods", "-n", "kube-system", "-o", "custom-columns=NAME:.metadata.name,OWNER:.metadata.ownerReferences[0].kind,SOURCE:.metadata.annotations.kubernetes\\.io/config\\.source");
    const rows = lines(owners).map((l) => l.split(/\s+/));
    expect(rows.filter(([, owner]) => owner === "Node").map(([name, , source]) => `${name} ${source}`)).toEqual([
      "etcd-controlplane file",
      "kube-apiserver-controlplane file",
      "kube-controller-manager-controlplane file",
      "kube-scheduler-controlplane file",
    ]);
    const described = await s.ok("describe", "pod", "-n", "kube-system", "kube-scheduler-controlplane");
    expect(describedField(described, "Controlled By")).toBe("Node/controlplane");
    expect(lines(described).map((l) => l.trim())).toContain("kubernetes.io/config.source: file");
  });

  it("read metrics (kubectl top)", async () => {
    const nodes = lines(await s.ok("top", "nodes"));
    expect(nodes[0]?.split(/\s{2,}/)).toEqual(["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"]);
    expect(nodes.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(["controlplane", "node01", "node02"]);
    for (const row of nodes.slice(1)) expect(row).toMatch(/^\S+\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%$/);
    const pods = lines(await s.ok("top", "pods", "-n", "kube-system", "--sort-by=memory"));
    expect(pods[0]?.split(/\s{2,}/)).toEqual(["NAME", "CPU(cores)", "MEMORY(bytes)"]);
    expect(pods[1]).toMatch(/^kube-apiserver-controlplane\s+\d+m\s+\d+Mi$/);
    const containers = lines(await s.ok("top", "pod", "-n", "kube-system", "etcd-controlplane", "--containers"));
    expect(containers[0]?.split(/\s{2,}/)).toEqual(["POD", "NAME", "CPU(cores)", "MEMORY(bytes)"]);
    expect(containers[1]).toMatch(/^etcd-controlplane\s+etcd\s+\d+m\s+\d+Mi$/);
  });
});
