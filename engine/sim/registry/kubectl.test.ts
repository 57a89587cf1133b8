// The registry as real kubectl 1.32 sees it: api-resources as a kubeadm
// cluster lists the groups the sim serves, the deprecated componentstatuses,
// bindings, controllerrevisions, and what a ServiceAccount may do by default.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows, startKubectlCluster, until, type KubectlCluster } from "../test-kubectl";
import type { SimCluster } from "../cluster/cluster";

let h: KubectlCluster;
let cluster: SimCluster;

beforeAll(async () => {
  h = await startKubectlCluster("learner-registry");
  cluster = (await h.driver.cluster("learner-registry")) as SimCluster;
});

afterAll(async () => {
  await h.close();
});

/** What `kubectl api-resources` prints on a kubeadm 1.32 cluster with metrics-server, for the groups the sim serves. */
const UPSTREAM_API_RESOURCES = [
  ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"],
  ["bindings", "v1", "true", "Binding"],
  ["componentstatuses", "cs", "v1", "false", "ComponentStatus"],
  ["configmaps", "cm", "v1", "true", "ConfigMap"],
  ["endpoints", "ep", "v1", "true", "Endpoints"],
  ["events", "ev", "v1", "true", "Event"],
  ["limitranges", "limits", "v1", "true", "LimitRange"],
  ["namespaces", "ns", "v1", "false", "Namespace"],
  ["nodes", "no", "v1", "false", "Node"],
  ["persistentvolumeclaims", "pvc", "v1", "true", "PersistentVolumeClaim"],
  ["persistentvolumes", "pv", "v1", "false", "PersistentVolume"],
  ["pods", "po", "v1", "true", "Pod"],
  ["podtemplates", "v1", "true", "PodTemplate"],
  ["replicationcontrollers", "rc", "v1", "true", "ReplicationController"],
  ["resourcequotas", "quota", "v1", "true", "ResourceQuota"],
  ["secrets", "v1", "true", "Secret"],
  ["serviceaccounts", "sa", "v1", "true", "ServiceAccount"],
  ["services", "svc", "v1", "true", "Service"],
  ["controllerrevisions", "apps/v1", "true", "ControllerRevision"],
  ["daemonsets", "ds", "apps/v1", "true", "DaemonSet"],
  ["deployments", "deploy", "apps/v1", "true", "Deployment"],
  ["replicasets", "rs", "apps/v1", "true", "ReplicaSet"],
  ["statefulsets", "sts", "apps/v1", "true", "StatefulSet"],
  ["selfsubjectreviews", "authentication.k8s.io/v1", "false", "SelfSubjectReview"],
  ["tokenreviews", "authentication.k8s.io/v1", "false", "TokenReview"],
  ["localsubjectaccessreviews", "authorization.k8s.io/v1", "true", "LocalSubjectAccessReview"],
  ["selfsubjectaccessreviews", "authorization.k8s.io/v1", "false", "SelfSubjectAccessReview"],
  ["selfsubjectrulesreviews", "authorization.k8s.io/v1", "false", "SelfSubjectRulesReview"],
  ["subjectaccessreviews", "authorization.k8s.io/v1", "false", "SubjectAccessReview"],
  ["cronjobs", "cj", "batch/v1", "true", "CronJob"],
  ["jobs", "batch/v1", "true", "Job"],
  ["leases", "coordination.k8s.io/v1", "true", "Lease"],
  ["endpointslices", "discovery.k8s.io/v1", "true", "EndpointSlice"],
  ["nodes", "metrics.k8s.io/v1beta1", "false", "NodeMetrics"],
  ["pods", "metrics.k8s.io/v1beta1", "true", "PodMetrics"],
  ["ingressclasses", "networking.k8s.io/v1", "false", "IngressClass"],
  ["ingresses", "ing", "networking.k8s.io/v1", "true", "Ingress"],
  ["networkpolicies", "netpol", "networking.k8s.io/v1", "true", "NetworkPolicy"],
  ["clusterrolebindings", "rbac.authorization.k8s.io/v1", "false", "ClusterRoleBinding"],
  ["clusterroles", "rbac.authorization.k8s.io/v1", "false", "ClusterRole"],
  ["rolebindings", "rbac.authorization.k8s.io/v1", "true", "RoleBinding"],
  ["roles", "rbac.authorization.k8s.io/v1", "true", "Role"],
  ["csidrivers", "storage.k8s.io/v1", "false", "CSIDriver"],
  ["csinodes", "storage.k8s.io/v1", "false", "CSINode"],
  ["csistoragecapacities", "storage.k8s.io/v1", "true", "CSIStorageCapacity"],
  ["storageclasses", "sc", "storage.k8s.io/v1", "false", "StorageClass"],
  ["volumeattachments", "storage.k8s.io/v1", "false", "VolumeAttachment"],
];

