// Conformance: `kubectl create` (-f file, -f -, every generator), `expose`
// and `describe`, against one `npm run sim` cluster, asserting what kubectl prints.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectRows, lines, startSim, type Sim } from "./harness";

let sim: Sim;

beforeAll(async () => {
  sim = await startSim();
});

afterAll(async () => {
  await sim?.stop();
});

const jsonpath = (path: string, ...target: string[]): Promise<string> => sim.ok("get", ...target, "-o", `jsonpath=${path}`);

describe("kubectl create -f", () => {
  it("creates from a file, refuses a second create, and reads several documents", async () => {
    const file = await sim.file("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-file\ndata:\n  mode: dev\n");
    expect(await sim.kubectl("create", "-f", file)).toEqual({ code: 0, stdout: "configmap/from-file created\n", stderr: "" });
    expect(await sim.kubectl("create", "-f", file)).toEqual({
      code: 1,
      stdout: "",
      stderr: `Error from server (AlreadyExists): error when creating "${file}": configmaps "from-file" already exists\n`,
    });
    const two = await sim.file(
      "two.yaml",
      "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: two\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: robot\n  namespace: two\n",
    );
    expect(await sim.ok("create", "-f", two)).toBe("namespace/two created\nserviceaccount/robot created\n");
  });

  it("creates from stdin", async () => {
    const pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: piped\nspec:\n  containers:\n  - name: app\n    image: nginx:1.27\n";
    expect(await sim.kubectlWith({ input: pod }, "create", "-f", "-")).toEqual({ code: 0, stdout: "pod/piped created\n", stderr: "" });
    expect(await jsonpath("{.spec.containers[0].imagePullPolicy} {.spec.restartPolicy}", "pod", "piped")).toBe("IfNotPresent Always");
  });

  it("rejects unknown fields (fieldValidation=Strict) and invalid objects with upstream wording", async () => {
    const typo = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: typo\ndata:\n  a: b\nextra: 1\n";
    const strict = await sim.kubectlWith({ input: typo }, "create", "-f", "-");
    expect(strict.code).toBe(1);
    expect(strict.stderr).toBe('Error from server (BadRequest): error when creating "STDIN": ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "extra"\n');
    const bad = await sim.kubectlWith({ input: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: Bad_Name\nspec:\n  containers: []\n" }, "create", "-f", "-");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^The Pod "Bad_Name" is invalid: \n\* metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of/);
    expect(bad.stderr).toContain("* spec.containers: Required value\n");
  });

  it("refuses values of the wrong JSON type as upstream's decoder words them", async () => {
    const pod = (container: string): string => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: typed\nspec:\n  containers:\n${container}`;
    const refused = async (manifest: string): Promise<string> => {
      const run = await sim.kubectlWith({ input: manifest }, "create", "-f", "-");
      expect(run.code).toBe(1);
      return run.stderr;
    };
    const prefix = 'Error from server (BadRequest): error when creating "STDIN": Pod in version "v1" cannot be handled as a Pod: ';
    // A quoted number, a command as one string, a number as an env value, a mapping where a list belongs.
    expect(await refused(pod('  - name: app\n    image: nginx:1.27\n    ports:\n    - containerPort: "80"\n'))).toBe(
      `${prefix}json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32\n`,
    );
    expect(await refused(pod("  - name: app\n    image: busybox\n    command: sleep 3600\n"))).toBe(`${prefix}json: cannot unmarshal string into Go struct field Container.spec.containers.command of type []string\n`);
    expect(await refused(pod("  - name: app\n    image: nginx:1.27\n    env:\n    - name: PORT\n      value: 80\n"))).toBe(
      `${prefix}json: cannot unmarshal number into Go struct field EnvVar.spec.containers.env.value of type string\n`,
    );
    expect(await refused(pod("    name: app\n    image: nginx:1.27\n"))).toBe(`${prefix}json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container\n`);
    // Quantity parses itself, and its error wins over an earlier wrong type.
    expect(await refused(pod("  - name: app\n    image: busybox\n    command: sleep 3600\n    resources:\n      limits:\n        memory: 128MB\n"))).toBe(
      `${prefix}quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'\n`,
    );
    const deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: typed\nspec:\n  replicas: three\n  selector:\n    matchLabels: {app: typed}\n  template:\n    metadata:\n      labels: {app: typed}\n    spec:\n      containers: [{name: app, image: nginx:1.27}]\n";
    const applied = await sim.kubectlWith({ input: deployment }, "apply", "-f", "-");
    expect(applied).toMatchObject({
      code: 1,
      stderr: 'Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32\n',
    });
    expect((await sim.kubectl("get", "pod,deploy", "typed")).stderr).toContain('"typed" not found');
  });

  it("honours --dry-run (client and server) without storing anything", async () => {
    expect(await sim.ok("create", "configmap", "dry", "--from-literal=a=b", "--dry-run=server")).toBe("configmap/dry created (server dry run)\n");
    expect(await sim.ok("create", "configmap", "dry", "--from-literal=a=b", "--dry-run=client")).toBe("configmap/dry created (dry run)\n");
    expect((await sim.kubectl("get", "configmap", "dry")).stderr).toBe('Error from server (NotFound): configmaps "dry" not found\n');
  });
});

describe("kubectl create <generator>", () => {
  it("namespace, deployment, configmap, secret generic, serviceaccount", async () => {
    expect(await sim.ok("create", "namespace", "team")).toBe("namespace/team created\n");
    expect(await sim.ok("create", "deployment", "web", "--image=nginx:1.27", "--replicas=2", "--port=80")).toBe("deployment.apps/web created\n");
    expect(await sim.ok("create", "configmap", "cfg", "--from-literal=a=1", "--from-literal=b=2")).toBe("configmap/cfg created\n");
    expect(await sim.ok("create", "secret", "generic", "creds", "--from-literal=user=admin")).toBe("secret/creds created\n");
    expect(await sim.ok("create", "serviceaccount", "robot")).toBe("serviceaccount/robot created\n");

    expect(await jsonpath("{.metadata.labels} {.spec.selector.matchLabels} {.spec.replicas} {.spec.template.spec.containers[0].ports[0].containerPort}", "deploy", "web")).toBe(
      '{"app":"web"} {"app":"web"} 2 80',
    );
    expect(await jsonpath("{.spec.strategy.type} {.spec.strategy.rollingUpdate.maxSurge} {.spec.revisionHistoryLimit} {.spec.progressDeadlineSeconds}", "deploy", "web")).toBe(
      "RollingUpdate 25% 10 600",
    );
    expect(await jsonpath("{.metadata.labels}", "ns", "team")).toBe('{"kubernetes.io/metadata.name":"team"}');
    expect(await jsonpath("{.type} {.data.user}", "secret", "creds")).toBe("Opaque YWRtaW4=");
    expectRows(await sim.ok("get", "configmap/cfg", "secret/creds", "serviceaccount/robot"), [
      "NAME            DATA   AGE",
      "configmap/cfg   2      <AGE>",
      "",
      "NAME           TYPE     DATA   AGE",
      "secret/creds   Opaque   1      <AGE>",
      "",
      "NAME                   SECRETS   AGE",
      "serviceaccount/robot   0         <AGE>",
    ]);
  });

  it("service clusterip and nodeport", async () => {
    expect(await sim.ok("create", "service", "clusterip", "backend", "--tcp=80:8080")).toBe("service/backend created\n");
    expect(await sim.ok("create", "service", "nodeport", "front", "--tcp=80:8080", "--node-port=30080")).toBe("service/front created\n");
    expectRows(await sim.ok("get", "svc", "backend", "front", "-o", "wide"), [
      "NAME      TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)        AGE   SELECTOR",
      "backend   ClusterIP   <IP>         <none>        80/TCP         <AGE>   app=backend",
      "front     NodePort    <IP>         <none>        80:30080/TCP   <AGE>   app=front",
    ]);
    expect(await jsonpath("{.spec.clusterIP}", "svc", "backend")).toMatch(/^10\.(9[6-9]|1[01]\d)\.\d+\.\d+$/);
    expect(await jsonpath("{.spec.ports[0].name} {.spec.ports[0].targetPort} {.spec.externalTrafficPolicy}", "svc", "front")).toBe("80-8080 8080 Cluster");
  });

  it("job and cronjob", async () => {
    expect(await sim.ok("create", "job", "once", "--image=busybox", "--", "echo", "hi")).toBe("job.batch/once created\n");
    expect(await sim.ok("create", "cronjob", "tick", "--image=busybox", "--schedule=*/5 * * * *", "--", "date")).toBe("cronjob.batch/tick created\n");
    expect(await jsonpath("{.spec.template.spec.restartPolicy} {.spec.template.spec.containers[0].command} {.spec.backoffLimit} {.spec.completions}", "job", "once")).toBe(
      'Never ["echo","hi"] 6 1',
    );
    expectRows(await sim.ok("get", "cronjob", "tick"), [
      "NAME   SCHEDULE      TIMEZONE   SUSPEND   ACTIVE   LAST SCHEDULE   AGE",
      "tick   */5 * * * *   <none>     False     0        <none>          <AGE>",
    ]);
    expect(await jsonpath("{.spec.concurrencyPolicy} {.spec.successfulJobsHistoryLimit} {.spec.failedJobsHistoryLimit}", "cronjob", "tick")).toBe("Allow 3 1");
  });

  it("role, rolebinding, clusterrole, clusterrolebinding", async () => {
    expect(await sim.ok("create", "role", "reader", "--verb=get,list", "--resource=pods")).toBe("role.rbac.authorization.k8s.io/reader created\n");
    expect(await sim.ok("create", "rolebinding", "reader", "--role=reader", "--serviceaccount=default:robot")).toBe("rolebinding.rbac.authorization.k8s.io/reader created\n");
    expect(await sim.ok("create", "clusterrole", "node-reader", "--verb=get,list", "--resource=nodes")).toBe("clusterrole.rbac.authorization.k8s.io/node-reader created\n");
    expect(await sim.ok("create", "clusterrolebinding", "node-reader", "--clusterrole=node-reader", "--user=alice")).toBe(
      "clusterrolebinding.rbac.authorization.k8s.io/node-reader created\n",
    );
    expect(await jsonpath("{.rules}", "role", "reader")).toBe('[{"apiGroups":[""],"resources":["pods"],"verbs":["get","list"]}]');
    // Role has no printer upstream: the default table, NAME and CREATED AT (UTC RFC 3339).
    const role = lines(await sim.ok("get", "role", "reader"));
    expect(role[0]).toBe("NAME     CREATED AT");
    expect(role[1]).toMatch(/^reader {3}\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expectRows(await sim.ok("get", "rolebinding", "reader", "-o", "wide"), [
      "NAME     ROLE          AGE   USERS   GROUPS   SERVICEACCOUNTS",
      "reader   Role/reader   <AGE>                     default/robot",
    ]);
    expectRows(await sim.ok("get", "clusterrolebinding", "node-reader", "-o", "wide"), [
      "NAME          ROLE                      AGE   USERS   GROUPS   SERVICEACCOUNTS",
      "node-reader   ClusterRole/node-reader   <AGE>   alice",
    ]);
  });

  it("quota and token", async () => {
    expect(await sim.ok("create", "quota", "small", "--hard=pods=10,cpu=4")).toBe("resourcequota/small created\n");
    expect(await jsonpath("{.spec.hard}", "quota", "small")).toBe('{"cpu":"4","pods":"10"}');
    // A cpu quota makes every later pod without a cpu request Forbidden (as upstream): drop it.
    await sim.ok("delete", "quota", "small");
    const token = await sim.ok("create", "token", "robot");
    // kubectl prints the bare token (fmt.Fprint, no newline).
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as { sub: string; exp: number; iat: number };
    expect(claims.sub).toBe("system:serviceaccount:default:robot");
    expect(claims.exp - claims.iat).toBe(3600);
    const missing = await sim.kubectl("create", "token", "ghost");
    expect(missing).toMatchObject({ code: 1, stderr: 'error: failed to create token: serviceaccounts "ghost" not found\n' });
  });
});

describe("kubectl expose", () => {
  it("exposes a deployment with its selector and ports", async () => {
    await sim.ok("create", "deployment", "shop", "--image=nginx:1.27", "--port=80");
    expect(await sim.ok("expose", "deployment", "shop", "--port=8080", "--target-port=80")).toBe("service/shop exposed\n");
    expect(await jsonpath("{.spec.selector} {.spec.ports[0].port} {.spec.ports[0].targetPort} {.spec.ports[0].protocol} {.spec.type}", "svc", "shop")).toBe(
      '{"app":"shop"} 8080 80 TCP ClusterIP',
    );
  });

  it("exposes a pod as a NodePort service named with --name", async () => {
    await sim.ok("run", "solo", "--image=nginx:1.27", "--labels=app=solo,tier=fe", "--port=80");
    expect(await sim.ok("expose", "pod", "solo", "--name=solo-np", "--type=NodePort")).toBe("service/solo-np exposed\n");
    expect(await jsonpath("{.spec.selector} {.spec.ports[0].port} {.spec.ports[0].targetPort} {.spec.type}", "svc", "solo-np")).toBe('{"app":"solo","tier":"fe"} 80 80 NodePort');
    expect(Number(await jsonpath("{.spec.ports[0].nodePort}", "svc", "solo-np"))).toBeGreaterThanOrEqual(30000);
    const noPort = await sim.kubectl("expose", "deployment", "web-missing");
    expect(noPort).toMatchObject({ code: 1, stderr: 'Error from server (NotFound): deployments.apps "web-missing" not found\n' });
  });
});

describe("kubectl describe", () => {
  it("describes a namespace", async () => {
    await sim.ok("create", "namespace", "quiet");
    expect(await sim.ok("describe", "namespace", "quiet")).toBe(
      ["Name:         quiet", "Labels:       kubernetes.io/metadata.name=quiet", "Annotations:  <none>", "Status:       Active", "", "No resource quota.", "", "No LimitRange resource.", ""].join("\n"),
    );
  });

  it("describes a service", async () => {
    await sim.ok("create", "service", "clusterip", "described", "--tcp=80:8080");
    const ip = await jsonpath("{.spec.clusterIP}", "svc", "described");
    expect(await sim.ok("describe", "service", "described")).toBe(
      [
        "Name:                     described",
        "Namespace:                default",
        "Labels:                   app=described",
        "Annotations:              <none>",
        "Selector:                 app=described",
        "Type:                     ClusterIP",
        "IP Family Policy:         SingleStack",
        "IP Families:              IPv4",
        `IP:                       ${ip}`,
        `IPs:                      ${ip}`,
        "Port:                     80-8080  80/TCP",
        "TargetPort:               8080/TCP",
        // No pods: the EndpointSlice controller's placeholder slice (no ports, no endpoints) makes the line blank.
        "Endpoints:                ",
        "Session Affinity:         None",
        "Internal Traffic Policy:  Cluster",
        "Events:                   <none>",
        "",
      ].join("\n"),
    );
  });

  it("describes a pod with its containers, conditions and kubelet events", async () => {
    await sim.ok("run", "look", "--image=nginx:1.27", "--labels=app=look");
    // The kubelet records Started just before it marks the pod ready: wait for both.
    const out = await sim.waitFor(/ContainersReady\s+True[\s\S]*Started container look/, "describe", "pod", "look");
    const text = lines(out);
    expect(text.slice(0, 4)).toEqual(["Name:             look", "Namespace:        default", "Priority:         0", "Service Account:  default"]);
    expect(text[4]).toMatch(/^Node:\s+node0[12]\/172\.30\.\d+\.\d+$/);
    for (const line of ["Labels:           app=look", "Annotations:      <none>", "Status:           Running", "    Image:          nginx:1.27", "    Ready:          True", "    Restart Count:  0", "QoS Class:                   BestEffort"])
      expect(text).toContain(line);
    expect(text).toContainEqual(expect.stringMatching(/^ {6}\/var\/run\/secrets\/kubernetes\.io\/serviceaccount from kube-api-access-[a-z0-9]{5} \(ro\)$/));
    const conditions = text.indexOf("Conditions:");
    expect(text.slice(conditions + 1, conditions + 7).map((l) => l.trim().split(/\s+/))).toEqual([
      ["Type", "Status"],
      ["PodReadyToStartContainers", "True"],
      ["Initialized", "True"],
      ["Ready", "True"],
      ["ContainersReady", "True"],
      ["PodScheduled", "True"],
    ]);
    const events = text.slice(text.indexOf("Events:"));
    expect(events[1]).toMatch(/^ {2}Type\s+Reason\s+Age\s+From\s+Message$/);
    expect(events[3]).toMatch(/^ {2}Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned default\/look to node0[12]$/);
    expect(events.some((l) => /Normal\s+Started\s+\S+\s+kubelet\s+Started container look$/.test(l))).toBe(true);
  });

  it("describes a node with its conditions, capacity and pods", async () => {
    const text = lines(await sim.ok("describe", "node", "controlplane"));
    expect(text.slice(0, 2)).toEqual(["Name:               controlplane", "Roles:              control-plane"]);
    expect(text).toContain("Taints:             node-role.kubernetes.io/control-plane:NoSchedule");
    expect(text).toContain("Unschedulable:      false");
    expect(text).toContainEqual(expect.stringMatching(/^ {2}Ready\s+True\s+.*\s+KubeletReady\s+kubelet is posting ready status$/));
    expect(text).toContainEqual(expect.stringMatching(/^ {2}kube-system\s+etcd-controlplane\s/));
    expect(text).toContain("Allocated resources:");
  });

  it("describes a deployment", async () => {
    await sim.ok("create", "deployment", "desc", "--image=nginx:1.27", "--replicas=2");
    const text = lines(await sim.ok("describe", "deployment", "desc"));
    expect(text[0]).toBe("Name:                   desc");
    for (const line of [
      "Namespace:              default",
      "Labels:                 app=desc",
      "Selector:               app=desc",
      "StrategyType:           RollingUpdate",
      "MinReadySeconds:        0",
      "RollingUpdateStrategy:  25% max unavailable, 25% max surge",
      "Pod Template:",
      "  Labels:  app=desc",
      "    Image:         nginx:1.27",
    ])
      expect(text).toContain(line);
    expect(text).toContainEqual(expect.stringMatching(/^Replicas:\s+2 desired \| \d+ updated \| \d+ total \| \d+ available \| \d+ unavailable$/));
  });
});
