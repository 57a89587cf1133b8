// The kubernetes.io "Learn Kubernetes Basics" tutorial, its six modules in
// order, typed as the tutorial writes them into a learner's terminal: the real
// kubectl 1.32 against one sim cluster on a ManualClock. Where the tutorial
// uses minikube (`minikube ip`, a browser), a learner's cluster uses a node's
// InternalIP from a client pod in another namespace.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Pod } from "../types";
import { describedEvents, describedField, expectOutput, expectRows, kubectlProxy, lines, readyPods, startScenario, terminal, type Scenario } from "./harness";

const APP = "kubernetes-bootcamp";
const V1 = "gcr.io/google-samples/kubernetes-bootcamp:v1";
const V2 = "docker.io/jocatalin/kubernetes-bootcamp:v2";
const V10 = "gcr.io/google-samples/kubernetes-bootcamp:v10";
/** The tutorial's way to get pod names: `export POD_NAME="$(kubectl get pods -o go-template ...)"`. */
const POD_NAMES = ["get", "pods", "-o", "go-template", "--template", '{{range .items}}{{.metadata.name}}{{"\\n"}}{{end}}'];
const NODE_PORT = ["get", `services/${APP}`, "-o", "go-template={{(index .spec.ports 0).nodePort}}"];
const hello = (pod: string, version: number): string => `Hello Kubernetes bootcamp! | Running on: ${pod} | v=${version}\n`;

let s: Scenario;
let nodeIP = "";

beforeAll(async () => {
  s = await startScenario("learner-bootcamp");
  // Stands in for the learner's machine outside the cluster: curl reaches NodePorts on node IPs.
  await s.ok("create", "namespace", "outside");
  await s.ok("run", "client", "-n", "outside", "--image=nginx");
  await s.settle("client pod running", readyPods(s, { run: "client" }, 1, "outside"));
  nodeIP = await s.ok("get", "node", "node01", "-o", 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}');
});
afterAll(async () => s.close());

/** curl from outside the cluster (the client pod in another namespace). */
const curlFromOutside = (url: string) => s.kubectl("exec", "-n", "outside", "client", "--", "curl", "-s", url);
const appPods = (): Pod[] => s.pods({ app: APP });
const podNames = async (): Promise<string[]> => lines(await s.ok(...POD_NAMES));