describe("kubectl api-resources", () => {
  it("lists what a kubeadm 1.32 cluster lists for the served groups", async () => {
    const { stdout, stderr } = await h.kubectl("api-resources");
    expect(stderr).toBe("");
    expect(rows(stdout)).toEqual(UPSTREAM_API_RESOURCES);
  });

  it("prints upstream's verbs for the create-only and read-only kinds", async () => {
    const wide = rows((await h.kubectl("api-resources", "-o", "wide", "--api-group=")).stdout);
    const verbs = (name: string): string | undefined => wide.find((r) => r[0] === name)?.at(-1);
    expect(verbs("bindings")).toBe("create");
    expect(verbs("componentstatuses")).toBe("get,list");
    expect(verbs("podtemplates")).toBe("create,delete,deletecollection,get,list,patch,update,watch");
  });
});

describe("kubectl get componentstatuses", () => {
  it("warns that the API is deprecated and reports the control plane healthy", async () => {
    const got = await h.kubectl("get", "cs");
    expect(got.stderr).toBe("Warning: v1 ComponentStatus is deprecated in v1.19+\n");
    expect(rows(got.stdout)).toEqual([
      ["NAME", "STATUS", "MESSAGE", "ERROR"],
      ["scheduler", "Healthy", "ok"],
      ["controller-manager", "Healthy", "ok"],
      ["etcd-0", "Healthy", "ok"],
    ]);
    const missing = await h.kubectl("get", "cs", "kubelet");
    expect(missing.stderr).toBe('Warning: v1 ComponentStatus is deprecated in v1.19+\nError from server (NotFound): componentstatuses "kubelet" not found\n');
  });

  it("shows a stopped scheduler as Unhealthy with the failed health check", async () => {
    cluster.drills.stopComponent("kube-scheduler");
    try {
      const got = await h.kubectl("get", "cs", "scheduler", "--no-headers");
      expect(rows(got.stdout)).toEqual([["scheduler", "Unhealthy", 'Get "https://127.0.0.1:10259/healthz": dial tcp 127.0.0.1:10259: connect: connection refused']]);
      const yaml = await h.kubectl("get", "cs", "scheduler", "-o", "jsonpath={.conditions[0].status} {.conditions[0].error}");
      expect(yaml.stdout).toBe('False Get "https://127.0.0.1:10259/healthz": dial tcp 127.0.0.1:10259: connect: connection refused');
    } finally {
      cluster.drills.startComponent("kube-scheduler");
    }
    expect(rows((await h.kubectl("get", "cs", "scheduler", "--no-headers")).stdout)).toEqual([["scheduler", "Healthy", "ok"]]);
  });
});

