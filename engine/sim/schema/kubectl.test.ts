// The schema registry as real kubectl sees it: OpenAPI v3 for explain, apply
// and create -f validation; server-side fieldValidation; protobuf bodies from
// kubectl's `create <generator>` commands.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKubectlCluster, type KubectlCluster, type KubectlResult } from "../test-kubectl";

let cluster: KubectlCluster;

function kubectl(...args: string[]): Promise<KubectlResult> {
  return cluster.kubectl(...args);
}

async function getJson(...args: string[]): Promise<Record<string, unknown> & { spec?: Record<string, unknown> }> {
  const { stdout, stderr } = await kubectl("get", ...args, "-o", "json");
  if (!stdout) throw new Error(stderr);
  return JSON.parse(stdout) as Record<string, unknown>;
}

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: web
spec:
  containers:
  - name: web
    image: nginx:1.27
    ports:
    - containerPort: 80
      name: http
`;

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: shop}
  template:
    metadata:
      labels: {app: shop}
    spec:
      containers:
      - name: shop
        image: nginx:1.27
        ports:
        - containerPort: 8080
        resources:
          limits: {cpu: 500m, memory: 128Mi}
        readinessProbe:
          httpGet: {path: /healthz, port: 8080}
`;

const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: shop
spec:
  selector: {app: shop}
  ports:
  - port: 80
    targetPort: 8080
