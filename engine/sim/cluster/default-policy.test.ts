// kubeadm 1.32's RBAC objects through the real kubectl: the admin is
// kubernetes-admin in kubeadm:cluster-admins, authorized by that group's
// ClusterRoleBinding to cluster-admin; the API server's bootstrap roles and
// bindings are there by their upstream names; a restored cluster gets back
// what its snapshot lacks.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeSnapshot } from "../store/snapshot-file";
import { thaw } from "../store/store";
import type { KObject } from "../types";
import { rows, startKubectlCluster, type KubectlCluster } from "../test-kubectl";
import type { SimCluster } from "./cluster";
import { BOOTSTRAP_POLICY, KUBEADM_POLICY } from "./default-policy";

let sim: KubectlCluster;
let cluster: SimCluster;

const CLUSTER_ROLES = [
  "admin",
  "cluster-admin",
  "edit",
  "kubeadm:get-nodes",
  "system:aggregate-to-admin",
  "system:aggregate-to-edit",
  "system:aggregate-to-view",
  "system:auth-delegator",
  "system:basic-user",
  "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
  "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
  "system:certificates.k8s.io:kube-apiserver-client-approver",
  "system:certificates.k8s.io:kube-apiserver-client-kubelet-approver",
  "system:certificates.k8s.io:kubelet-serving-approver",
  "system:certificates.k8s.io:legacy-unknown-approver",
  ...[
    "attachdetach-controller",
    "certificate-controller",
    "clusterrole-aggregation-controller",
    "cronjob-controller",
    "daemon-set-controller",
    "deployment-controller",
    "disruption-controller",
    "endpoint-controller",
    "endpointslice-controller",
    "endpointslicemirroring-controller",
    "ephemeral-volume-controller",
    "expand-controller",
    "generic-garbage-collector",
    "horizontal-pod-autoscaler",
    "job-controller",
    "legacy-service-account-token-cleaner",
    "namespace-controller",
    "node-controller",
    "persistent-volume-binder",
    "pod-garbage-collector",
    "pv-protection-controller",
    "pvc-protection-controller",
    "replicaset-controller",
    "replication-controller",
    "resourcequota-controller",
    "root-ca-cert-publisher",
    "route-controller",
    "service-account-controller",
    "service-controller",
    "statefulset-controller",
    "ttl-after-finished-controller",
    "ttl-controller",
    "validatingadmissionpolicy-status-controller",
  ].map((c) => `system:controller:${c}`),
  "system:coredns",
  "system:discovery",
  "system:heapster",
  "system:kube-aggregator",
  "system:kube-controller-manager",
  "system:kube-dns",
  "system:kube-scheduler",
  "system:kubelet-api-admin",
  "system:monitoring",
  "system:node",
  "system:node-bootstrapper",
  "system:node-problem-detector",
  "system:node-proxier",
  "system:persistent-volume-provisioner",
  "system:public-info-viewer",
  "system:service-account-issuer-discovery",
  "system:volume-scheduler",
  "view",
];

beforeAll(async () => {
  sim = await startKubectlCluster("policy");
  cluster = (await sim.driver.cluster("policy")) as SimCluster;
});
afterAll(async () => sim.close());

async function ok(...args: string[]): Promise<string> {
  const result = await sim.kubectl(...args);
  expect(result.stderr).toBe("");
  return result.stdout;
}

