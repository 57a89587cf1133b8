// The course's graded "do"s of lessons 7-12 (../shared/course/SYLLABUS.md):
// replication, deployments, services, namespaces, storage, configuration. One
// `it` per "do", typed with the real kubectl 1.32 against one sim cluster on a
// ManualClock, asserting what the learner sees.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Pod } from "../types";
import { describedEvents, describedField, expectOutput, expectRows, lines, readyPods, startScenario, type Scenario } from "./harness";

let s: Scenario;

beforeAll(async () => {
  s = await startScenario("learner-syllabus-workloads");
  // A long-running busybox pod to look at the cluster from inside (wget, nslookup).
  await s.ok("run", "client", "--image=busybox", "--", "sleep", "infinity");
  await s.settle("client running", readyPods(s, { run: "client" }, 1));
});
afterAll(async () => s.close());

const names = (pods: Pod[]): string[] => pods.map((p) => p.metadata.name ?? "").sort();
/** Every pod with these labels is gone or ready, and `count` remain. */
const settled = (labels: Record<string, string>, count: number, namespace = "default") => (): boolean =>
  readyPods(s, labels, count, namespace)();

describe("lesson 7: replication", () => {
  const RS = `apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: frontend
  labels:
    tier: frontend
spec:
  replicas: 3
  selector:
    matchLabels:
      tier: frontend
  template:
    metadata:
      labels:
        tier: frontend
    spec:
      containers:
      - name: web
        image: nginx:1.27
`;

  it("create a ReplicaSet", async () => {
    expectOutput(await s.kubectlWithInput(RS, "apply", "-f", "-"), "replicaset.apps/frontend created\n");
    await s.settle("3 frontend pods", settled({ tier: "frontend" }, 3));
    expectRows(await s.ok("get", "rs", "frontend"), ["NAME       DESIRED   CURRENT   READY   AGE", "frontend   3         3         3       <AGE>"]);
    const pods = names(s.pods({ tier: "frontend" }));
    for (const name of pods) expect(name).toMatch(/^frontend-[a-z0-9]{5}$/);
    const created = describedEvents(await s.ok("describe", "rs", "frontend")).map((e) => e.join(" | "));
    expect(created.sort()).toEqual(pods.map((name) => `Normal | SuccessfulCreate | replicaset-controller | Created pod: ${name}`));
  });

  it("delete a pod and watch it return", async () => {
    const before = names(s.pods({ tier: "frontend" }));
    const [victim = ""] = before;
    expectOutput(await s.waiting(s.kubectl("delete", "pod", victim)), `pod "${victim}" deleted\n`);
    await s.settle("back to 3 frontend pods", settled({ tier: "frontend" }, 3));
    const now = names(s.pods({ tier: "frontend" }));
    expect(now).not.toContain(victim);
    const replacement = now.find((n) => !before.includes(n)) ?? "";
    const owner = await s.ok("get", "pods", "-l", "tier=frontend", "-o", 'jsonpath={range .items[*]}{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}{"\\n"}{end}');
    expect(lines(owner)).toEqual(["ReplicaSet/frontend", "ReplicaSet/frontend", "ReplicaSet/frontend"]);
    expect(describedField(await s.ok("describe", "pod", replacement), "Controlled By")).toBe("ReplicaSet/frontend");
  });

  it("scale it", async () => {
    expectOutput(await s.kubectl("scale", "rs", "frontend", "--replicas=5"), "replicaset.apps/frontend scaled\n");
    await s.settle("5 frontend pods", settled({ tier: "frontend" }, 5));
    expectRows(await s.ok("get", "rs", "frontend"), ["NAME       DESIRED   CURRENT   READY   AGE", "frontend   5         5         5       <AGE>"]);
    expectOutput(await s.kubectl("scale", "rs", "frontend", "--replicas=2"), "replicaset.apps/frontend scaled\n");
    await s.settle("2 frontend pods", () => s.list("", "pods").filter((p) => p.metadata.labels?.tier === "frontend").length === 2);
    expectRows(await s.ok("get", "rs", "frontend"), ["NAME       DESIRED   CURRENT   READY   AGE", "frontend   2         2         2       <AGE>"]);
    expectOutput(await s.waiting(s.kubectl("delete", "rs", "frontend")), 'replicaset.apps "frontend" deleted\n');
    await s.settle("frontend pods gone", () => s.list("", "pods").every((p) => p.metadata.labels?.tier !== "frontend"));
  });
});

