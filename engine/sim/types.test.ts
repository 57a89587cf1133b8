// The resource types beyond pods and nodes, through the real kubectl: their
// tables (default and wide), defaults, validation, the `all` category,
// the scale subresource and `kubectl top`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows, startKubectlCluster, until, type KubectlCluster } from "./test-kubectl";

let c: KubectlCluster;

const AGE = expect.stringMatching(/^\d+[smhd]/) as unknown;

const MANIFESTS = `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      nodeSelector: {kubernetes.io/os: linux}
      containers: [{name: agent, image: busybox}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: redis, image: "redis:7"}]}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: front}
spec:
  replicas: 3
  selector: {matchLabels: {app: front}}
  template:
    metadata: {labels: {app: front}}
    spec: {containers: [{name: nginx, image: nginx}, {name: side, image: busybox}]}
---
apiVersion: v1
kind: ReplicationController
metadata: {name: legacy}
spec:
  replicas: 2
  template:
    metadata: {labels: {app: legacy}}
    spec: {containers: [{name: httpd, image: httpd}]}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv1}
spec: {capacity: {storage: 5Gi}, accessModes: [ReadWriteMany, ReadWriteOnce], storageClassName: manual, hostPath: {path: /data}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}, storageClassName: standard}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: compute}
spec: {hard: {pods: "10", requests.cpu: "2", limits.memory: 4Gi}}
---
apiVersion: v1
kind: LimitRange
metadata: {name: limits}
spec: {limits: [{type: Container, max: {cpu: "1"}, min: {cpu: 50m}}]}
---
apiVersion: v1
kind: Endpoints
metadata: {name: manual}
subsets:
- addresses: [{ip: 10.0.0.1}, {ip: 10.0.0.2}]
  ports: [{port: 80}, {port: 443}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: manual-abc, labels: {kubernetes.io/service-name: manual}}
addressType: IPv4
ports: [{port: 80}]
endpoints: [{addresses: [10.0.0.1]}, {addresses: [10.0.0.2]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all}
spec: {podSelector: {}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-only}
spec: {podSelector: {matchLabels: {app: web}}}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: fast}
provisioner: example.com/ssd
allowVolumeExpansion: true
`;

const INGRESS = `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: site}
spec:
  ingressClassName: nginx
  tls: [{hosts: [a.example.com]}]
  rules:
  - host: a.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
  - host: b.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
`;

beforeAll(async () => {
  c = await startKubectlCluster("types-learner");
  for (const args of [
    ["create", "deployment", "web", "--image=nginx:1.27", "--replicas=2"],
    ["create", "job", "once", "--image=busybox", "--", "true"],
    ["create", "cronjob", "tick", "--image=busybox", "--schedule=*/5 * * * *", "--", "date"],
    ["create", "configmap", "settings", "--from-literal=a=1"],
    ["run", "solo", "--image=nginx"],
  ]) {
    const result = await c.kubectl(...args);
    expect(result.stderr).toBe("");
  }
  const applied = await c.kubectlWithInput(MANIFESTS, "apply", "-f", "-");
  expect(applied.stderr).toBe("");
  // Schema validation of Ingress paths is not this test's subject.
  const ingress = await c.kubectlWithInput(INGRESS, "apply", "--validate=false", "-f", "-");
  expect(ingress.stderr).toBe("");
});

afterAll(async () => {
  await c.close();
});