describe("bindings, controllerrevisions, podtemplates and ingressclasses", () => {
  it("binds a pod to a node through the bindings resource without storing a Binding", async () => {
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "hand-placed" }, spec: { schedulerName: "nobody", containers: [{ name: "app", image: "nginx:1.27" }] } };
    expect((await h.kubectlWithInput(JSON.stringify(pod), "create", "-f", "-")).stdout).toBe("pod/hand-placed created\n");
    const binding = { apiVersion: "v1", kind: "Binding", metadata: { name: "hand-placed" }, target: { apiVersion: "v1", kind: "Node", name: "node02" } };
    const bound = await h.kubectlWithInput(JSON.stringify(binding), "create", "--raw", "/api/v1/namespaces/default/bindings", "-f", "-");
    expect(JSON.parse(bound.stdout)).toEqual({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 });
    expect((await h.kubectl("get", "pod", "hand-placed", "-o", "jsonpath={.spec.nodeName}")).stdout).toBe("node02");
    const again = await h.kubectlWithInput(JSON.stringify(binding), "create", "--raw", "/api/v1/namespaces/default/bindings", "-f", "-");
    expect(again.stderr).toBe('Error from server (Conflict): Operation cannot be fulfilled on pods/binding "hand-placed": pod hand-placed is already assigned to node "node02"\n');
    expect((await h.kubectl("get", "bindings")).stderr).toBe('Error from server (MethodNotAllowed): the server does not allow this method on the requested resource\n');
  });

  it("stores controller revisions and names their controller", async () => {
    const uid = (await h.kubectl("get", "ds", "kube-proxy", "-n", "kube-system", "-o", "jsonpath={.metadata.uid}")).stdout;
    const revision = {
      apiVersion: "apps/v1",
      kind: "ControllerRevision",
      // Labelled to match the DaemonSet's selector, or its controller releases it (as upstream's would).
      metadata: { name: "kube-proxy-7b5d4bd9c", namespace: "kube-system", labels: { "k8s-app": "kube-proxy" }, ownerReferences: [{ apiVersion: "apps/v1", kind: "DaemonSet", name: "kube-proxy", uid, controller: true }] },
      data: { spec: { template: { $patch: "replace" } } },
      revision: 1,
    };
    expect((await h.kubectlWithInput(JSON.stringify(revision), "create", "-f", "-")).stdout).toBe("controllerrevision.apps/kube-proxy-7b5d4bd9c created\n");
    expect(rows((await h.kubectl("get", "controllerrevisions", "kube-proxy-7b5d4bd9c", "-n", "kube-system")).stdout)).toEqual([
      ["NAME", "CONTROLLER", "REVISION", "AGE"],
      ["kube-proxy-7b5d4bd9c", "daemonset.apps/kube-proxy", "1", "0s"],
    ]);
    const invalid = await h.kubectlWithInput(JSON.stringify({ apiVersion: "apps/v1", kind: "ControllerRevision", metadata: { name: "bad" }, revision: -1 }), "create", "-f", "-");
    expect(invalid.stderr).toBe('The ControllerRevision "bad" is invalid: \n* data: Required value: data is mandatory\n* revision: Invalid value: -1: must be greater than or equal to 0\n');
  });

  it("prints pod templates and ingress classes with upstream's columns", async () => {
    const template = { apiVersion: "v1", kind: "PodTemplate", metadata: { name: "web" }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx:1.27" }] } } };
    await h.kubectlWithInput(JSON.stringify(template), "create", "-f", "-");
    expect(rows((await h.kubectl("get", "podtemplates")).stdout)).toEqual([
      ["NAME", "CONTAINERS", "IMAGES", "POD LABELS"],
      ["web", "web", "nginx:1.27", "app=web"],
    ]);
    const ingressClass = { apiVersion: "networking.k8s.io/v1", kind: "IngressClass", metadata: { name: "nginx" }, spec: { controller: "k8s.io/ingress-nginx" } };
    await h.kubectlWithInput(JSON.stringify(ingressClass), "create", "-f", "-");
    expect(rows((await h.kubectl("get", "ingressclasses")).stdout)).toEqual([
      ["NAME", "CONTROLLER", "PARAMETERS", "AGE"],
      ["nginx", "k8s.io/ingress-nginx", "<none>", "0s"],
    ]);
  });
});

describe("kubectl auth can-i --list as a ServiceAccount", () => {
  it("shows the default discovery, self-review and OIDC issuer rows", async () => {
    const token = (await h.kubectl("create", "token", "default")).stdout.trim();
    const { stdout } = await h.kubectl("auth", "can-i", "--list", `--token=${token}`);
    expect(rows(stdout)).toEqual([
      ["Resources", "Non-Resource URLs", "Resource Names", "Verbs"],
      ["selfsubjectreviews.authentication.k8s.io", "[]", "[]", "[create]"],
      ["selfsubjectaccessreviews.authorization.k8s.io", "[]", "[]", "[create]"],
      ["selfsubjectrulesreviews.authorization.k8s.io", "[]", "[]", "[create]"],
      ...["/.well-known/openid-configuration/", "/.well-known/openid-configuration", "/api/*", "/api", "/apis/*", "/apis", "/healthz", "/healthz", "/livez", "/livez", "/openapi/*", "/openapi", "/openid/v1/jwks/", "/openid/v1/jwks", "/readyz", "/readyz", "/version/", "/version/", "/version", "/version"].map((url) => [`[${url}]`, "[]", "[get]"]),
    ]);
  });
});