describe("lesson 8: deployments", () => {
  it("scale", async () => {
    expectOutput(await s.kubectl("create", "deployment", "web", "--image=nginx:1.26", "--replicas=3"), "deployment.apps/web created\n");
    await s.settle("3 web pods", settled({ app: "web" }, 3));
    expectOutput(await s.kubectl("scale", "deployment", "web", "--replicas=5"), "deployment.apps/web scaled\n");
    await s.settle("5 web pods", settled({ app: "web" }, 5));
    expectRows(await s.ok("get", "deployment", "web"), ["NAME   READY   UP-TO-DATE   AVAILABLE   AGE", "web    5/5     5            5           <AGE>"]);
  });

  it("update the image (a rolling update)", async () => {
    expectOutput(await s.kubectl("set", "image", "deployment/web", "nginx=nginx:1.27"), "deployment.apps/web image updated\n");
    const status = await s.waiting(s.kubectl("rollout", "status", "deployment/web"));
    expect(lines(status.stdout).at(-1)).toBe('deployment "web" successfully rolled out');
    await s.settle("5 updated web pods", settled({ app: "web" }, 5));
    expect(new Set(s.pods({ app: "web" }).map((p) => p.spec.containers[0]?.image))).toEqual(new Set(["nginx:1.27"]));
    expectRows(await s.ok("rollout", "history", "deployment/web"), ["deployment.apps/web", "REVISION  CHANGE-CAUSE", "1         <none>", "2         <none>", ""]);
    const rs = lines(await s.ok("get", "rs", "-l", "app=web", "--no-headers")).map((l) => l.split(/\s+/).slice(1, 4).join(" "));
    expect(rs.sort()).toEqual(["0 0 0", "5 5 5"]);
  });

  it("roll back a bad image", async () => {
    expectOutput(await s.kubectl("set", "image", "deployment/web", "nginx=nginx:1.277"), "deployment.apps/web image updated\n");
    await s.settle("a pod failing to pull", () => s.pods({ app: "web" }).some((p) => ["ErrImagePull", "ImagePullBackOff"].includes(p.status?.containerStatuses?.[0]?.state?.waiting?.reason ?? "")));
    const bad = lines(await s.ok("get", "pods", "-l", "app=web", "--no-headers")).filter((l) => /ErrImagePull|ImagePullBackOff/.test(l));
    expect(bad.length).toBeGreaterThan(0);
    // maxUnavailable 25% of 5 = 1: four old pods keep serving.
    expect(lines(await s.ok("get", "deployment", "web"))[1]).toMatch(/^web\s+4\/5\s+\d\s+4\s+/);
    expectOutput(await s.kubectl("rollout", "undo", "deployment/web"), "deployment.apps/web rolled back\n");
    const status = await s.waiting(s.kubectl("rollout", "status", "deployment/web"));
    expect(lines(status.stdout).at(-1)).toBe('deployment "web" successfully rolled out');
    await s.settle("5 web pods on 1.27", () => settled({ app: "web" }, 5)() && s.pods({ app: "web" }).every((p) => p.spec.containers[0]?.image === "nginx:1.27"));
    expectRows(await s.ok("rollout", "history", "deployment/web"), ["deployment.apps/web", "REVISION  CHANGE-CAUSE", "1         <none>", "3         <none>", "4         <none>", ""]);
  });
});