describe("Learn Kubernetes Basics", () => {
  it("module 1: the cluster is up (kubectl version, cluster-info, get nodes)", async () => {
    const version = await s.ok("version");
    expect(version).toMatch(/^Client Version: v1\.32\.\d+\S*\nKustomize Version: v\S+\nServer Version: v1\.32\.3\n$/);
    const server = /server: (\S+)/.exec(await s.ok("config", "view", "-o", "jsonpath=server: {.clusters[0].cluster.server}"))?.[1] ?? "";
    expect(await s.ok("cluster-info")).toBe(
      `Kubernetes control plane is running at ${server}\nCoreDNS is running at ${server}/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy\n\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n`,
    );
    expectRows(await s.ok("get", "nodes"), [
      "NAME           STATUS   ROLES           AGE   VERSION",
      "controlplane   Ready    control-plane   <AGE>   v1.32.3",
      "node01         Ready    <none>          <AGE>   v1.32.3",
      "node02         Ready    <none>          <AGE>   v1.32.3",
    ]);
  });

  it("module 2: kubectl create deployment, get deployments", async () => {
    expectOutput(await s.kubectl("create", "deployment", APP, `--image=${V1}`), `deployment.apps/${APP} created\n`);
    expectRows(await s.ok("get", "deployments"), ["NAME                  READY   UP-TO-DATE   AVAILABLE   AGE", `${APP}   0/1     1            0           0s`]);
    // "If no pods are running, please wait a couple of seconds and list the Pods again."
    await s.settle("the bootcamp pod ready", readyPods(s, { app: APP }, 1));
    expectRows(await s.ok("get", "deployments"), ["NAME                  READY   UP-TO-DATE   AVAILABLE   AGE", `${APP}   1/1     1            1           <AGE>`]);
  });

  it("module 3: get pods, describe pods, logs, exec env", async () => {
    const [podName = ""] = await podNames();
    expect(podName).toMatch(/^kubernetes-bootcamp-[a-z0-9]{8,10}-[a-z0-9]{5}$/);
    expectRows(await s.ok("get", "pods"), ["NAME   READY   STATUS    RESTARTS   AGE", `${podName}   1/1     Running   0          <AGE>`]);

    const described = await s.ok("describe", "pods");
    expect(describedField(described, "Name")).toBe(podName);
    expect(describedField(described, "Image")).toBe(V1);
    expect(describedField(described, "State")).toBe("Running");
    expect(describedField(described, "Controlled By")).toMatch(/^ReplicaSet\/kubernetes-bootcamp-[a-z0-9]+$/);
    const node = appPods()[0]?.spec.nodeName ?? "";
    expect(describedEvents(described)).toEqual([
      ["Normal", "Scheduled", "default-scheduler", `Successfully assigned default/${podName} to ${node}`],
      ["Normal", "Pulling", "kubelet", `Pulling image "${V1}"`],
      ["Normal", "Pulled", "kubelet", expect.stringMatching(new RegExp(`^Successfully pulled image "${V1}" in [\\d.]+m?s \\([\\d.]+m?s including waiting\\)\\. Image size: 83642968 bytes\\.$`)) as unknown as string],
      ["Normal", "Created", "kubelet", `Created container ${APP}`],
      ["Normal", "Started", "kubelet", `Started container ${APP}`],
    ]);

    const startedAt = appPods()[0]?.status?.containerStatuses?.[0]?.state?.running?.startedAt ?? "";
    const logs = await s.ok("logs", podName);
    expect(logs).toMatch(new RegExp(`^Kubernetes Bootcamp App Started At: ${startedAt.slice(0, 19)}\\.\\d{3}Z \\| Running On:  ${podName} \\n\\n$`));

    const env = lines(await s.ok("exec", podName, "--", "env"));
    expect(env).toEqual(
      expect.arrayContaining([`HOSTNAME=${podName}`, "NPM_CONFIG_LOGLEVEL=info", "NODE_VERSION=6.3.1", "KUBERNETES_SERVICE_HOST=10.96.0.1", "KUBERNETES_PORT=tcp://10.96.0.1:443", "HOME=/root"]),
    );
  });

  it("module 3: kubectl exec -ti $POD_NAME -- bash; cat server.js; curl http://localhost:8080; exit", async () => {
    const [podName = ""] = await podNames();
    const bash = await terminal(s, "exec", "-ti", podName, "--", "bash");
    await bash.expectOutput(`root@${podName}:/# `);
    bash.write("cat server.js\r");
    await bash.expectOutput("www.listen(8080");
    expect(bash.output()).toContain('response.write("Hello Kubernetes bootcamp! | Running on: ");\r\n');
    bash.write("curl http://localhost:8080\r");
    await bash.expectOutput(hello(podName, 1).replace("\n", "\r\n"));
    bash.write("exit\r");
    expect(await bash.exit).toBe(0);
  });

  let nodePort = "";
  it("module 4: expose deployment --type=NodePort, describe services, curl nodeIP:NODE_PORT", async () => {
    const [podName = ""] = await podNames();
    expectRows(await s.ok("get", "services"), ["NAME         TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE", "kubernetes   ClusterIP   10.96.0.1    <none>        443/TCP   <AGE>"]);
    expectOutput(await s.kubectl("expose", `deployment/${APP}`, "--type=NodePort", "--port", "8080"), `service/${APP} exposed\n`);
    await s.advance(200);
    nodePort = await s.ok(...NODE_PORT);
    expect(Number(nodePort)).toBeGreaterThanOrEqual(30000);
    expect(Number(nodePort)).toBeLessThanOrEqual(32767);
    const clusterIP = await s.ok("get", `services/${APP}`, "-o", "jsonpath={.spec.clusterIP}");
    expectRows(await s.ok("get", "services"), [
      "NAME                  TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)          AGE",
      "kubernetes            ClusterIP   10.96.0.1    <none>        443/TCP          <AGE>",
      `${APP}   NodePort    ${clusterIP}   <none>        8080:${nodePort}/TCP   <AGE>`,
    ]);

    const described = await s.ok("describe", `services/${APP}`);
    const podIP = appPods()[0]?.status?.podIP ?? "";
    expect(lines(described).map((l) => l.split(/:\s+/))).toEqual(
      expect.arrayContaining([
        ["Selector", `app=${APP}`],
        ["Type", "NodePort"],
        ["IP", clusterIP],
        ["Port", "<unset>  8080/TCP"],
        ["TargetPort", "8080/TCP"],
        ["NodePort", `<unset>  ${nodePort}/TCP`],
        ["Endpoints", `${podIP}:8080`],
        ["External Traffic Policy", "Cluster"],
      ]),
    );
    expectOutput(await curlFromOutside(`http://${nodeIP}:${nodePort}`), hello(podName, 1));
  });

  it("module 4: labels: describe deployment, get -l, label pods version=v1", async () => {
    const [podName = ""] = await podNames();
    expect(describedField(await s.ok("describe", "deployment"), "Labels")).toBe(`app=${APP}`);
    expectRows(await s.ok("get", "pods", "-l", `app=${APP}`), ["NAME   READY   STATUS    RESTARTS   AGE", `${podName}   1/1     Running   0          <AGE>`]);
    expect(lines(await s.ok("get", "services", "-l", `app=${APP}`))[1]).toMatch(new RegExp(`^${APP}\\s+NodePort\\s+`));
    expectOutput(await s.kubectl("label", "pods", podName, "version=v1"), `pod/${podName} labeled\n`);
    const described = lines(await s.ok("describe", "pods", podName));
    const at = described.findIndex((l) => l.startsWith("Labels:"));
    expect(described.slice(at, at + 3).map((l) => l.replace(/^Labels:/, "").trim())).toEqual([`app=${APP}`, expect.stringMatching(/^pod-template-hash=[a-z0-9]+$/), "version=v1"]);
    expectRows(await s.ok("get", "pods", "-l", "version=v1"), ["NAME   READY   STATUS    RESTARTS   AGE", `${podName}   1/1     Running   0          <AGE>`]);
  });

  it("module 4: delete service -l app=...: the NodePort is gone, the app still answers inside the pod", async () => {
    const [podName = ""] = await podNames();
    expectOutput(await s.kubectl("delete", "service", "-l", `app=${APP}`), `service "${APP}" deleted\n`);
    expect(lines(await s.ok("get", "services")).map((l) => l.split(/\s+/)[0])).toEqual(["NAME", "kubernetes"]);
    const refused = await curlFromOutside(`http://${nodeIP}:${nodePort}`);
    expect(refused.code).toBe(7);
    expect(refused.stdout).toBe("");
    const inside = await terminal(s, "exec", "-ti", podName, "--", "curl", "http://localhost:8080");
    expect(await inside.exit).toBe(0);
    expect(inside.output()).toBe(hello(podName, 1).replace("\n", "\r\n"));
  });

  it("module 5: scale to 4 behind a LoadBalancer service; requests spread over every pod", async () => {
    expectOutput(await s.kubectl("expose", `deployment/${APP}`, "--type=LoadBalancer", "--port", "8080"), `service/${APP} exposed\n`);
    expectRows(await s.ok("get", "deployments"), ["NAME                  READY   UP-TO-DATE   AVAILABLE   AGE", `${APP}   1/1     1            1           <AGE>`]);
    const rs = lines(await s.ok("get", "rs"));
    expect(rs[0]).toMatch(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE$/);
    expect(rs[1]).toMatch(new RegExp(`^${APP}-[a-z0-9]{8,10}\\s+1\\s+1\\s+1\\s+${"\\d+[smh]"}`));
    const rsName = rs[1]?.split(/\s+/)[0] ?? "";

    expectOutput(await s.kubectl("scale", `deployments/${APP}`, "--replicas=4"), `deployment.apps/${APP} scaled\n`);
    await s.settle("4 bootcamp pods ready", readyPods(s, { app: APP }, 4));
    expectRows(await s.ok("get", "deployments"), ["NAME                  READY   UP-TO-DATE   AVAILABLE   AGE", `${APP}   4/4     4            4           <AGE>`]);
    const wide = lines(await s.ok("get", "pods", "-o", "wide"));
    expect(wide[0]?.split(/\s{2,}/)).toEqual(["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE", "READINESS GATES"]);
    expect(wide.slice(1).map((l) => l.split(/\s+/).slice(1, 4))).toEqual(Array.from({ length: 4 }, () => ["1/1", "Running", "0"]));
    expect(new Set(wide.slice(1).map((l) => l.split(/\s+/)[5])).size).toBe(4);

    const deployment = await s.ok("describe", `deployments/${APP}`);
    expect(describedField(deployment, "Replicas")).toBe("4 desired | 4 updated | 4 total | 4 available | 0 unavailable");
    expect(describedEvents(deployment).map((e) => e[3])).toEqual([`Scaled up replica set ${rsName} from 0 to 1`, `Scaled up replica set ${rsName} from 1 to 4`]);

    const service = await s.ok("describe", `services/${APP}`);
    expect(describedField(service, "Type")).toBe("LoadBalancer");
    expect(describedField(service, "Endpoints")).toMatch(/^(\d+\.\d+\.\d+\.\d+:8080,){2}\d+\.\d+\.\d+\.\d+:8080 \+ 1 more\.\.\.$/);
    expect(lines(await s.ok("get", `services/${APP}`))[1]).toMatch(new RegExp(`^${APP}\\s+LoadBalancer\\s+\\S+\\s+<pending>\\s+8080:\\d+/TCP`));
    nodePort = await s.ok(...NODE_PORT);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push((await curlFromOutside(`http://${nodeIP}:${nodePort}`)).stdout);
    expect(new Set(answers)).toEqual(new Set(appPods().map((p) => hello(p.metadata.name ?? "", 1))));
  });

  it("module 5: scale down to 2: two pods terminate (the app ignores SIGTERM: 30 s grace)", async () => {
    expectOutput(await s.kubectl("scale", `deployments/${APP}`, "--replicas=2"), `deployment.apps/${APP} scaled\n`);
    await s.advance(1000);
    expectRows(await s.ok("get", "deployments"), ["NAME                  READY   UP-TO-DATE   AVAILABLE   AGE", `${APP}   2/2     2            2           <AGE>`]);
    const statuses = lines(await s.ok("get", "pods", "-o", "wide")).slice(1).map((l) => l.split(/\s+/)[2]);
    expect(statuses.sort()).toEqual(["Running", "Running", "Terminating", "Terminating"]);
    await s.settle("only two pods left", () => s.list("", "pods").filter((p) => p.metadata.labels?.app === APP).length === 2, 40_000);
  });

  it("module 6: set image to v2, rollout status, curl answers v=2", async () => {
    expect(lines(await s.ok("describe", "pods")).filter((l) => l.trim().startsWith("Image:")).map((l) => l.trim())).toEqual([`Image:          ${V1}`, `Image:          ${V1}`]);
    expectOutput(await s.kubectl("set", "image", `deployments/${APP}`, `${APP}=${V2}`), `deployment.apps/${APP} image updated\n`);
    await s.advance(200);
    const during = lines(await s.ok("get", "pods")).slice(1).map((l) => l.split(/\s+/).slice(1, 3).join(" "));
    expect(during.sort()).toEqual(["0/1 ContainerCreating", "1/1 Running", "1/1 Running"]);

    const status = await s.waiting(s.kubectl("rollout", "status", `deployments/${APP}`));
    expect(status.code).toBe(0);
    const said = lines(status.stdout);
    expect(said.at(-1)).toBe(`deployment "${APP}" successfully rolled out`);
    for (const line of said.slice(0, -1)) expect(line).toMatch(new RegExp(`^Waiting for deployment "${APP}" rollout to finish: (\\d+ out of 2 new replicas have been updated|\\d+ old replicas are pending termination|\\d+ of 2 updated replicas are available)\\.\\.\\.$`));
    expectOutput(await s.kubectl("rollout", "status", `deployments/${APP}`), `deployment "${APP}" successfully rolled out\n`);

    nodePort = await s.ok(...NODE_PORT);
    const answer = await curlFromOutside(`http://${nodeIP}:${nodePort}`);
    expect(answer.stdout).toMatch(/^Hello Kubernetes bootcamp! \| Running on: kubernetes-bootcamp-[a-z0-9]+-[a-z0-9]{5} \| v=2\n$/);
    await s.settle("the v1 pods gone", readyPods(s, { app: APP }, 2), 40_000);
    expect(lines(await s.ok("describe", "pods")).filter((l) => l.trim().startsWith("Image:")).map((l) => l.trim())).toEqual([`Image:          ${V2}`, `Image:          ${V2}`]);
  });

  it("module 6: a v10 image that does not exist -> ImagePullBackOff; rollout undo back to v2", async () => {
    expectOutput(await s.kubectl("set", "image", `deployments/${APP}`, `${APP}=${V10}`), `deployment.apps/${APP} image updated\n`);
    const backingOff = (): boolean => appPods().some((p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === "ImagePullBackOff");
    await s.settle("a v10 pod in ImagePullBackOff", backingOff);
    // maxUnavailable 25% of 2 rounds down to 0: both v2 pods keep serving.
    expectRows(await s.ok("get", "deployments"), ["NAME                  READY   UP-TO-DATE   AVAILABLE   AGE", `${APP}   2/2     1            2           <AGE>`]);
    const pods = lines(await s.ok("get", "pods")).slice(1).map((l) => l.split(/\s+/).slice(1, 3).join(" "));
    expect(pods.sort()).toEqual(["0/1 ImagePullBackOff", "1/1 Running", "1/1 Running"]);

    const affected = await s.ok("get", "pods", "--field-selector", "status.phase=Pending", "-o", "go-template", "--template", '{{range .items}}{{.metadata.name}}{{"\\n"}}{{end}}');
    expect(lines(affected)).toHaveLength(1);
    const described = await s.ok("describe", "pod", affected.trim());
    expect(describedField(described, "Image")).toBe(V10);
    expect(describedField(described, "Reason")).toBe("ImagePullBackOff");
    expectOutput(await s.kubectl("rollout", "undo", `deployments/${APP}`), `deployment.apps/${APP} rolled back\n`);
    await s.settle("back to two v2 pods only", () => s.list("", "pods").filter((p) => p.metadata.labels?.app === APP).length === 2 && readyPods(s, { app: APP }, 2)());
    const after = lines(await s.ok("get", "pods")).slice(1).map((l) => l.split(/\s+/).slice(1, 3).join(" "));
    expect(after).toEqual(["1/1 Running", "1/1 Running"]);
    expect(lines(await s.ok("describe", "pods")).filter((l) => l.trim().startsWith("Image:")).map((l) => l.trim())).toEqual([`Image:          ${V2}`, `Image:          ${V2}`]);
    expect((await curlFromOutside(`http://${nodeIP}:${nodePort}`)).stdout).toMatch(/ \| v=2\n$/);
    // The affected pod's events as described before the undo: the v10 image does not exist.
    const events = describedEvents(described).map(([type, reason, from, message]) => `${type} ${reason} ${from}: ${message}`);
    expect(events).toEqual(
      expect.arrayContaining([
        `Normal Pulling kubelet: Pulling image "${V10}"`,
        `Warning Failed kubelet: Failed to pull image "${V10}": rpc error: code = NotFound desc = failed to pull and unpack image "${V10}": failed to resolve reference "${V10}": ${V10}: not found`,
        "Warning Failed kubelet: Error: ErrImagePull",
        `Normal BackOff kubelet: Back-off pulling image "${V10}"`,
        "Warning Failed kubelet: Error: ImagePullBackOff",
      ]),
    );
  });

  it("clean up: delete deployments/... services/...", async () => {
    expectOutput(await s.kubectl("delete", `deployments/${APP}`, `services/${APP}`), `deployment.apps "${APP}" deleted\nservice "${APP}" deleted\n`);
    await s.settle("every bootcamp pod gone", () => s.list("", "pods").every((p) => p.metadata.labels?.app !== APP), 40_000);
    expect((await s.kubectl("get", "deployments")).stderr).toBe("No resources found in default namespace.\n");
  });
});

describe("Learn Kubernetes Basics: kubectl proxy", () => {
  it("modules 2-3: curl localhost:8001/version and /api/v1/namespaces/default/pods/$POD_NAME:8080/proxy/", async () => {
    await s.ok("create", "deployment", APP, `--image=${V1}`);
    await s.settle("the bootcamp pod ready", readyPods(s, { app: APP }, 1));
    const [podName = ""] = await podNames();
    const proxy = await kubectlProxy(s);
    try {
      const version = (await (await fetch(`${proxy.url}/version`)).json()) as { major: string; minor: string };
      expect(version).toMatchObject({ major: "1", minor: "32" });
      const answer = await fetch(`${proxy.url}/api/v1/namespaces/default/pods/${podName}:8080/proxy/`);
      expect({ status: answer.status, body: await answer.text() }).toEqual({ status: 200, body: hello(podName, 1) });
    } finally {
      proxy.stop();
    }
  });
});
