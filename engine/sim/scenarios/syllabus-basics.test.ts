// The course's graded "do"s of lessons 1-6 (../shared/course/SYLLABUS.md):
// one `it` per "do", typed with the real kubectl 1.32 against one sim cluster
// on a ManualClock, asserting what the learner sees.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Pod } from "../types";
import { describedField, expectOutput, expectRows, kubectlProxy, lines, readyPods, startScenario, type Scenario } from "./harness";

let s: Scenario;

beforeAll(async () => {
  s = await startScenario("learner-syllabus-basics");
});
afterAll(async () => s.close());

describe("lesson 1: why orchestration", () => {
  it("kubectl cluster-info", async () => {
    const server = await s.ok("config", "view", "-o", "jsonpath={.clusters[0].cluster.server}");
    expectOutput(
      await s.kubectl("cluster-info"),
      `Kubernetes control plane is running at ${server}\nCoreDNS is running at ${server}/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy\n\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n`,
    );
  });

  it("kubectl get nodes", async () => {
    expectRows(await s.ok("get", "nodes"), [
      "NAME           STATUS   ROLES           AGE   VERSION",
      "controlplane   Ready    control-plane   <AGE>   v1.32.3",
      "node01         Ready    <none>          <AGE>   v1.32.3",
      "node02         Ready    <none>          <AGE>   v1.32.3",
    ]);
  });

  it("run a first pod", async () => {
    expectOutput(await s.kubectl("run", "first", "--image=nginx"), "pod/first created\n");
    expectRows(await s.ok("get", "pods"), ["NAME    READY   STATUS              RESTARTS   AGE", "first   0/1     ContainerCreating   0          0s"]);
    await s.settle("first running", readyPods(s, { run: "first" }, 1));
    expectRows(await s.ok("get", "pods"), ["NAME    READY   STATUS    RESTARTS   AGE", "first   1/1     Running   0          <AGE>"]);
  });
});

describe("lesson 2: cluster architecture", () => {
  it("find the control-plane components in kube-system", async () => {
    const pods = lines(await s.ok("get", "pods", "-n", "kube-system", "--no-headers")).map((l) => l.split(/\s+/));
    const names = pods.map(([name = ""]) => name.replace(/-[a-z0-9]{5}$/, "-*").replace(/-[a-z0-9]{8,10}-\*$/, "-*"));
    expect(names).toEqual(expect.arrayContaining(["etcd-controlplane", "kube-apiserver-controlplane", "kube-controller-manager-controlplane", "kube-scheduler-controlplane", "coredns-*", "kube-proxy-*"]));
    expect(pods.every(([, ready, status]) => ready === "1/1" && status === "Running")).toBe(true);
    const components = await s.ok("get", "pods", "-n", "kube-system", "-l", "tier=control-plane", "-o", "custom-columns=COMPONENT:.metadata.labels.component,NODE:.spec.nodeName");
    expectRows(components, [
      "COMPONENT                 NODE",
      "etcd                      controlplane",
      "kube-apiserver            controlplane",
      "kube-controller-manager   controlplane",
      "kube-scheduler            controlplane",
    ]);
  });

  it("find which node a pod runs on", async () => {
    const node = await s.ok("get", "pod", "first", "-o", "jsonpath={.spec.nodeName}");
    expect(node).toMatch(/^node0[12]$/);
    const wide = lines(await s.ok("get", "pod", "first", "-o", "wide"));
    expect(wide[1]?.split(/\s+/)[6]).toBe(node);
    expect(describedField(await s.ok("describe", "pod", "first"), "Node")).toMatch(new RegExp(`^${node}/172\\.30\\.\\d+\\.\\d+$`));
  });

  it("label a node", async () => {
    expectOutput(await s.kubectl("label", "node", "node01", "disktype=ssd"), "node/node01 labeled\n");
    expectRows(await s.ok("get", "nodes", "-l", "disktype=ssd"), ["NAME     STATUS   ROLES    AGE   VERSION", "node01   Ready    <none>   <AGE>   v1.32.3"]);
    expect(lines(await s.ok("get", "node", "node01", "--show-labels"))[1]).toMatch(/\s(\S+,)?disktype=ssd,/);
  });
});