describe("table cells as a 1.32 API server renders them", () => {
  const create = async (object: unknown): Promise<void> => {
    const created = await h.kubectlWithInput(JSON.stringify(object), "create", "-f", "-");
    expect(created.stderr).toBe("");
  };

  it("prints every load balancer address, sorted, then the external IPs (the server never cuts them)", async () => {
    await create({ apiVersion: "v1", kind: "Service", metadata: { name: "lb" }, spec: { type: "LoadBalancer", externalIPs: ["1.2.3.4"], selector: { app: "lb" }, ports: [{ port: 80, nodePort: 30480 }] } });
    expect(rows((await h.kubectl("get", "svc", "lb", "--no-headers")).stdout)[0]?.[3]).toBe("1.2.3.4");
    const ingress = [{ hostname: "a-long-name.elb.example.com" }, { ip: "5.6.7.8" }, { ip: "5.6.7.8" }];
    expect((await h.kubectl("patch", "svc", "lb", "--subresource=status", "--type=merge", "-p", JSON.stringify({ status: { loadBalancer: { ingress } } }))).code).toBe(0);
    expect(rows((await h.kubectl("get", "svc", "lb")).stdout)[1]).toEqual(["lb", "LoadBalancer", expect.stringMatching(/^10\.9[6-9]\./), "5.6.7.8,a-long-name.elb.example.com,1.2.3.4", "80:30480/TCP", "0s"]);
  });

  it("counts every ingress rule past the third in HOSTS and sorts ADDRESS", async () => {
    await create({
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name: "shop" },
      spec: { tls: [{ hosts: ["a.example"] }], rules: [{ host: "a.example" }, { host: "b.example" }, {}, { host: "c.example" }, { host: "d.example" }] },
    });
    await h.kubectl("patch", "ing", "shop", "--subresource=status", "--type=merge", "-p", JSON.stringify({ status: { loadBalancer: { ingress: [{ ip: "172.30.2.3" }, { ip: "172.30.2.2" }] } } }));
    expect(rows((await h.kubectl("get", "ing", "shop")).stdout)).toEqual([
      ["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"],
      ["shop", "<none>", "a.example,b.example,c.example + 2 more...", "172.30.2.2,172.30.2.3", "80, 443", "0s"],
    ]);
  });

  it("sorts a selector's requirements by key, match labels and expressions together", async () => {
    await create({
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: "agent" },
      spec: {
        selector: { matchLabels: { tier: "node" }, matchExpressions: [{ key: "app", operator: "In", values: ["b", "a"] }, { key: "zone", operator: "DoesNotExist" }] },
        template: { metadata: { labels: { tier: "node", app: "a" } }, spec: { nodeSelector: { disk: "ssd" }, containers: [{ name: "agent", image: "busybox" }] } },
      },
    });
    expect(rows((await h.kubectl("get", "ds", "agent", "-o", "wide", "--no-headers")).stdout)[0]?.slice(6)).toEqual(["disk=ssd", "0s", "agent", "busybox", "app in (a,b),tier=node,!zone"]);
  });

  it("prints an event's whole message for kubectl to cut, and the reporting instance as SOURCE host", async () => {
    await create({
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: "manual.1" },
      involvedObject: { kind: "Node", name: "node01" },
      reason: "Checked",
      message: "first line\nsecond line\n",
      type: "Normal",
      source: { component: "operator" },
      firstTimestamp: "2026-03-01T12:00:00Z",
      lastTimestamp: "2026-03-01T12:00:00Z",
      count: 1,
    });
    expect(rows((await h.kubectl("get", "events", "--field-selector=reason=Checked")).stdout)).toEqual([
      ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"],
      ["0s", "Normal", "Checked", "node/node01", "first line..."],
    ]);
    await h.kubectl("run", "placed", "--image=nginx:1.27");
    await until(async () => (await h.kubectl("get", "events", "--field-selector=involvedObject.name=placed,reason=Scheduled", "-o", "name")).stdout !== "", "the Scheduled event");
    const wide = rows((await h.kubectl("get", "events", "-o", "wide", "--field-selector=involvedObject.name=placed,reason=Scheduled")).stdout);
    expect(wide[0]).toEqual(["LAST SEEN", "TYPE", "REASON", "OBJECT", "SUBOBJECT", "SOURCE", "MESSAGE", "FIRST SEEN", "COUNT", "NAME"]);
    expect(wide[1]?.slice(0, 5)).toEqual(["0s", "Normal", "Scheduled", "pod/placed", "default-scheduler, default-scheduler-controlplane"]);
  });

  it("names a ServiceAccount subject without a namespace by its name alone", async () => {
    await create({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "robots" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
      subjects: [{ kind: "ServiceAccount", name: "robot" }, { kind: "ServiceAccount", name: "other", namespace: "kube-system" }],
    });
    expect(rows((await h.kubectl("get", "rolebinding", "robots", "-o", "wide")).stdout)[1]).toEqual(["robots", "ClusterRole/view", "0s", "robot, kube-system/other"]);
  });

  it("shows a claim's capacity and access modes only once it names its volume", async () => {
    await create({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "waiting" }, spec: { storageClassName: "", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } });
    await h.kubectl("patch", "pvc", "waiting", "--subresource=status", "--type=merge", "-p", JSON.stringify({ status: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"] } }));
    expect(rows((await h.kubectl("get", "pvc", "waiting")).stdout)[1]).toEqual(["waiting", "Pending", "<unset>", "0s"]);
  });

  it("prints CSIStorageCapacity without AGE and an unnumbered slice port by name", async () => {
    await create({ apiVersion: "storage.k8s.io/v1", kind: "CSIStorageCapacity", metadata: { name: "zone-a" }, storageClassName: "standard", capacity: "10Gi" });
    expect(rows((await h.kubectl("get", "csistoragecapacities")).stdout)).toEqual([
      ["NAME", "STORAGECLASSNAME", "CAPACITY"],
      ["zone-a", "standard", "10Gi"],
    ]);
    await create({ apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", metadata: { name: "manual" }, addressType: "IPv4", ports: [{ name: "http" }, { port: 8443 }], endpoints: [{ addresses: ["10.0.0.9"] }] });
    expect(rows((await h.kubectl("get", "endpointslices", "manual", "--no-headers")).stdout)[0]?.slice(1, 4)).toEqual(["IPv4", "http,8443", "10.0.0.9"]);
  });
});

describe("defaults visible in -o yaml", () => {
  const jsonpath = async (what: string[], path: string): Promise<string> => (await h.kubectl("get", ...what, "-o", `jsonpath=${path}`)).stdout;

  it("copies limits into missing requests and classes QoS by summed cpu and memory", async () => {
    const pod = (name: string, resources: unknown): unknown => ({ apiVersion: "v1", kind: "Pod", metadata: { name }, spec: { containers: [{ name: "app", image: "nginx:1.27", resources }] } });
    for (const [name, resources] of [
      ["limited", { limits: { cpu: "500m", memory: "128Mi" } }],
      ["same", { requests: { cpu: "0.5" }, limits: { cpu: "500m", memory: "128Mi" } }],
      ["scratch", { requests: { "ephemeral-storage": "1Gi" } }],
      ["half", { requests: { cpu: "250m" }, limits: { cpu: "500m", memory: "128Mi" } }],
    ] as const) {
      const created = await h.kubectlWithInput(JSON.stringify(pod(name, resources)), "create", "-f", "-");
      expect(created.stderr).toBe("");
    }
    expect(await jsonpath(["pod", "limited"], "{.spec.containers[0].resources.requests}")).toBe('{"cpu":"500m","memory":"128Mi"}');
    expect(await jsonpath(["pods", "limited", "same", "scratch", "half"], "{.items[*].status.qosClass}")).toBe("Guaranteed Guaranteed BestEffort Burstable");
  });

  it("gives a headless Service one family with a selector and both without", async () => {
    expect((await h.kubectl("create", "service", "clusterip", "headless", "--clusterip=None")).code).toBe(0);
    expect(await jsonpath(["svc", "headless"], "{.spec.ipFamilyPolicy} {.spec.ipFamilies}")).toBe('SingleStack ["IPv4"]');
    const bare = { apiVersion: "v1", kind: "Service", metadata: { name: "bare" }, spec: { clusterIP: "None", ports: [{ port: 80 }] } };
    expect((await h.kubectlWithInput(JSON.stringify(bare), "create", "-f", "-")).stderr).toBe("");
    expect(await jsonpath(["svc", "bare"], "{.spec.ipFamilyPolicy} {.spec.ipFamilies}")).toBe('RequireDualStack ["IPv4","IPv6"]');
  });

  it("keeps the null creationTimestamp of a CronJob's named job template", async () => {
    expect((await h.kubectl("create", "cronjob", "tick", "--image=busybox", "--schedule=0 * * * *")).code).toBe(0);
    const yaml = (await h.kubectl("get", "cronjob", "tick", "-o", "yaml")).stdout;
    expect(yaml).toContain("  jobTemplate:\n    metadata:\n      creationTimestamp: null\n      name: tick\n");
  });
});