describe("tables", () => {
  it("Deployment, with upstream defaults", async () => {
    const wide = rows((await c.kubectl("get", "deployments", "-o", "wide")).stdout);
    expect(wide).toEqual([
      ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"],
      // The controllers have made the pods (UP-TO-DATE); the clock has not moved, so none is ready yet.
      ["web", "0/2", "2", "0", AGE, "nginx", "nginx:1.27", "app=web"],
    ]);
    const deployment = JSON.parse((await c.kubectl("get", "deployment", "web", "-o", "json")).stdout) as { metadata: { generation: number }; spec: Record<string, unknown> & { template: { spec: Record<string, unknown> } } };
    expect(deployment.metadata.generation).toBe(1);
    expect(deployment.spec).toMatchObject({
      replicas: 2,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
    });
    expect(deployment.spec.template.spec).toMatchObject({ restartPolicy: "Always", dnsPolicy: "ClusterFirst", terminationGracePeriodSeconds: 30, schedulerName: "default-scheduler" });
  });

  it("ReplicaSet, ReplicationController, DaemonSet, StatefulSet", async () => {
    expect(rows((await c.kubectl("get", "rs", "-o", "wide")).stdout)).toEqual([
      ["NAME", "DESIRED", "CURRENT", "READY", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"],
      ["front", "3", "3", "0", AGE, "nginx,side", "nginx,busybox", "app=front"],
      // The Deployment's ReplicaSet, named after its pod-template-hash.
      [expect.stringMatching(/^web-[bcdfghjklmnpqrstvwxz2456789]{9,10}$/), "2", "2", "0", AGE, "nginx", "nginx:1.27", expect.stringMatching(/^app=web,pod-template-hash=[bcdfghjklmnpqrstvwxz2456789]{9,10}$/)],
    ]);
    expect(rows((await c.kubectl("get", "rc", "-o", "wide")).stdout)).toEqual([
      ["NAME", "DESIRED", "CURRENT", "READY", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"],
      ["legacy", "2", "2", "0", AGE, "httpd", "httpd", "app=legacy"],
    ]);
    expect(rows((await c.kubectl("get", "ds", "-o", "wide")).stdout)).toEqual([
      ["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"],
      // The DaemonSet controller gives each worker a pod (the control plane is tainted).
      ["agent", "2", "2", "0", "2", "0", "kubernetes.io/os=linux", AGE, "agent", "busybox", "app=agent"],
    ]);
    expect(rows((await c.kubectl("get", "sts", "-o", "wide")).stdout)).toEqual([
      ["NAME", "READY", "AGE", "CONTAINERS", "IMAGES"],
      ["db", "0/2", AGE, "redis", "redis:7"],
    ]);
  });

  it("Job and CronJob", async () => {
    const jobs = rows((await c.kubectl("get", "jobs", "-o", "wide")).stdout);
    expect(jobs[0]).toEqual(["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"]);
    expect(jobs[1]).toEqual(["once", "Running", "0/1", expect.stringMatching(/^\d+s$/) as unknown, AGE, "once", "busybox", expect.stringMatching(/^batch\.kubernetes\.io\/controller-uid=[0-9a-f-]{36}$/) as unknown]);
    expect(rows((await c.kubectl("get", "cj")).stdout)).toEqual([
      ["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"],
      ["tick", "*/5 * * * *", "<none>", "False", "0", "<none>", AGE],
    ]);
  });

  it("storage: PersistentVolume, PersistentVolumeClaim, StorageClass with the seeded default", async () => {
    expect(rows((await c.kubectl("get", "pv")).stdout)).toEqual([
      ["NAME", "CAPACITY", "ACCESS MODES", "RECLAIM POLICY", "STATUS", "CLAIM", "STORAGECLASS", "VOLUMEATTRIBUTESCLASS", "REASON", "AGE"],
      ["pv1", "5Gi", "RWO,RWX", "Retain", "Available", "manual", "<unset>", AGE],
    ]);
    expect(rows((await c.kubectl("get", "pvc")).stdout)).toEqual([
      ["NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS", "VOLUMEATTRIBUTESCLASS", "AGE"],
      ["data", "Pending", "standard", "<unset>", AGE],
    ]);
    expect(rows((await c.kubectl("get", "sc")).stdout)).toEqual([
      ["NAME", "PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE", "ALLOWVOLUMEEXPANSION", "AGE"],
      ["fast", "example.com/ssd", "Delete", "Immediate", "true", AGE],
      ["standard (default)", "rancher.io/local-path", "Delete", "WaitForFirstConsumer", "false", AGE],
    ]);
  });

  it("ResourceQuota and LimitRange", async () => {
    expect(rows((await c.kubectl("get", "quota")).stdout)).toEqual([
      ["NAME", "AGE", "REQUEST", "LIMIT"],
      // The quota controller counts the pods the fixture's workloads already made.
      ["compute", AGE, expect.stringMatching(/^pods: \d+\/10, requests\.cpu: 0\/2$/), "limits.memory: 0/4Gi"],
    ]);
    expect(rows((await c.kubectl("get", "limits")).stdout)).toEqual([
      ["NAME", "CREATED AT"],
      ["limits", expect.stringMatching(/^2026-03-01T12:00:\d\dZ$/) as unknown],
    ]);
    const lr = JSON.parse((await c.kubectl("get", "limitrange", "limits", "-o", "json")).stdout) as { spec: { limits: unknown[] } };
    expect(lr.spec.limits[0]).toMatchObject({ default: { cpu: "1" }, defaultRequest: { cpu: "1" } });
  });

  it("Endpoints, EndpointSlice, Ingress, NetworkPolicy", async () => {
    const ep = rows((await c.kubectl("get", "endpoints")).stdout);
    expect(ep[0]).toEqual(["NAME", "ENDPOINTS", "AGE"]);
    expect(ep).toContainEqual(["kubernetes", "172.30.1.2:6443", AGE]);
    expect(ep).toContainEqual(["manual", "10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...", AGE]);
    expect(rows((await c.kubectl("get", "endpointslices", "-l", "kubernetes.io/service-name=manual")).stdout)).toEqual([
      ["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"],
      ["manual-abc", "IPv4", "80", "10.0.0.1,10.0.0.2", AGE],
    ]);
    expect(rows((await c.kubectl("get", "ing")).stdout)).toEqual([
      ["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"],
      ["site", "nginx", "a.example.com,b.example.com", "80, 443", AGE],
    ]);
    expect(rows((await c.kubectl("get", "netpol")).stdout)).toEqual([
      ["NAME", "POD-SELECTOR", "AGE"],
      ["deny-all", "<none>", AGE],
      ["web-only", "app=web", AGE],
    ]);
  });
});

describe("discovery", () => {
  it("get all shows the workload kinds of the all category, in upstream's order", async () => {
    const { stdout } = await c.kubectl("get", "all");
    const kinds = stdout
      .trim()
      .split("\n\n")
      .map((block) => /^\S+\s+[\s\S]*?\n(\S+?)\//.exec(block)?.[1]);
    expect(kinds).toEqual(["pod", "replicationcontroller", "service", "daemonset.apps", "deployment.apps", "replicaset.apps", "statefulset.apps", "cronjob.batch", "job.batch"]);
  });

  it("knows every new type by its short names", async () => {
    const result = await c.kubectl("get", "deploy,rs,ds,sts,rc,cj,ep,pv,pvc,quota,limits,sc,ing,netpol,sa,cm", "-o", "name");
    expect(result.stderr).toBe("");
    for (const name of ["deployment.apps/web", "daemonset.apps/agent", "cronjob.batch/tick", "storageclass.storage.k8s.io/standard", "networkpolicy.networking.k8s.io/deny-all", "serviceaccount/default"]) {
      expect(result.stdout).toContain(name);
    }
    const resources = rows((await c.kubectl("api-resources", "--api-group=rbac.authorization.k8s.io")).stdout);
    expect(resources.map((r) => r[0])).toEqual(["NAME", "clusterrolebindings", "clusterroles", "rolebindings", "roles"]);
  });
});

describe("writes", () => {
  it("scales through the scale subresource (autoscaling/v1 Scale)", async () => {
    expect((await c.kubectl("scale", "deployment", "web", "--replicas=5")).stdout.trim()).toBe("deployment.apps/web scaled");
    expect(rows((await c.kubectl("get", "deploy", "web")).stdout)[1]?.[1]).toBe("0/5");
    const scale = (await (await c.api("/apis/apps/v1/namespaces/default/statefulsets/db/scale")).json()) as Record<string, unknown>;
    expect(scale).toMatchObject({ kind: "Scale", apiVersion: "autoscaling/v1", spec: { replicas: 2 }, status: { replicas: 1, selector: "app=db" } });
    expect((await c.kubectl("scale", "rc", "legacy", "--replicas=0")).stdout.trim()).toBe("replicationcontroller/legacy scaled");
  });

  it("checks Secret data is base64 and turns stringData into data", async () => {
    const bad = await c.kubectlWithInput("apiVersion: v1\nkind: Secret\nmetadata: {name: bad}\ndata: {key: 'not base64!'}\n", "create", "-f", "-");
    expect(bad.stderr).toContain('Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3');
    await c.kubectl("create", "secret", "generic", "creds", "--from-literal=user=admin");
    expect(rows((await c.kubectl("get", "secret", "creds")).stdout)).toEqual([
      ["NAME", "TYPE", "DATA", "AGE"],
      ["creds", "Opaque", "1", AGE],
    ]);
    await c.kubectlWithInput("apiVersion: v1\nkind: Secret\nmetadata: {name: plain}\nstringData: {password: s3cret}\n", "create", "-f", "-");
    const secret = JSON.parse((await c.kubectl("get", "secret", "plain", "-o", "json")).stdout) as { data: Record<string, string>; stringData?: unknown; type: string };
    expect(secret).toMatchObject({ data: { password: Buffer.from("s3cret").toString("base64") }, type: "Opaque" });
    expect(secret.stringData).toBeUndefined();
  });

  it("rejects a Deployment whose selector misses its template's labels", async () => {
    const manifest = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: odd}\nspec:\n  selector: {matchLabels: {app: a}}\n  template:\n    metadata: {labels: {app: b}}\n    spec: {containers: [{name: c, image: nginx}]}\n";
    const result = await c.kubectlWithInput(manifest, "create", "-f", "-");
    expect(result.stderr).toContain('The Deployment "odd" is invalid');
    expect(result.stderr).toContain("spec.template.metadata.labels: Invalid value:");
    expect(result.stderr).toContain("`selector` does not match template `labels`");
  });
});

describe("kubectl top", () => {
  it("prints node and pod usage from the pods that run", async () => {
    await until(async () => (await c.kubectl("get", "pod", "solo", "-o", "jsonpath={.spec.nodeName}")).stdout !== "", "solo to be scheduled");
    c.clock.advance(5_000);
    const nodes = rows((await c.kubectl("top", "nodes")).stdout);
    expect(nodes[0]).toEqual(["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"]);
    expect(nodes.map((r) => r[0])).toEqual(["NAME", "controlplane", "node01", "node02"]);
    for (const row of nodes.slice(1)) expect(row.slice(1)).toEqual([expect.stringMatching(/^\d+m$/), expect.stringMatching(/^\d+%$/), expect.stringMatching(/^\d+Mi$/), expect.stringMatching(/^\d+%$/)]);
    const pods = rows((await c.kubectl("top", "pods")).stdout);
    expect(pods[0]).toEqual(["NAME", "CPU(cores)", "MEMORY(bytes)"]);
    // The controllers' pods (web, front, legacy) run too.
    expect(pods.map((r) => r[0])).toContain("solo");
    for (const row of pods.slice(1)) expect(row.slice(1)).toEqual([expect.stringMatching(/^\d+m$/), expect.stringMatching(/^\d+Mi$/)]);
    const system = rows((await c.kubectl("top", "pods", "-n", "kube-system", "--containers")).stdout);
    expect(system[0]).toEqual(["POD", "NAME", "CPU(cores)", "MEMORY(bytes)"]);
    expect(system.length).toBeGreaterThan(5);
  });
});