describe("lesson 3: talking to the cluster", () => {
  it("read a pod through the REST API: kubectl get --raw", async () => {
    const pod = JSON.parse(await s.ok("get", "--raw", "/api/v1/namespaces/default/pods/first")) as Pod;
    expect({ kind: pod.kind, apiVersion: pod.apiVersion, name: pod.metadata.name, phase: pod.status?.phase }).toEqual({ kind: "Pod", apiVersion: "v1", name: "first", phase: "Running" });
  });

  it("read a pod through the REST API: kubectl proxy + curl", async () => {
    const proxy = await kubectlProxy(s);
    try {
      const list = (await (await fetch(`${proxy.url}/api/v1/namespaces/default/pods`)).json()) as { kind: string; items: Pod[] };
      expect(list.kind).toBe("PodList");
      expect(list.items.map((p) => p.metadata.name)).toEqual(["first"]);
      const missing = await fetch(`${proxy.url}/api/v1/namespaces/default/pods/nope`);
      expect(missing.status).toBe(404);
      expect(await missing.json()).toMatchObject({ kind: "Status", reason: "NotFound", message: 'pods "nope" not found' });
    } finally {
      proxy.stop();
    }
  });

  it("create and delete objects", async () => {
    const manifest = await s.file("greeting.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: greeting\ndata:\n  message: hello\n");
    expectOutput(await s.kubectl("create", "-f", manifest), "configmap/greeting created\n");
    const again = await s.kubectl("create", "-f", manifest);
    expect({ code: again.code, stderr: again.stderr }).toEqual({ code: 1, stderr: 'Error from server (AlreadyExists): error when creating "' + manifest + '": configmaps "greeting" already exists\n' });
    expectRows(await s.ok("get", "configmap", "greeting"), ["NAME       DATA   AGE", "greeting   1      <AGE>"]);
    expectOutput(await s.kubectl("delete", "-f", manifest), 'configmap "greeting" deleted\n');
    expect((await s.kubectl("get", "configmap", "greeting")).stderr).toBe('Error from server (NotFound): configmaps "greeting" not found\n');
  });
});

const SIDECAR_POD = `apiVersion: v1
kind: Pod
metadata:
  name: web-with-puller
spec:
  volumes:
  - name: html
    emptyDir: {}
  containers:
  - name: web
    image: nginx
    volumeMounts:
    - name: html
      mountPath: /usr/share/nginx/html
  - name: puller
    image: busybox
    command: ["sh", "-c", "while true; do echo \\"content pulled at $(date)\\" > /data/index.html; sleep 10; done"]
    volumeMounts:
    - name: html
      mountPath: /data
`;

const LIMITED_POD = `apiVersion: v1
kind: Pod
metadata:
  name: limited
spec:
  containers:
  - name: app
    image: nginx
    resources:
      requests:
        cpu: 100m
        memory: 64Mi
      limits:
        cpu: 200m
        memory: 128Mi
`;

