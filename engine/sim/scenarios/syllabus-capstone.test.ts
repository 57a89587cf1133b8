// Lesson 18 of ../shared/course/SYLLABUS.md, the capstone: a small multi-tier
// app built to a spec (deployment, service, config, storage, probes, scaling,
// rolling update), applied as one manifest with the real kubectl 1.32 and
// every part checked the way a grader reads the cluster.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectOutput, expectRows, lines, readyPods, startScenario, type Scenario } from "./harness";

let s: Scenario;

beforeAll(async () => {
  s = await startScenario("learner-capstone");
  // The grader's vantage point: a pod outside the app's namespace.
  await s.ok("run", "grader", "--image=busybox", "--", "sleep", "infinity");
  await s.settle("grader running", readyPods(s, { run: "grader" }, 1));
});
afterAll(async () => s.close());

const PAGE = "<h1>Capstone shop</h1>\n";
const APP = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-content
  namespace: shop
data:
  index.html: |
    <h1>Capstone shop</h1>
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: cache-data
  namespace: shop
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: cache
  namespace: shop
spec:
  replicas: 1
  selector:
    matchLabels:
      app: cache
  template:
    metadata:
      labels:
        app: cache
        tier: backend
    spec:
      containers:
      - name: redis
        image: redis:7
        ports:
        - containerPort: 6379
        volumeMounts:
        - name: data
          mountPath: /data
      volumes:
      - name: data
        persistentVolumeClaim:
          claimName: cache-data
---
apiVersion: v1
kind: Service
metadata:
  name: cache
  namespace: shop
spec:
  selector:
    app: cache
  ports:
  - port: 6379
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
        tier: frontend
    spec:
      containers:
      - name: nginx
        image: nginx:1.26
        env:
        - name: CACHE_HOST
          value: cache.shop.svc.cluster.local
        ports:
        - containerPort: 80
        resources:
          requests:
            cpu: 50m
            memory: 32Mi
          limits:
            cpu: 200m
            memory: 128Mi
        readinessProbe:
          httpGet:
            path: /
            port: 80
        livenessProbe:
          httpGet:
            path: /
            port: 80
        volumeMounts:
        - name: content
          mountPath: /usr/share/nginx/html
      volumes:
      - name: content
        configMap:
          name: web-content
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  type: NodePort
  selector:
    app: web
  ports:
  - port: 80
    nodePort: 30090
`;

const inShop = (...args: string[]): string[] => ["-n", "shop", ...args];

describe("lesson 18: capstone", () => {
  it("build it to a spec: one manifest applied", async () => {
    expectOutput(
      await s.kubectlWithInput(APP, "apply", "-f", "-"),
      ["namespace/shop created", "configmap/web-content created", "persistentvolumeclaim/cache-data created", "deployment.apps/cache created", "service/cache created", "deployment.apps/web created", "service/web created", ""].join("\n"),
    );
    await s.settle("web and cache ready", () => readyPods(s, { app: "web" }, 2, "shop")() && readyPods(s, { app: "cache" }, 1, "shop")());
    expectRows(await s.ok(...inShop("get", "deployments")), ["NAME    READY   UP-TO-DATE   AVAILABLE   AGE", "cache   1/1     1            1           <AGE>", "web     2/2     2            2           <AGE>"]);
    expectOutput(await s.kubectlWithInput(APP, "apply", "-f", "-"), ["namespace/shop unchanged", "configmap/web-content unchanged", "persistentvolumeclaim/cache-data unchanged", "deployment.apps/cache unchanged", "service/cache unchanged", "deployment.apps/web unchanged", "service/web unchanged", ""].join("\n"));
  });

  it("every part graded: services and endpoints, config, storage, probes, limits", async () => {
    const webIPs = s.pods({ app: "web" }, "shop").map((p) => `${p.status?.podIP ?? ""}:80`).sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
    expectRows(await s.ok(...inShop("get", "endpoints", "web")), ["NAME   ENDPOINTS                     AGE", `web    ${webIPs.join(",")}   <AGE>`]);
    expect(lines(await s.ok(...inShop("get", "svc", "web")))[1]).toMatch(/^web\s+NodePort\s+10\.96\.\d+\.\d+\s+<none>\s+80:30090\/TCP\s+\S+$/);
    expect(lines(await s.ok(...inShop("get", "pvc", "cache-data")))[1]).toMatch(/^cache-data\s+Bound\s+pvc-[0-9a-f-]{36}\s+1Gi\s+RWO\s+standard\s+<unset>\s+\S+$/);
    const [web = ""] = s.pods({ app: "web" }, "shop").map((p) => p.metadata.name ?? "");
    expect(await s.ok(...inShop("exec", web, "--", "cat", "/usr/share/nginx/html/index.html"))).toBe(PAGE);
    expect(await s.ok(...inShop("exec", web, "--", "printenv", "CACHE_HOST"))).toBe("cache.shop.svc.cluster.local\n");
    expect(await s.ok(...inShop("get", "pod", web, "-o", "jsonpath={.status.qosClass}"))).toBe("Burstable");
    const [cache = ""] = s.pods({ app: "cache" }, "shop").map((p) => p.metadata.name ?? "");
    expect(await s.ok(...inShop("exec", cache, "--", "df", "/data"))).toContain("/data");

    // From outside the namespace: the page through the NodePort on every node, the cache by its DNS name.
    for (const node of ["172.30.1.2", "172.30.2.2", "172.30.2.3"]) expect(await s.ok("exec", "grader", "--", "wget", "-qO-", `http://${node}:30090/`)).toBe(PAGE);
    const cacheIP = await s.ok(...inShop("get", "svc", "cache", "-o", "jsonpath={.spec.clusterIP}"));
    expect(lines(await s.ok("exec", "grader", "--", "nslookup", "cache.shop"))).toContain(`Address: ${cacheIP}`);
    // The probes as the API server stores them: upstream defaults the template's probes too.
    expect(await s.ok(...inShop("get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].readinessProbe.httpGet.path} {.spec.template.spec.containers[0].readinessProbe.periodSeconds}"))).toBe("/ 10");
  });

  it("scaling", async () => {
    expectOutput(await s.kubectl(...inShop("scale", "deployment", "web", "--replicas=4")), "deployment.apps/web scaled\n");
    await s.settle("4 web pods", readyPods(s, { app: "web" }, 4, "shop"));
    expect(lines(await s.ok(...inShop("get", "endpoints", "web")))[1]).toMatch(/^web\s+(10\.244\.\d+\.\d+:80,){2}10\.244\.\d+\.\d+:80 \+ 1 more\.\.\.\s+\S+$/);
  });

  it("rolling update: the page keeps being served", async () => {
    expectOutput(await s.kubectl(...inShop("set", "image", "deployment/web", "nginx=nginx:1.27")), "deployment.apps/web image updated\n");
    const status = await s.waiting(s.kubectl(...inShop("rollout", "status", "deployment/web")));
    expect(lines(status.stdout).at(-1)).toBe('deployment "web" successfully rolled out');
    await s.settle("4 updated web pods", () => readyPods(s, { app: "web" }, 4, "shop")() && s.pods({ app: "web" }, "shop").every((p) => p.spec.containers[0]?.image === "nginx:1.27"));
    expect(await s.ok("exec", "grader", "--", "wget", "-qO-", "http://web.shop")).toBe(PAGE);
    expectRows(await s.ok(...inShop("rollout", "history", "deployment/web")), ["deployment.apps/web", "REVISION  CHANGE-CAUSE", "1         <none>", "2         <none>", ""]);
  });
});