describe("lesson 9: services and networking", () => {
  let clusterIP = "";

  it("expose a deployment", async () => {
    expectOutput(await s.kubectl("expose", "deployment", "web", "--port=80"), "service/web exposed\n");
    await s.advance(200);
    clusterIP = await s.ok("get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}");
    expect(clusterIP).toMatch(/^10\.96\.\d+\.\d+$/);
    expectRows(await s.ok("get", "svc", "web"), ["NAME   TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE", `web    ClusterIP   ${clusterIP}   <none>        80/TCP    <AGE>`]);
    expect(lines(await s.ok("get", "endpoints", "web"))[1]).toMatch(/^web\s+(10\.244\.\d+\.\d+:80,){2}10\.244\.\d+\.\d+:80 \+ 2 more\.\.\.\s+\S+$/);
  });

  it("reach it from another pod by DNS name (and by the *_SERVICE_HOST variables)", async () => {
    expect(await s.ok("exec", "client", "--", "wget", "-qO-", "http://web")).toContain("<title>Welcome to nginx!</title>");
    expect(await s.ok("exec", "client", "--", "wget", "-qO-", "http://web.default.svc.cluster.local")).toContain("<title>Welcome to nginx!</title>");
    expectOutput(await s.kubectl("exec", "client", "--", "nslookup", "web"), `Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tweb.default.svc.cluster.local\nAddress: ${clusterIP}\n\n`);
    // Variables are fixed when a container starts: only pods started after the Service see WEB_SERVICE_HOST.
    expect((await s.kubectl("exec", "client", "--", "printenv", "WEB_SERVICE_HOST")).code).toBe(1);
    await s.ok("run", "late", "--image=busybox", "--", "sleep", "infinity");
    await s.settle("late running", readyPods(s, { run: "late" }, 1));
    expect(await s.ok("exec", "late", "--", "sh", "-c", "echo $WEB_SERVICE_HOST:$WEB_SERVICE_PORT")).toBe(`${clusterIP}:80\n`);
  });

  it("a NodePort", async () => {
    expectOutput(await s.kubectl("create", "service", "nodeport", "web-np", "--tcp=80:80", "--node-port=30080"), "service/web-np created\n");
    expectOutput(await s.kubectl("set", "selector", "service", "web-np", "app=web"), "service/web-np selector updated\n");
    await s.advance(200);
    expect(lines(await s.ok("get", "svc", "web-np"))[1]).toMatch(/^web-np\s+NodePort\s+10\.96\.\d+\.\d+\s+<none>\s+80:30080\/TCP\s+\S+$/);
    for (const node of ["controlplane", "node01", "node02"]) {
      const ip = await s.ok("get", "node", node, "-o", 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}');
      expect(await s.ok("exec", "client", "--", "wget", "-qO-", `http://${ip}:30080`)).toContain("<title>Welcome to nginx!</title>");
    }
  });

  it("a headless service", async () => {
    const headless = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web-headless\nspec:\n  clusterIP: None\n  selector:\n    app: web\n  ports:\n  - port: 80\n";
    expectOutput(await s.kubectlWithInput(headless, "apply", "-f", "-"), "service/web-headless created\n");
    await s.advance(200);
    expect(lines(await s.ok("get", "svc", "web-headless"))[1]).toMatch(/^web-headless\s+ClusterIP\s+None\s+<none>\s+80\/TCP\s+\S+$/);
    const answer = lines(await s.ok("exec", "client", "--", "nslookup", "web-headless"));
    const podIPs = s.pods({ app: "web" }).map((p) => p.status?.podIP ?? "");
    expect(answer.filter((l) => l.startsWith("Address: ")).map((l) => l.slice(9)).sort()).toEqual([...podIPs].sort());
    expect(answer.filter((l) => l.startsWith("Name:"))).toEqual(podIPs.map(() => "Name:\tweb-headless.default.svc.cluster.local"));
  });
});

