// PATCH and apply end to end: the real /usr/bin/kubectl against a real sim
// cluster (see ../../test-kubectl.ts). Time stands still (ManualClock).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKubectlCluster, type KubectlCluster, type KubectlResult } from "../../test-kubectl";

const run = promisify(execFile);

let h: KubectlCluster;
const kubectl = (...args: string[]): Promise<KubectlResult> => h.kubectl(...args);

async function manifest(name: string, text: string): Promise<string> {
  const file = path.join(h.dir, name);
  await writeFile(file, text);
  return file;
}

const deployment = (image: string, replicas = 2): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: ${image}
        ports:
        - containerPort: 80
`;

async function json<T>(...args: string[]): Promise<T> {
  const { stdout, stderr } = await kubectl(...args, "-o", "json", "--show-managed-fields");
  if (!stdout) throw new Error(stderr);
  return JSON.parse(stdout) as T;
}

interface Obj {
  metadata: { generation?: number; resourceVersion: string; labels?: Record<string, string>; annotations?: Record<string, string>; managedFields?: { manager: string; operation: string }[] };
  spec: { replicas?: number; template: { spec: { containers: { name: string; image: string; ports?: unknown[] }[] } } };
  data?: Record<string, string>;
}

beforeAll(async () => {
  h = await startKubectlCluster("patch-learner");
});

afterAll(async () => {
  await h.close();
});

describe("kubectl apply (client side)", () => {
  it("creates, is idempotent, and keeps container ports when the image changes", async () => {
    const first = await manifest("web.yaml", deployment("nginx:1.27"));
    expect((await kubectl("apply", "-f", first)).stdout.trim()).toBe("deployment.apps/web created");
    expect((await kubectl("apply", "-f", first)).stdout.trim()).toBe("deployment.apps/web unchanged");
    const created = await json<Obj>("get", "deploy", "web");
    expect(created.metadata.generation).toBe(1);
    expect(created.metadata.managedFields?.map((m) => [m.manager, m.operation])).toEqual([["kubectl-client-side-apply", "Update"]]);

    const second = await manifest("web.yaml", deployment("nginx:1.28"));
    expect((await kubectl("apply", "-f", second)).stdout.trim()).toBe("deployment.apps/web configured");
    const updated = await json<Obj>("get", "deploy", "web");
    expect(updated.spec.template.spec.containers).toMatchObject([{ name: "nginx", image: "nginx:1.28", ports: [{ containerPort: 80, protocol: "TCP" }] }]);
    expect(updated.metadata.generation).toBe(2);
    expect((await kubectl("apply", "-f", second)).stdout.trim()).toBe("deployment.apps/web unchanged");
  });

  it("bumps generation on spec changes only", async () => {
    const before = await json<Obj>("get", "deploy", "web");
    expect((await kubectl("label", "deploy", "web", "team=a")).stdout.trim()).toBe("deployment.apps/web labeled");
    const labeled = await json<Obj>("get", "deploy", "web");
    expect(labeled.metadata.generation).toBe(before.metadata.generation);
    await kubectl("scale", "deploy", "web", "--replicas=3");
    expect((await json<Obj>("get", "deploy", "web")).metadata.generation).toBe((before.metadata.generation ?? 0) + 1);
    // A patch that changes nothing writes nothing.
    const rv = (await json<Obj>("get", "deploy", "web")).metadata.resourceVersion;
    expect((await kubectl("patch", "deploy", "web", "-p", '{"spec":{"replicas":3}}')).stdout.trim()).toBe("deployment.apps/web patched (no change)");
    expect((await json<Obj>("get", "deploy", "web")).metadata.resourceVersion).toBe(rv);
  });

  it("diff exits 1 with a diff when the file differs, 0 when not; dry runs persist nothing", async () => {
    const same = await manifest("same.yaml", deployment("nginx:1.28", 3));
    expect((await kubectl("diff", "-f", same)).code).toBe(0);
    const other = await manifest("other.yaml", deployment("nginx:1.29", 3));
    const diff = await kubectl("diff", "-f", other);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toMatch(/^-\s+- image: nginx:1\.28$/m);
    expect(diff.stdout).toMatch(/^\+\s+- image: nginx:1\.29$/m);
    expect((await json<Obj>("get", "deploy", "web")).spec.template.spec.containers[0]?.image).toBe("nginx:1.28");

    const cm = await manifest("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dry\ndata:\n  a: '1'\n");
    expect((await kubectl("create", "-f", cm, "--dry-run=server")).stdout.trim()).toBe("configmap/dry created (server dry run)");
    expect((await kubectl("get", "cm", "dry")).stderr.trim()).toBe('Error from server (NotFound): configmaps "dry" not found');
    const rv = (await json<Obj>("get", "deploy", "web")).metadata.resourceVersion;
    expect((await kubectl("scale", "deploy", "web", "--replicas=9", "--dry-run=server")).code).toBe(0);
    expect((await kubectl("delete", "deploy", "web", "--dry-run=server")).stdout.trim()).toBe('deployment.apps "web" deleted (server dry run)');
    const after = await json<Obj>("get", "deploy", "web");
    expect([after.metadata.resourceVersion, after.spec.replicas]).toEqual([rv, 3]);
  });
});

describe("kubectl apply --server-side", () => {
  it("applies twice, prunes dropped fields, and reports conflicts until forced", async () => {
    const cm = await manifest("ssa.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  a: '1'\n  b: '2'\n");
    expect((await kubectl("apply", "--server-side", "-f", cm)).stdout.trim()).toBe("configmap/ssa serverside-applied");
    const rv = (await json<Obj>("get", "cm", "ssa")).metadata.resourceVersion;
    expect((await kubectl("apply", "--server-side", "-f", cm)).stdout.trim()).toBe("configmap/ssa serverside-applied");
    const again = await json<Obj>("get", "cm", "ssa");
    expect(again.metadata.resourceVersion).toBe(rv);
    expect(again.metadata.managedFields).toMatchObject([{ manager: "kubectl", operation: "Apply", fieldsType: "FieldsV1", fieldsV1: { "f:data": { "f:a": {}, "f:b": {} } } }]);

    await writeFile(cm, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  a: '1'\n");
    await kubectl("apply", "--server-side", "-f", cm);
    expect((await json<Obj>("get", "cm", "ssa")).data).toEqual({ a: "1" });

    await kubectl("patch", "cm", "ssa", "--type=merge", "-p", '{"data":{"a":"changed"}}');
    const conflict = await kubectl("apply", "--server-side", "-f", cm);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain('error: Apply failed with 1 conflict: conflict with "kubectl-patch" using v1: .data.a');
    expect(conflict.stderr).toContain("--force-conflicts");
    expect((await kubectl("apply", "--server-side", "--force-conflicts", "-f", cm)).stdout.trim()).toBe("configmap/ssa serverside-applied");
    const forced = await json<Obj>("get", "cm", "ssa");
    expect(forced.data).toEqual({ a: "1" });
    expect(forced.metadata.managedFields?.map((m) => m.manager)).toEqual(["kubectl"]);
  });

  it("takes over a client-side applied Deployment and keeps it whole", async () => {
    const file = await manifest("web-ssa.yaml", deployment("nginx:1.30", 3));
    expect((await kubectl("apply", "--server-side", "--force-conflicts", "-f", file)).stdout.trim()).toBe("deployment.apps/web serverside-applied");
    const web = await json<Obj>("get", "deploy", "web");
    expect(web.spec.template.spec.containers).toMatchObject([{ name: "nginx", image: "nginx:1.30", imagePullPolicy: "IfNotPresent", ports: [{ containerPort: 80 }] }]);
    expect(web.metadata.labels).toEqual({ app: "web", team: "a" });
  });
});

describe("kubectl patch, label, annotate, edit, replace", () => {
  it("patches with --type strategic, merge and json, with upstream errors", async () => {
    const pod = await manifest("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p1\nspec:\n  containers:\n  - name: app\n    image: nginx:1.27\n");
    await kubectl("apply", "-f", pod);
    expect((await kubectl("patch", "pod", "p1", "-p", '{"spec":{"containers":[{"name":"app","image":"nginx:1.28"}]}}')).stdout.trim()).toBe("pod/p1 patched");
    expect((await kubectl("patch", "pod", "p1", "--type=merge", "-p", '{"metadata":{"labels":{"x":"1"}}}')).stdout.trim()).toBe("pod/p1 patched");
    expect((await kubectl("patch", "pod", "p1", "--type=json", "-p", '[{"op":"add","path":"/metadata/labels/a~1b","value":"2"},{"op":"test","path":"/metadata/labels/x","value":"1"}]')).code).toBe(0);
    const p1 = await json<Obj>("get", "pod", "p1");
    expect(p1.metadata.labels).toEqual({ x: "1", "a/b": "2" });
    expect(p1.spec.template).toBeUndefined();

    const missing = await kubectl("patch", "pod", "p1", "--type=json", "-p", '[{"op":"remove","path":"/spec/nope"}]');
    expect(missing.stderr.trim()).toBe("The request is invalid: the server rejected our request due to an error in our request");
    const forbidden = await kubectl("patch", "pod", "p1", "-p", '{"spec":{"containers":[{"name":"app","command":["sh"]}]}}');
    expect(forbidden.stderr).toContain('The Pod "p1" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`');
  });

  it("labels and annotates: add, overwrite only with --overwrite, remove with key-", async () => {
    expect((await kubectl("label", "pod", "p1", "tier=web")).stdout.trim()).toBe("pod/p1 labeled");
    expect((await kubectl("label", "pod", "p1", "tier=db")).stderr.trim()).toBe("error: 'tier' already has a value (web), and --overwrite is false");
    expect((await kubectl("label", "pod", "p1", "tier=db", "--overwrite")).stdout.trim()).toBe("pod/p1 labeled");
    expect((await json<Obj>("get", "pod", "p1")).metadata.labels?.tier).toBe("db");
    expect((await kubectl("label", "pod", "p1", "tier-")).stdout.trim()).toBe("pod/p1 unlabeled");
    expect((await kubectl("annotate", "pod", "p1", "note=hi")).stdout.trim()).toBe("pod/p1 annotated");
    const p1 = await json<Obj>("get", "pod", "p1");
    expect(p1.metadata.labels?.tier).toBeUndefined();
    expect(p1.metadata.annotations?.note).toBe("hi");
    // kubectl-label owned only the label it removed, so its entry is gone.
    expect(p1.metadata.managedFields?.map((m) => m.manager).sort()).toEqual(["kubectl-annotate", "kubectl-client-side-apply", "kubectl-patch"]);
  });

  it("edits with a scripted EDITOR", async () => {
    const env = { NODE_ENV: "test" as const, HOME: h.dir, PATH: "/usr/bin:/bin", EDITOR: "sed -i s/nginx:1.28/nginx:1.29/" };
    const result = await run("/usr/bin/kubectl", ["--kubeconfig", h.kubeconfig, "edit", "pod", "p1"], { env });
    expect(result.stdout.trim()).toBe("pod/p1 edited");
    const p1 = await json<Obj & { spec: { containers: { image: string }[] } }>("get", "pod", "p1");
    expect(p1.spec.containers[0]?.image).toBe("nginx:1.29");
    expect(p1.metadata.managedFields?.map((m) => m.manager)).toContain("kubectl-edit");
  });

  it("refuses a replace from a stale resourceVersion with Conflict", async () => {
    const stale = path.join(h.dir, "stale.yaml");
    await writeFile(stale, (await kubectl("get", "pod", "p1", "-o", "yaml")).stdout);
    await kubectl("label", "pod", "p1", "fresh=1");
    const replaced = await kubectl("replace", "-f", stale);
    expect(replaced.code).toBe(1);
    expect(replaced.stderr.trim()).toBe(`Error from server (Conflict): error when replacing "${stale}": Operation cannot be fulfilled on pods "p1": the object has been modified; please apply your changes to the latest version and try again`);
    expect(await readFile(stale, "utf8")).toContain("name: p1");
  });

  it("keeps allocated values on replace and refuses immutable changes", async () => {
    const svc = await manifest("svc.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: s1\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 80\n");
    await kubectl("apply", "-f", svc);
    const ip = (await kubectl("get", "svc", "s1", "-o", "jsonpath={.spec.clusterIP}")).stdout;
    expect(ip).toMatch(/^10\.96\./);
    expect((await kubectl("replace", "-f", svc)).stdout.trim()).toBe("service/s1 replaced");
    expect((await kubectl("get", "svc", "s1", "-o", "jsonpath={.spec.clusterIP}")).stdout).toBe(ip);
    const moved = await kubectl("patch", "svc", "s1", "-p", '{"spec":{"clusterIP":"10.96.99.99"}}');
    expect(moved.stderr).toContain('The Service "s1" is invalid: spec.clusterIPs[0]: Invalid value: "10.96.99.99": may not change once set');
    const selector = await kubectl("patch", "deploy", "web", "--type=merge", "-p", '{"spec":{"selector":{"matchLabels":{"app":"other"}}}}');
    expect(selector.stderr).toContain('The Deployment "web" is invalid:');
    expect(selector.stderr).toContain("spec.selector: Invalid value:");
    expect(selector.stderr).toContain("field is immutable");
  });
});