describe("lesson 4: pods", () => {
  it("a two-container pod sharing an emptyDir (a data puller beside a web server)", async () => {
    expectOutput(await s.kubectlWithInput(SIDECAR_POD, "apply", "-f", "-"), "pod/web-with-puller created\n");
    await s.settle("web-with-puller ready", () => s.pods().some((p) => p.metadata.name === "web-with-puller" && p.status?.containerStatuses?.every((c) => c.ready) === true));
    expectRows(await s.ok("get", "pod", "web-with-puller"), ["NAME              READY   STATUS    RESTARTS   AGE", "web-with-puller   2/2     Running   0          <AGE>"]);
    // One network namespace: the web server answers on localhost from the puller's side too, with the puller's file.
    const served = await s.ok("exec", "web-with-puller", "-c", "web", "--", "curl", "-s", "http://localhost/");
    expect(served).toMatch(/^content pulled at \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d UTC 2026\n$/);
    expect(await s.ok("exec", "web-with-puller", "-c", "puller", "--", "cat", "/data/index.html")).toBe(served);
    const ip = await s.ok("get", "pod", "web-with-puller", "-o", "jsonpath={.status.podIP}");
    expect(await s.ok("exec", "web-with-puller", "-c", "puller", "--", "wget", "-qO-", `http://${ip}/`)).toBe(served);
  });

  it("a pod with requests and limits", async () => {
    expectOutput(await s.kubectlWithInput(LIMITED_POD, "apply", "-f", "-"), "pod/limited created\n");
    await s.settle("limited running", () => s.pods().some((p) => p.metadata.name === "limited" && p.status?.phase === "Running"));
    const described = lines(await s.ok("describe", "pod", "limited")).map((l) => l.trim());
    const at = described.indexOf("Limits:");
    expect(described.slice(at, at + 6)).toEqual(["Limits:", "cpu:     200m", "memory:  128Mi", "Requests:", "cpu:        100m", "memory:     64Mi"]);
    expect(described).toContain("QoS Class:                   Burstable");
    expect(await s.ok("get", "pod", "limited", "-o", "jsonpath={.status.qosClass}")).toBe("Burstable");
  });

  it("exec and logs", async () => {
    expect(lines(await s.ok("exec", "web-with-puller", "-c", "web", "--", "ls", "/usr/share/nginx/html"))).toEqual(["index.html"]);
    expect(await s.ok("exec", "first", "--", "hostname")).toBe("first\n");
    const logs = lines(await s.ok("logs", "first"));
    expect(logs[0]).toBe("/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration");
    expect(logs).toContain("/docker-entrypoint.sh: Configuration complete; ready for start up");
    const noContainer = await s.kubectl("logs", "web-with-puller");
    expect(noContainer.stdout).toContain("/docker-entrypoint.sh: Configuration complete; ready for start up");
    expect(noContainer.stderr).toBe('Defaulted container "web" out of: web, puller\n');
  });
});