describe("lesson 10: namespaces", () => {
  it("create namespaces", async () => {
    expectOutput(await s.kubectl("create", "namespace", "dev"), "namespace/dev created\n");
    expectOutput(await s.kubectlWithInput("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n", "apply", "-f", "-"), "namespace/prod created\n");
    expect(lines(await s.ok("get", "namespaces", "--no-headers")).map((l) => l.split(/\s+/).slice(0, 2).join(" "))).toEqual(["default Active", "dev Active", "kube-node-lease Active", "kube-public Active", "kube-system Active", "prod Active"]);
    expect(await s.ok("get", "ns", "dev", "-o", "jsonpath={.metadata.labels}")).toBe('{"kubernetes.io/metadata.name":"dev"}');
  });

  it("deploy into one", async () => {
    expectOutput(await s.kubectl("create", "deployment", "api", "--image=nginx", "--replicas=2", "-n", "dev"), "deployment.apps/api created\n");
    expectOutput(await s.kubectl("expose", "deployment", "api", "--port=80", "-n", "dev"), "service/api exposed\n");
    await s.settle("2 api pods in dev", settled({ app: "api" }, 2, "dev"));
    expect(lines(await s.ok("get", "pods", "-n", "dev", "--no-headers")).map((l) => l.split(/\s+/).slice(1, 3).join(" "))).toEqual(["1/1 Running", "1/1 Running"]);
    expect(s.pods({ app: "api" })).toEqual([]);
    expect((await s.kubectl("get", "deployment", "api")).stderr).toBe('Error from server (NotFound): deployments.apps "api" not found\n');
  });

  it("reach across namespaces by DNS", async () => {
    const bare = await s.kubectl("exec", "client", "--", "wget", "-qO-", "http://api");
    expect({ code: bare.code, stderr: bare.stderr }).toEqual({ code: 1, stderr: "wget: bad address 'api'\ncommand terminated with exit code 1\n" });
    expect(await s.ok("exec", "client", "--", "wget", "-qO-", "http://api.dev")).toContain("<title>Welcome to nginx!</title>");
    const ip = await s.ok("get", "svc", "api", "-n", "dev", "-o", "jsonpath={.spec.clusterIP}");
    expect(lines(await s.ok("exec", "client", "--", "nslookup", "api.dev.svc.cluster.local"))).toContain(`Address: ${ip}`);
  });

  it("set a quota", async () => {
    expectOutput(await s.kubectl("create", "quota", "dev-quota", "-n", "dev", "--hard=pods=2,services=2"), "resourcequota/dev-quota created\n");
    await s.advance(1000);
    expectRows(await s.ok("get", "quota", "-n", "dev"), ["NAME        AGE   REQUEST                    LIMIT", "dev-quota   <AGE>   pods: 2/2, services: 1/2"]);
    const refused = await s.kubectl("run", "extra", "-n", "dev", "--image=nginx");
    expect({ code: refused.code, stderr: refused.stderr }).toEqual({ code: 1, stderr: 'Error from server (Forbidden): pods "extra" is forbidden: exceeded quota: dev-quota, requested: pods=1, used: pods=2, limited: pods=2\n' });
    expectOutput(await s.kubectl("scale", "deployment", "api", "-n", "dev", "--replicas=3"), "deployment.apps/api scaled\n");
    await s.advance(2000);
    expect(s.pods({ app: "api" }, "dev")).toHaveLength(2);
    const rs = lines(await s.ok("get", "rs", "-n", "dev", "-o", "name"))[0] ?? "";
    const failed = describedEvents(await s.ok("describe", "-n", "dev", rs)).filter(([, reason]) => reason === "FailedCreate");
    expect(failed[0]?.slice(0, 3)).toEqual(["Warning", "FailedCreate", "replicaset-controller"]);
    expect(failed[0]?.[3]).toMatch(/^Error creating: pods "api-[a-z0-9]+-[a-z0-9]{5}" is forbidden: exceeded quota: dev-quota, requested: pods=1, used: pods=2, limited: pods=2$/);
    expectOutput(await s.kubectl("delete", "quota", "dev-quota", "-n", "dev"), 'resourcequota "dev-quota" deleted\n');
    await s.settle("the third api pod", settled({ app: "api" }, 3, "dev"), 30_000);
  });
});