`;

beforeAll(async () => {
  cluster = await startKubectlCluster("schema-learner");
});

afterAll(async () => {
  await cluster.close();
});

describe("kubectl explain", () => {
  it("explains a kind with its fields and our descriptions", async () => {
    const { stdout, code } = await kubectl("explain", "pods");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^KIND:\s+Pod\nVERSION:\s+v1\n/);
    expect(stdout).toContain("The smallest thing Kubernetes runs");
    expect(stdout).toMatch(/^ {2}spec\t<PodSpec>$/m);
    expect(stdout).toMatch(/^ {2}metadata\t<ObjectMeta>$/m);
  });

  it("explains a nested field, with required fields and enums", async () => {
    const { stdout } = await kubectl("explain", "pod.spec.containers.ports");
    expect(stdout).toContain("FIELD: ports <[]ContainerPort>");
    expect(stdout).toMatch(/^ {2}containerPort\t<integer> -required-$/m);
    expect(stdout).toMatch(/^ {2}protocol\t<string>\n {2}enum: SCTP, TCP, UDP$/m);
    const resources = (await kubectl("explain", "pod.spec.containers.resources")).stdout;
    expect(resources).toMatch(/^ {2}limits\t<map\[string\]Quantity>$/m);
    expect((await kubectl("explain", "svc.spec.ports.targetPort")).stdout).toContain("FIELD: targetPort <IntOrString>");
  });

  it("explains recursively, in a named group", async () => {
    const { stdout } = await kubectl("explain", "deployment.spec", "--recursive");
    expect(stdout).toMatch(/^GROUP:\s+apps\nKIND:\s+Deployment\nVERSION:\s+v1\n/);
    expect(stdout).toMatch(/^ {2}selector\t<LabelSelector> -required-$/m);
    expect(stdout).toMatch(/^ {4}rollingUpdate\t<RollingUpdateDeployment>$/m);
    expect(stdout).toMatch(/^ {6}maxSurge\t<IntOrString>$/m);
    expect(stdout).toMatch(/^ {6}containers\t<\[\]Container> -required-$/m);
  });

  it("explains the kinds controllers and kubelets write: Endpoints, EndpointSlice, Lease, ReplicationController", async () => {
    const endpoints = (await kubectl("explain", "endpoints")).stdout;
    expect(endpoints).toMatch(/^KIND:\s+Endpoints\nVERSION:\s+v1\n/);
    expect(endpoints).toMatch(/^ {2}subsets\t<\[\]EndpointSubset>$/m);
    const rc = (await kubectl("explain", "rc.spec")).stdout;
    expect(rc).toMatch(/^KIND:\s+ReplicationController\nVERSION:\s+v1\n\nFIELD: spec <ReplicationControllerSpec>$/m);
    expect(rc).toMatch(/^ {2}selector\t<map\[string\]string>$/m);
    expect(rc).toMatch(/^ {2}template\t<PodTemplateSpec>$/m);
    const slices = (await kubectl("explain", "endpointslices.endpoints")).stdout;
    expect(slices).toMatch(/^GROUP:\s+discovery\.k8s\.io\nKIND:\s+EndpointSlice\nVERSION:\s+v1\n\nFIELD: endpoints <\[\]Endpoint>$/m);
    expect(slices).toMatch(/^ {2}addresses\t<\[\]string> -required-$/m);
    expect(slices).toMatch(/^ {2}conditions\t<EndpointConditions>$/m);
    const lease = (await kubectl("explain", "lease.spec")).stdout;
    expect(lease).toMatch(/^GROUP:\s+coordination\.k8s\.io\nKIND:\s+Lease\nVERSION:\s+v1\n/);
    expect(lease).toMatch(/^ {2}holderIdentity\t<string>$/m);
    expect(lease).toMatch(/^ {2}renewTime\t<string>$/m);
    for (const kind of ["cs", "controllerrevisions", "nodemetrics", "tokenreviews", "subjectaccessreviews", "bindings", "podtemplates", "csinodes"]) {
      expect((await kubectl("explain", kind)).code, kind).toBe(0);
    }
  });

  it("reports fields that do not exist", async () => {
    const { stderr, code } = await kubectl("explain", "pod.spec.nope");
    expect(code).not.toBe(0);
    expect(stderr).toContain('field "nope" does not exist');
  });
});

describe("OpenAPI v3 over HTTP", () => {
  it("indexes group versions by content hash and serves hashed documents as immutable", async () => {
    const index = (await (await cluster.api("/openapi/v3")).json()) as { paths: Record<string, { serverRelativeURL: string }> };
    expect(Object.keys(index.paths)).toEqual(expect.arrayContaining(["api/v1", "apis/apps/v1"]));
    const url = index.paths["apis/apps/v1"]?.serverRelativeURL ?? "";
    expect(url).toMatch(/^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]{128}$/);
    const res = await cluster.api(url);
    expect(res.headers.get("cache-control")).toBe("public, immutable");
    const doc = (await res.json()) as {
      paths: Record<string, { patch?: { parameters: { name: string; in: string }[]; "x-kubernetes-group-version-kind": unknown } }>;
      components: { schemas: Record<string, { "x-kubernetes-group-version-kind"?: unknown; properties?: Record<string, Record<string, unknown>> }> };
    };
    const patch = doc.paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]?.patch;
    expect(patch?.["x-kubernetes-group-version-kind"]).toEqual({ group: "apps", kind: "Deployment", version: "v1" });
    expect(patch?.parameters).toContainEqual(expect.objectContaining({ name: "fieldValidation", in: "query" }));
    expect(doc.components.schemas["io.k8s.api.apps.v1.Deployment"]?.["x-kubernetes-group-version-kind"]).toEqual([{ group: "apps", kind: "Deployment", version: "v1" }]);
    expect(doc.components.schemas["io.k8s.api.core.v1.PodSpec"]?.properties?.containers).toMatchObject({
      "x-kubernetes-patch-merge-key": "name",
      "x-kubernetes-patch-strategy": "merge",
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["name"],
    });
    expect(doc.components.schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]).toBeDefined();
    expect((await cluster.api("/openapi/v3/apis/nope/v1")).status).toBe(404);
  });
});

describe("kubectl apply and create -f", () => {
  it("applies a pod without --validate=false, and a second apply is unchanged", async () => {
    const first = await cluster.kubectlWithInput(POD, "apply", "-f", "-");
    expect(first.stderr).toBe("");
    expect(first.stdout.trim()).toBe("pod/web created");
    const second = await cluster.kubectlWithInput(POD, "apply", "-f", "-");
    expect(second.stderr).toBe("");
    expect(second.stdout.trim()).toBe("pod/web unchanged");
    const pod = await getJson("pod", "web");
    expect(pod.spec?.containers).toMatchObject([{ ports: [{ containerPort: 80, name: "http", protocol: "TCP" }] }]);
  });

  it("applies a deployment and a service", async () => {
    const out = await cluster.kubectlWithInput(`${DEPLOYMENT}---\n${SERVICE}`, "apply", "-f", "-");
    expect(out.stderr).toBe("");
    expect(out.stdout.trim().split("\n")).toEqual(["deployment.apps/shop created", "service/shop created"]);
    const changed = DEPLOYMENT.replace("replicas: 2", "replicas: 3");
    const again = await cluster.kubectlWithInput(`${changed}---\n${SERVICE}`, "apply", "-f", "-");
    expect(again.stderr).toBe("");
    expect(again.stdout.trim().split("\n")).toEqual(["deployment.apps/shop configured", "service/shop unchanged"]);
    expect((await getJson("deployment", "shop")).spec?.replicas).toBe(3);
  });

  it("applies storage and network policy manifests under strict validation", async () => {
    const manifests = `apiVersion: v1