describe("the admin identity", () => {
  it("is kubernetes-admin in kubeadm:cluster-admins, as kubeadm 1.29+ makes admin.conf", async () => {
    expect(rows(await ok("auth", "whoami"))).toEqual([
      ["ATTRIBUTE", "VALUE"],
      ["Username", "kubernetes-admin"],
      ["Groups", "[kubeadm:cluster-admins system:authenticated]"],
    ]);
    expect(rows(await ok("get", "clusterrolebinding", "kubeadm:cluster-admins", "-o", "wide"))[1]).toEqual(["kubeadm:cluster-admins", "ClusterRole/cluster-admin", "0s", "kubeadm:cluster-admins"]);
  });

  it("is authorized through that binding (an access review says which)", async () => {
    const review = await sim.kubectlWithInput(
      JSON.stringify({ apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview", spec: { user: "kubernetes-admin", groups: ["kubeadm:cluster-admins", "system:authenticated"], resourceAttributes: { verb: "delete", resource: "nodes" } } }),
      "create",
      "-f",
      "-",
      "-o",
      "jsonpath={.status.reason}",
    );
    expect(review.stdout).toBe('RBAC: allowed by ClusterRoleBinding "kubeadm:cluster-admins" of ClusterRole "cluster-admin" to Group "kubeadm:cluster-admins"');
    expect(rows(await ok("auth", "can-i", "--list")).slice(1, 3)).toEqual([
      ["*.*", "[]", "[]", "[*]"],
      ["[*]", "[]", "[*]"],
    ]);
  });
});

describe("the default roles and bindings", () => {
  it("lists kubeadm's ClusterRoles by their upstream names", async () => {
    expect((await ok("get", "clusterroles", "-o", "name")).trim().split("\n")).toEqual(CLUSTER_ROLES.map((n) => `clusterrole.rbac.authorization.k8s.io/${n}`));
  });

  it("binds the components, the controllers' ServiceAccounts, the node bootstrappers and everyone's discovery", async () => {
    const bindings = new Map(rows(await ok("get", "clusterrolebindings", "-o", "wide")).slice(1).map((r) => [r[0], r.slice(1)]));
    expect(bindings.size).toBe(52);
    expect(bindings.get("cluster-admin")).toEqual(["ClusterRole/cluster-admin", "0s", "system:masters"]);
    expect(bindings.get("system:kube-scheduler")).toEqual(["ClusterRole/system:kube-scheduler", "0s", "system:kube-scheduler"]);
    expect(bindings.get("system:controller:deployment-controller")).toEqual(["ClusterRole/system:controller:deployment-controller", "0s", "kube-system/deployment-controller"]);
    expect(bindings.get("kubeadm:node-proxier")).toEqual(["ClusterRole/system:node-proxier", "0s", "kube-system/kube-proxy"]);
    expect(bindings.get("system:public-info-viewer")).toEqual(["ClusterRole/system:public-info-viewer", "0s", "system:authenticated, system:unauthenticated"]);
    expect(bindings.get("system:node")).toEqual(["ClusterRole/system:node", "0s"]);
    const namespaced = rows(await ok("get", "rolebindings", "-n", "kube-system")).slice(1).map((r) => `${r[0]} ${r[1]}`);
    expect(namespaced).toContain("system::leader-locking-kube-scheduler Role/system::leader-locking-kube-scheduler");
    expect(namespaced).toContain("kube-proxy Role/kube-proxy");
  });

  it("gives the roles learners read upstream's rules", async () => {
    const scheduler = (await ok("describe", "clusterrole", "system:kube-scheduler")).split("\n").map((l) => l.trim().split(/\s{2,}/));
    expect(scheduler).toContainEqual(["leases.coordination.k8s.io", "[]", "[kube-scheduler]", "[get update]"]);
    expect(scheduler).toContainEqual(["pods/binding", "[]", "[]", "[create]"]);
    expect(await ok("get", "clusterrole", "view", "-o", "jsonpath={.aggregationRule.clusterRoleSelectors[0].matchLabels}")).toBe('{"rbac.authorization.k8s.io/aggregate-to-view":"true"}');
    expect(await ok("get", "clusterrole", "edit", "-o", "jsonpath={.metadata.labels}")).toBe('{"kubernetes.io/bootstrapping":"rbac-defaults","rbac.authorization.k8s.io/aggregate-to-admin":"true"}');
    const yes = { code: 0, stdout: "yes\n", stderr: "" };
    const no = { code: 1, stdout: "no\n", stderr: "" };
    expect(await sim.kubectl("auth", "can-i", "create", "pods", "--subresource=binding", "--as=system:kube-scheduler")).toEqual(yes);
    expect(await sim.kubectl("auth", "can-i", "delete", "deployments", "--as=system:kube-scheduler")).toEqual(no);
    expect(await sim.kubectl("auth", "can-i", "list", "endpointslices.discovery.k8s.io", "--as=system:serviceaccount:kube-system:kube-proxy")).toEqual(yes);
    expect(await sim.kubectl("auth", "can-i", "get", "secrets", "--as=jane", "--as-group=view-group")).toEqual(no);
  });

  it("stores every seeded object as the API server would have made it", () => {
    const strip = (o: KObject): KObject => ({ ...o, metadata: { ...o.metadata, uid: undefined, creationTimestamp: undefined, resourceVersion: undefined } });
    for (const { plural, namespace, body } of [...BOOTSTRAP_POLICY, ...KUBEADM_POLICY]) {
      const type = cluster.registry.find("rbac.authorization.k8s.io", "v1", plural);
      if (!type) throw new Error(`no type ${plural}`);
      const made = cluster.service.create(type, namespace, thaw(body), { dryRun: true });
      expect(strip(cluster.service.get(type, namespace, body.metadata.name ?? ""))).toEqual(strip(made));
    }
  });
});

describe("without the binding", () => {
  it("locks the admin out, as upstream; a cluster restored from that snapshot has it back", async () => {
    const bindings = cluster.registry.find("rbac.authorization.k8s.io", "v1", "clusterrolebindings");
    if (!bindings) throw new Error("no clusterrolebindings");
    cluster.service.delete(bindings, undefined, "kubeadm:cluster-admins");
    const refused = await sim.kubectl("get", "pods");
    expect(refused.stderr.trim()).toBe('Error from server (Forbidden): pods is forbidden: User "kubernetes-admin" cannot list resource "pods" in API group "" in the namespace "default"');
    const snapshot = encodeSnapshot(cluster.snapshot());
    const restored = await startKubectlCluster("policy-restored", "2026-03-02T12:00:00Z", snapshot);
    try {
      expect((await restored.kubectl("get", "pods", "-n", "kube-system", "-o", "name")).stdout).toContain("pod/etcd-controlplane");
      const binding = await restored.kubectl("get", "clusterrolebinding", "kubeadm:cluster-admins", "-o", "jsonpath={.metadata.creationTimestamp}");
      expect(binding.stdout).toBe("2026-03-02T12:00:00Z");
    } finally {
      await restored.close();
    }
  });
});