describe("lesson 11: storage", () => {
  const cachePod = `apiVersion: v1
kind: Pod
metadata:
  name: cache
spec:
  volumes:
  - name: scratch
    emptyDir: {}
  containers:
  - name: app
    image: busybox
    command: ["sleep", "infinity"]
    volumeMounts:
    - name: scratch
      mountPath: /cache
`;

  it("emptyDir: shares the pod's lifetime", async () => {
    expectOutput(await s.kubectlWithInput(cachePod, "apply", "-f", "-"), "pod/cache created\n");
    await s.settle("cache running", () => s.pods().some((p) => p.metadata.name === "cache" && p.status?.phase === "Running"));
    await s.ok("exec", "cache", "--", "sh", "-c", "echo kept > /cache/note; echo lost > /tmp/note");
    expect(await s.ok("exec", "cache", "--", "cat", "/cache/note")).toBe("kept\n");
    const described = lines(await s.ok("describe", "pod", "cache")).map((l) => l.trim());
    expect(described).toEqual(expect.arrayContaining(["/cache from scratch (rw)", "scratch:", "Type:       EmptyDir (a temporary directory that shares a pod's lifetime)"]));
    await s.waiting(s.kubectl("delete", "pod", "cache"));
    await s.okWithInput(cachePod, "apply", "-f", "-");
    await s.settle("cache running again", () => s.pods().some((p) => p.metadata.name === "cache" && p.status?.phase === "Running"));
    const gone = await s.kubectl("exec", "cache", "--", "cat", "/cache/note");
    expect(gone.stderr).toBe("cat: can't open '/cache/note': No such file or directory\ncommand terminated with exit code 1\n");
  });

  const PV = `apiVersion: v1
kind: PersistentVolume
metadata:
  name: pv-data
spec:
  capacity:
    storage: 1Gi
  accessModes: ["ReadWriteOnce"]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: manual
  hostPath:
    path: /mnt/data
`;
  const PVC = `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data-claim
spec:
  storageClassName: manual
  accessModes: ["ReadWriteOnce"]
  resources:
    requests:
      storage: 500Mi
`;
  const writer = (name: string): string => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  nodeName: node01
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: data-claim
  containers:
  - name: app
    image: nginx
    volumeMounts:
    - name: data
      mountPath: /usr/share/nginx/html
`;

  it("a PV and a PVC bound and mounted", async () => {
    expectOutput(await s.kubectlWithInput(PV, "apply", "-f", "-"), "persistentvolume/pv-data created\n");
    expectRows(await s.ok("get", "pv", "pv-data"), ["NAME      CAPACITY   ACCESS MODES   RECLAIM POLICY   STATUS      CLAIM   STORAGECLASS   VOLUMEATTRIBUTESCLASS   REASON   AGE", "pv-data   1Gi        RWO            Retain           Available           manual         <unset>                          <AGE>"]);
    expectOutput(await s.kubectlWithInput(PVC, "apply", "-f", "-"), "persistentvolumeclaim/data-claim created\n");
    await s.settle("claim bound", () => (s.get("", "persistentvolumeclaims", "data-claim") as { status?: { phase?: string } } | undefined)?.status?.phase === "Bound");
    expectRows(await s.ok("get", "pvc", "data-claim"), ["NAME         STATUS   VOLUME    CAPACITY   ACCESS MODES   STORAGECLASS   VOLUMEATTRIBUTESCLASS   AGE", "data-claim   Bound    pv-data   1Gi        RWO            manual         <unset>                 <AGE>"]);
    expect(lines(await s.ok("get", "pv", "pv-data"))[1]).toMatch(/^pv-data\s+1Gi\s+RWO\s+Retain\s+Bound\s+default\/data-claim\s+manual\s+<unset>\s+\S+$/);
    expectOutput(await s.kubectlWithInput(writer("writer"), "apply", "-f", "-"), "pod/writer created\n");
    await s.settle("writer running", () => s.pods().some((p) => p.metadata.name === "writer" && p.status?.phase === "Running"));
    expect(lines(await s.ok("describe", "pod", "writer")).map((l) => l.trim())).toEqual(expect.arrayContaining(["Type:       PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)", "ClaimName:  data-claim"]));
  });

  it("data survives a pod restart", async () => {
    await s.ok("exec", "writer", "--", "sh", "-c", "echo 'saved on a persistent volume' > /usr/share/nginx/html/index.html");
    await s.waiting(s.kubectl("delete", "pod", "writer"));
    await s.okWithInput(writer("reader"), "apply", "-f", "-");
    await s.settle("reader running", () => s.pods().some((p) => p.metadata.name === "reader" && p.status?.phase === "Running"));
    expect(await s.ok("exec", "reader", "--", "cat", "/usr/share/nginx/html/index.html")).toBe("saved on a persistent volume\n");
    const ip = await s.ok("get", "pod", "reader", "-o", "jsonpath={.status.podIP}");
    expect(await s.ok("exec", "client", "--", "wget", "-qO-", `http://${ip}/`)).toBe("saved on a persistent volume\n");
  });

  it("a claim on the default StorageClass is provisioned when a pod uses it", async () => {
    const claim = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: dynamic\nspec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: 1Gi\n";
    await s.okWithInput(claim, "apply", "-f", "-");
    await s.advance(1000);
    expect(lines(await s.ok("get", "pvc", "dynamic"))[1]).toMatch(/^dynamic\s+Pending\s+standard\s+<unset>\s+\S+$/);
    const user = writer("dynamic-user").replace("claimName: data-claim", "claimName: dynamic").replace("  nodeName: node01\n", "");
    await s.okWithInput(user, "apply", "-f", "-");
    await s.settle("dynamic bound", () => (s.get("", "persistentvolumeclaims", "dynamic") as { status?: { phase?: string } } | undefined)?.status?.phase === "Bound");
    expect(lines(await s.ok("get", "pvc", "dynamic"))[1]).toMatch(/^dynamic\s+Bound\s+pvc-[0-9a-f-]{36}\s+1Gi\s+RWO\s+standard\s+<unset>\s+\S+$/);
  });
});