kind: PersistentVolume
metadata: {name: pv1}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  hostPath: {path: /data/pv1}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: claim1}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-only}
spec:
  podSelector: {matchLabels: {app: db}}
  policyTypes: [Ingress]
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
    ports: [{port: 5432, protocol: TCP}]
`;
    const out = await cluster.kubectlWithInput(manifests, "apply", "-f", "-");
    expect(out.stderr).toBe("");
    expect(out.stdout.trim().split("\n")).toEqual(["persistentvolume/pv1 created", "persistentvolumeclaim/claim1 created", "networkpolicy.networking.k8s.io/web-only created"]);
  });

  it("rejects an unknown field with kubectl's strict decoding error", async () => {
    const bad = POD.replace("name: web\n  labels", "name: strict\n  labels").replace("    image: nginx:1.27\n", "    image: nginx:1.27\n    imagePolicy: Always\n");
    const out = await cluster.kubectlWithInput(bad, "create", "-f", "-");
    expect(out.code).toBe(1);
    expect(out.stderr.trim()).toBe(
      'Error from server (BadRequest): error when creating "STDIN": Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].imagePolicy"',
    );
    expect((await kubectl("get", "pod", "strict")).stderr).toContain("NotFound");
  });

  it("only warns with --validate=warn, and creates the object", async () => {
    const odd = POD.replace("name: web\n  labels", "name: lenient\n  labels").replace("spec:\n", "spec:\n  colour: blue\n");
    const out = await cluster.kubectlWithInput(odd, "create", "-f", "-", "--validate=warn");
    expect(out.code).toBe(0);
    expect(out.stderr.trim()).toBe('Warning: unknown field "spec.colour"');
    expect(out.stdout.trim()).toBe("pod/lenient created");
    expect((await getJson("pod", "lenient")).spec).not.toHaveProperty("colour");
  });

  it("warns about (and drops) an unknown field in a patch; rejects it under Strict", async () => {
    // kubectl patch sends no fieldValidation: the server's default is Warn.
    const out = await kubectl("patch", "deployment", "shop", "--type=merge", "-p", '{"spec":{"replica":1,"minReadySeconds":2}}');
    expect(out.stderr.trim()).toBe('Warning: unknown field "spec.replica"');
    expect(out.stdout.trim()).toBe("deployment.apps/shop patched");
    const stored = await getJson("deployment", "shop");
    expect(stored.spec).toMatchObject({ minReadySeconds: 2 });
    expect(stored.spec).not.toHaveProperty("replica");
    const strict = await cluster.api("/apis/apps/v1/namespaces/default/deployments/shop?fieldValidation=Strict", {
      method: "PATCH",
      headers: { "Content-Type": "application/merge-patch+json" },
      body: JSON.stringify({ spec: { template: { spec: { containers: [{ name: "shop", imagePolicy: "x" }] } } } }),
    });
    expect(strict.status).toBe(400);
    expect(((await strict.json()) as { message: string }).message).toBe('strict decoding error: unknown field "spec.template.spec.containers[0].imagePolicy"');
  });
});

describe("kubectl create <generator> (protobuf bodies)", () => {
  const created = async (...args: string[]): Promise<string> => {
    const out = await kubectl("create", ...args);
    expect(out.stderr).toBe("");
    return out.stdout.trim();
  };

  it("namespace, configmap, secret and serviceaccount", async () => {
    expect(await created("namespace", "team-a")).toBe("namespace/team-a created");
    expect(await created("configmap", "settings", "--from-literal=mode=fast", "--from-literal=level=3")).toBe("configmap/settings created");
    expect((await getJson("configmap", "settings")).data).toEqual({ mode: "fast", level: "3" });
    expect(await created("secret", "generic", "db", "--from-literal=user=admin")).toBe("secret/db created");
    const secret = await getJson("secret", "db");
    expect(secret).toMatchObject({ type: "Opaque", data: { user: Buffer.from("admin").toString("base64") } });
    expect(await created("serviceaccount", "robot")).toBe("serviceaccount/robot created");
  });

  it("services: clusterip and nodeport with int-or-string target ports", async () => {
    expect(await created("service", "clusterip", "api", "--tcp=80:8080")).toBe("service/api created");
    const api = await getJson("service", "api");
    expect(api.spec).toMatchObject({ type: "ClusterIP", selector: { app: "api" }, ports: [{ name: "80-8080", port: 80, targetPort: 8080, protocol: "TCP" }] });
    expect(await created("service", "nodeport", "edge", "--tcp=80:8080")).toBe("service/edge created");
    const edge = await getJson("service", "edge");
    expect(edge.spec).toMatchObject({ type: "NodePort", ports: [{ port: 80, targetPort: 8080, nodePort: expect.any(Number) as unknown }] });
  });

  it("deployment with --replicas and --port, keeping replicas 0", async () => {
    expect(await created("deployment", "web", "--image=nginx", "--replicas=2", "--port=80")).toBe("deployment.apps/web created");
    const web = await getJson("deployment", "web");
    expect(web.spec).toMatchObject({ replicas: 2, selector: { matchLabels: { app: "web" } } });
    expect(web.spec?.template).toMatchObject({ metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "nginx", ports: [{ containerPort: 80 }] }] } });
    expect(await created("deployment", "idle", "--image=nginx", "--replicas=0")).toBe("deployment.apps/idle created");
    expect((await getJson("deployment", "idle")).spec?.replicas).toBe(0);
  });

  it("job and cronjob", async () => {
    expect(await created("job", "once", "--image=busybox", "--", "echo", "hi")).toBe("job.batch/once created");
    expect((await getJson("job", "once")).spec?.template).toMatchObject({ spec: { containers: [{ command: ["echo", "hi"] }], restartPolicy: "Never" } });
    expect(await created("cronjob", "tick", "--image=busybox", "--schedule=*/5 * * * *")).toBe("cronjob.batch/tick created");
    expect((await getJson("cronjob", "tick")).spec).toMatchObject({ schedule: "*/5 * * * *" });
  });

  it("role, rolebinding, clusterrole, clusterrolebinding", async () => {
    expect(await created("role", "reader", "--verb=get,list", "--resource=pods")).toBe("role.rbac.authorization.k8s.io/reader created");
    expect((await getJson("role", "reader")).rules).toEqual([{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }]);
    expect(await created("rolebinding", "reader", "--role=reader", "--user=jane")).toBe("rolebinding.rbac.authorization.k8s.io/reader created");
    expect(await getJson("rolebinding", "reader")).toMatchObject({
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "reader" },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "jane" }],
    });
    expect(await created("clusterrole", "node-reader", "--verb=get", "--resource=nodes")).toBe("clusterrole.rbac.authorization.k8s.io/node-reader created");
    expect(await created("clusterrolebinding", "ops", "--clusterrole=node-reader", "--group=ops")).toBe("clusterrolebinding.rbac.authorization.k8s.io/ops created");
  });

  it("quota with quantities", async () => {
    expect(await created("quota", "small", "--hard=pods=10,requests.cpu=2,limits.memory=4Gi")).toBe("resourcequota/small created");
    expect((await getJson("quota", "small")).spec).toEqual({ hard: { pods: "10", "requests.cpu": "2", "limits.memory": "4Gi" } });
  });

  it("ingress", async () => {
    expect(await created("ingress", "site", "--rule=shop.example.com/=shop:80")).toBe("ingress.networking.k8s.io/site created");
    expect((await getJson("ingress", "site")).spec).toMatchObject({ rules: [{ host: "shop.example.com", http: { paths: [{ path: "/", backend: { service: { name: "shop", port: { number: 80 } } } }] } }] });
  });

  it("token and auth can-i", async () => {
    const token = await kubectl("create", "token", "robot");
    expect(token.stderr).toBe("");
    expect(token.stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect((await kubectl("auth", "can-i", "list", "pods")).stdout.trim()).toBe("yes");
  });
});
