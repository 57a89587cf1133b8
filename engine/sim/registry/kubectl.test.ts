// The registry as real kubectl 1.32 sees it: api-resources as a kubeadm
// cluster lists the groups the sim serves, the deprecated componentstatuses,
// bindings, controllerrevisions, and what a ServiceAccount may do by default.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows, startKubectlCluster, type KubectlCluster } from "../test-kubectl";
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