describe("lesson 12: configuration and secrets", () => {
  const pod = `apiVersion: v1
kind: Pod
metadata:
  name: configured
spec:
  volumes:
  - name: config
    configMap:
      name: app-config
  - name: secret
    secret:
      secretName: db-secret
  containers:
  - name: app
    image: busybox
    command: ["sleep", "infinity"]
    envFrom:
    - configMapRef:
        name: app-config
    env:
    - name: DB_PASSWORD
      valueFrom:
        secretKeyRef:
          name: db-secret
          key: password
    volumeMounts:
    - name: config
      mountPath: /etc/config
    - name: secret
      mountPath: /etc/secret
      readOnly: true
`;

  it("inject config and a secret, as env and as files", async () => {
    expectOutput(await s.kubectl("create", "configmap", "app-config", "--from-literal=APP_MODE=production", "--from-literal=APP_COLOR=blue"), "configmap/app-config created\n");
    expectOutput(await s.kubectl("create", "secret", "generic", "db-secret", "--from-literal=password=s3cr3t"), "secret/db-secret created\n");
    expectRows(await s.ok("get", "secret", "db-secret"), ["NAME        TYPE     DATA   AGE", "db-secret   Opaque   1      <AGE>"]);
    expect(await s.ok("get", "secret", "db-secret", "-o", "jsonpath={.data.password}")).toBe(Buffer.from("s3cr3t").toString("base64"));
    expect(lines(await s.ok("describe", "secret", "db-secret")).at(-1)).toBe("password:  6 bytes");
    expectOutput(await s.kubectlWithInput(pod, "apply", "-f", "-"), "pod/configured created\n");
    await s.settle("configured running", () => s.pods().some((p) => p.metadata.name === "configured" && p.status?.phase === "Running"));
    expect(await s.ok("exec", "configured", "--", "sh", "-c", "echo $APP_MODE $APP_COLOR $DB_PASSWORD")).toBe("production blue s3cr3t\n");
    expect(lines(await s.ok("exec", "configured", "--", "ls", "/etc/config"))).toEqual(["APP_COLOR", "APP_MODE"]);
    expect(await s.ok("exec", "configured", "--", "cat", "/etc/config/APP_MODE")).toBe("production");
    expect(await s.ok("exec", "configured", "--", "cat", "/etc/secret/password")).toBe("s3cr3t");
  });

  it("a missing ConfigMap keeps the pod from starting: CreateContainerConfigError", async () => {
    await s.okWithInput(pod.replace("name: configured", "name: misconfigured").replace("name: app-config\n    env:", "name: app-settings\n    env:"), "apply", "-f", "-");
    await s.advance(3000);
    expect(lines(await s.ok("get", "pod", "misconfigured"))[1]).toMatch(/^misconfigured\s+0\/1\s+CreateContainerConfigError\s+0\s+\S+$/);
    expect(describedEvents(await s.ok("describe", "pod", "misconfigured")).map((e) => e.join(" | "))).toContain('Warning | Failed | kubelet | Error: configmap "app-settings" not found');
    expectOutput(await s.kubectl("create", "configmap", "app-settings", "--from-literal=APP_MODE=staging"), "configmap/app-settings created\n");
    await s.settle("misconfigured starts once the ConfigMap exists", () => s.pods().some((p) => p.metadata.name === "misconfigured" && p.status?.phase === "Running"), 60_000);
    expect(await s.ok("exec", "misconfigured", "--", "printenv", "APP_MODE")).toBe("staging\n");
  });
});