const NGINX_DEPLOYMENT = (replicas: number): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
  labels:
    app: nginx
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
`;

describe("lesson 5: manifests and declarative config", () => {
  it("write and apply a manifest (the seed Deployment: nginx, 3 replicas)", async () => {
    const file = await s.file("nginx-deployment.yaml", NGINX_DEPLOYMENT(3));
    expectOutput(await s.kubectl("apply", "-f", file, "--dry-run=client"), "deployment.apps/nginx-deployment created (dry run)\n");
    expectOutput(await s.kubectl("apply", "-f", file), "deployment.apps/nginx-deployment created\n");
    await s.settle("3 nginx pods ready", readyPods(s, { app: "nginx" }, 3));
    expectRows(await s.ok("get", "deployment", "nginx-deployment"), ["NAME               READY   UP-TO-DATE   AVAILABLE   AGE", "nginx-deployment   3/3     3            3           <AGE>"]);
    expectOutput(await s.kubectl("apply", "-f", file), "deployment.apps/nginx-deployment unchanged\n");
  });

  it("change and re-apply: diff, server dry-run, apply", async () => {
    const file = await s.file("nginx-deployment.yaml", NGINX_DEPLOYMENT(5));
    const diff = await s.kubectl("diff", "-f", file);
    expect(diff.code).toBe(1);
    expect(lines(diff.stdout).filter((l) => /^[-+]\s/.test(l))).toEqual(["-  generation: 1", "+  generation: 2", "-  replicas: 3", "+  replicas: 5"]);
    expectOutput(await s.kubectl("apply", "-f", file, "--dry-run=server"), "deployment.apps/nginx-deployment configured (server dry run)\n");
    expect(await s.ok("get", "deployment", "nginx-deployment", "-o", "jsonpath={.spec.replicas}")).toBe("3");
    expectOutput(await s.kubectl("apply", "-f", file), "deployment.apps/nginx-deployment configured\n");
    await s.settle("5 nginx pods ready", readyPods(s, { app: "nginx" }, 5));
    expect((await s.kubectl("diff", "-f", file)).code).toBe(0);
  });
});

describe("lesson 6: labels and selectors", () => {
  it("label pods by environment", async () => {
    for (const [name, env] of [
      ["shop-prod", "prod"],
      ["shop-staging", "staging"],
      ["shop-dev", "dev"],
    ] as const) {
      expectOutput(await s.kubectl("run", name, "--image=nginx", `--labels=app=shop,env=${env}`), `pod/${name} created\n`);
    }
    expectOutput(await s.kubectl("label", "pod", "first", "env=dev"), "pod/first labeled\n");
    const clash = await s.kubectl("label", "pod", "first", "env=prod");
    expect(clash.stderr).toBe("error: 'env' already has a value (dev), and --overwrite is false\n");
    expectOutput(await s.kubectl("label", "pod", "first", "env=prod", "--overwrite"), "pod/first labeled\n");
    expectOutput(await s.kubectl("annotate", "pod", "first", "owner=team-a"), "pod/first annotated\n");
    expect(await s.ok("get", "pod", "first", "-o", "jsonpath={.metadata.annotations.owner}")).toBe("team-a");
  });

  it("select them: equality and set-based selectors", async () => {
    const names = async (...selector: string[]): Promise<string[]> => lines(await s.ok("get", "pods", ...selector, "-o", "name"));
    expect(await names("-l", "env=prod")).toEqual(["pod/first", "pod/shop-prod"]);
    expect(await names("-l", "app=shop,env!=prod")).toEqual(["pod/shop-dev", "pod/shop-staging"]);
    expect(await names("-l", "env in (staging,dev)")).toEqual(["pod/shop-dev", "pod/shop-staging"]);
    expect(await names("-l", "app=shop,env notin (prod)")).toEqual(["pod/shop-dev", "pod/shop-staging"]);
    expect(await names("-l", "!env,app")).toEqual(lines(await s.ok("get", "pods", "-l", "app=nginx", "-o", "name")));
    const columns = lines(await s.ok("get", "pods", "-l", "app=shop", "-L", "env"));
    expect(columns[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+ENV$/);
    expect(columns.slice(1).map((l) => [l.split(/\s+/)[0], l.split(/\s+/).at(-1)])).toEqual([
      ["shop-dev", "dev"],
      ["shop-prod", "prod"],
      ["shop-staging", "staging"],
    ]);
  });

  it("fix a selector: a Service selecting nothing gets endpoints once its selector matches", async () => {
    const service = "apiVersion: v1\nkind: Service\nmetadata:\n  name: shop\nspec:\n  selector:\n    app: shpo\n  ports:\n  - port: 80\n";
    expectOutput(await s.kubectlWithInput(service, "apply", "-f", "-"), "service/shop created\n");
    await s.advance(200);
    expectRows(await s.ok("get", "endpoints", "shop"), ["NAME   ENDPOINTS   AGE", "shop   <none>      <AGE>"]);
    expectOutput(await s.kubectl("set", "selector", "service", "shop", "app=shop,env=prod"), "service/shop selector updated\n");
    await s.settle("shop-prod ready", () => s.pods({ app: "shop", env: "prod" }).some((p) => p.status?.phase === "Running"));
    const ip = await s.ok("get", "pod", "shop-prod", "-o", "jsonpath={.status.podIP}");
    expectRows(await s.ok("get", "endpoints", "shop"), ["NAME   ENDPOINTS   AGE", `shop   ${ip}:80      <AGE>`]);
    expect(await s.ok("exec", "first", "--", "curl", "-s", "http://shop")).toContain("<title>Welcome to nginx!</title>");
  });
});
