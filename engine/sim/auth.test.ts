// TLS, authentication and RBAC, through the real kubectl: the server speaks
// HTTPS with the lease's CA, every request needs a token, and ServiceAccount
// tokens from `kubectl create token` are held to their Roles and bindings.
import { connect as tlsConnect } from "node:tls";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderKubeconfig } from "../cluster";
import { fetchTls, forward, rows, startKubectlCluster, type KubectlCluster } from "./test-kubectl";

let c: KubectlCluster;
let readerToken: string;

const SA_USER = "system:serviceaccount:default:reader";

beforeAll(async () => {
  c = await startKubectlCluster("auth-learner");
  for (const args of [
    ["create", "serviceaccount", "reader"],
    ["create", "role", "pod-reader", "--verb=get,list,watch", "--resource=pods"],
    ["create", "rolebinding", "read-pods", "--role=pod-reader", "--serviceaccount=default:reader"],
    ["run", "web", "--image=nginx"],
  ]) {
    const result = await c.kubectl(...args);
    expect(result.stderr).toBe("");
  }
  const token = await c.kubectl("create", "token", "reader");
  expect(token.code).toBe(0);
  readerToken = token.stdout.trim();
});

afterAll(async () => {
  await c.close();
});

function claims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
}

describe("TLS", () => {
  it("serves HTTPS with a certificate from the lease's CA for 127.0.0.1 and the in-cluster names", async () => {
    const { port } = new URL(c.lease.access.server);
    for (const servername of ["localhost", "kubernetes.default.svc"]) {
      const authorized = await new Promise<boolean>((resolve, reject) => {
        const socket = tlsConnect({ host: "127.0.0.1", port: Number(port), ca: c.lease.access.ca, servername }, () => {
          resolve(socket.authorized);
          socket.end();
        });
        socket.on("error", reject);
      });
      expect(authorized).toBe(true);
    }
    expect((await c.api("/version")).status).toBe(200);
    // Nobody else's CA vouches for it.
    await expect(fetchTls(`${c.lease.access.server}/version`)).rejects.toThrow(/self[- ]signed|unable to verify/);
  });

  it("puts the CA and an https URL in the kubeconfig", () => {
    const text = renderKubeconfig({ server: c.lease.access.server, token: "t", ca: c.lease.access.ca });
    expect(text).toContain(`certificate-authority-data: ${Buffer.from(c.lease.access.ca ?? "").toString("base64")}`);
    expect(text).toContain(`server: "https://127.0.0.1:`);
  });
});

describe("authentication", () => {
  it("answers 401 without a token on the shared port and on the cluster's socket", async () => {
    expect((await c.api("/api/v1/namespaces/default/pods", { token: null })).status).toBe(401);
    expect((await c.api("/api/v1/namespaces/default/pods", { token: "not-a-token" })).status).toBe(401);
    const fwd = await forward(c.lease.access.socketPath);
    try {
      const ca = c.lease.access.ca;
      const anonymous = await fetchTls(`${fwd.url}/api/v1/namespaces/default/pods`, {}, ca);
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toMatchObject({ kind: "Status", reason: "Unauthorized", code: 401 });
      expect((await fetchTls(`${fwd.url}/api/v1/namespaces/default/pods`, { headers: { Authorization: "Bearer wrong" } }, ca)).status).toBe(401);
      // /version stays public, as upstream's system:public-info-viewer makes it.
      expect((await fetchTls(`${fwd.url}/version`, {}, ca)).status).toBe(200);
      const admin = await fetchTls(`${fwd.url}/api/v1/namespaces/default/pods`, { headers: { Authorization: `Bearer ${c.lease.access.token}` } }, ca);
      expect(admin.status).toBe(200);
    } finally {
      fwd.server.close();
    }
  });

  it("makes kubectl with a bad token say it must log in", async () => {
    const kubeconfig = path.join(c.dir, "bad-token");
    const forwarded = /server: "([^"]+)"/.exec(await readFile(c.kubeconfig, "utf8"))?.[1] ?? "";
    await writeFile(kubeconfig, renderKubeconfig({ server: forwarded, token: "not-a-token", ca: c.lease.access.ca }));
    const result = await c.kubectl("--kubeconfig", kubeconfig, "get", "pods");
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe("error: You must be logged in to the server (Unauthorized)");
  });

  it("issues ServiceAccount tokens with upstream's claims", () => {
    const body = claims(readerToken);
    expect(body).toMatchObject({
      iss: "https://kubernetes.default.svc.cluster.local",
      aud: ["https://kubernetes.default.svc.cluster.local"],
      sub: SA_USER,
      "kubernetes.io": { namespace: "default", serviceaccount: { name: "reader" } },
    });
    expect((body.exp as number) - (body.iat as number)).toBe(3600);
    expect(body.iat).toBe(Math.floor(c.clock.now() / 1000));
  });

  it("tells a ServiceAccount who it is", async () => {
    const whoami = rows((await c.kubectl("--token", readerToken, "auth", "whoami")).stdout);
    expect(whoami[1]).toEqual(["Username", SA_USER]);
    expect(whoami[3]).toEqual(["Groups", "[system:serviceaccounts system:serviceaccounts:default system:authenticated]"]);
  });

  it("stops honouring a token once it expires, or once its ServiceAccount is gone", async () => {
    const shortLived = (await c.kubectl("create", "token", "reader", "--duration=10m")).stdout.trim();
    expect((await c.kubectl("--token", shortLived, "get", "pods")).code).toBe(0);
    c.clock.advance(601_000);
    expect((await c.kubectl("--token", shortLived, "get", "pods")).stderr.trim()).toBe("error: You must be logged in to the server (Unauthorized)");

    await c.kubectl("create", "serviceaccount", "temp");
    await c.kubectl("create", "rolebinding", "temp-view", "--clusterrole=view", "--serviceaccount=default:temp");
    const temp = (await c.kubectl("create", "token", "temp")).stdout.trim();
    expect((await c.kubectl("--token", temp, "get", "deployments")).code).toBe(0);
    await c.kubectl("delete", "serviceaccount", "temp");
    expect((await c.kubectl("--token", temp, "get", "deployments")).code).toBe(1);
  });

  it("refuses a token lifetime under ten minutes", async () => {
    const result = await c.kubectl("create", "token", "reader", "--duration=5m");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("may not specify a duration less than 10 minutes");
  });
});

describe("RBAC", () => {
  it("lets the reader list pods but not delete them, in upstream's words", async () => {
    const list = await c.kubectl("--token", readerToken, "get", "pods", "-o", "name");
    expect(list.stdout.trim()).toBe("pod/web");
    const del = await c.kubectl("--token", readerToken, "delete", "pod", "web");
    expect(del.code).toBe(1);
    expect(del.stderr.trim()).toBe(`Error from server (Forbidden): pods "web" is forbidden: User "${SA_USER}" cannot delete resource "pods" in API group "" in the namespace "default"`);
    const other = await c.kubectl("--token", readerToken, "get", "pods", "-n", "kube-system");
    expect(other.stderr.trim()).toBe(`Error from server (Forbidden): pods is forbidden: User "${SA_USER}" cannot list resource "pods" in API group "" in the namespace "kube-system"`);
    const nodes = await c.kubectl("--token", readerToken, "get", "nodes");
    expect(nodes.stderr.trim()).toBe(`Error from server (Forbidden): nodes is forbidden: User "${SA_USER}" cannot list resource "nodes" in API group "" at the cluster scope`);
    const deployments = await c.kubectl("--token", readerToken, "get", "deployments");
    expect(deployments.stderr.trim()).toBe(`Error from server (Forbidden): deployments.apps is forbidden: User "${SA_USER}" cannot list resource "deployments" in API group "apps" in the namespace "default"`);
  });

  it("treats subresources as resources of their own (pods/log)", async () => {
    const logs = await c.kubectl("--token", readerToken, "logs", "web");
    expect(logs.stderr.trim()).toBe(`Error from server (Forbidden): pods "web" is forbidden: User "${SA_USER}" cannot get resource "pods/log" in API group "" in the namespace "default"`);
  });

  it("honours resourceNames and explains a binding to a missing role", async () => {
    await c.kubectl("create", "serviceaccount", "one");
    await c.kubectl("create", "role", "only-web", "--verb=get", "--resource=pods", "--resource-name=web");
    await c.kubectl("create", "rolebinding", "one-web", "--role=only-web", "--serviceaccount=default:one");
    await c.kubectl("create", "rolebinding", "one-ghost", "--role=ghost", "--serviceaccount=default:one");
    const token = (await c.kubectl("create", "token", "one")).stdout.trim();
    expect((await c.kubectl("--token", token, "get", "pod", "web", "-o", "name")).stdout.trim()).toBe("pod/web");
    const list = await c.kubectl("--token", token, "get", "pods");
    expect(list.stderr.trim()).toBe(
      `Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:default:one" cannot list resource "pods" in API group "" in the namespace "default": RBAC: role.rbac.authorization.k8s.io "ghost" not found`,
    );
  });

  it("answers auth can-i for another identity through impersonation", async () => {
    const yes = await c.kubectl("auth", "can-i", "list", "pods", `--as=${SA_USER}`);
    expect([yes.stdout.trim(), yes.code]).toEqual(["yes", 0]);
    const no = await c.kubectl("auth", "can-i", "delete", "pods", `--as=${SA_USER}`);
    expect([no.stdout.trim(), no.code]).toEqual(["no", 1]);
    const group = await c.kubectl("auth", "can-i", "list", "pods", "--as=jane", "--as-group=system:masters");
    expect(group.stdout.trim()).toBe("yes");
    const asList = await c.kubectl("get", "pods", `--as=${SA_USER}`, "-n", "kube-system");
    expect(asList.stderr).toContain(`User "${SA_USER}" cannot list resource "pods"`);
    expect((await c.kubectl("auth", "can-i", "delete", "nodes")).stdout.trim()).toBe("yes");
  });

  it("lets only those allowed to impersonate do it", async () => {
    const result = await c.kubectl("--token", readerToken, "get", "pods", "--as=jane");
    expect(result.stderr.trim()).toBe(`Error from server (Forbidden): users "jane" is forbidden: User "${SA_USER}" cannot impersonate resource "users" in API group "" at the cluster scope`);
  });

  it("lists what an identity may do (auth can-i --list)", async () => {
    const table = rows((await c.kubectl("auth", "can-i", "--list", `--as=${SA_USER}`)).stdout);
    expect(table[0]).toEqual(["Resources", "Non-Resource URLs", "Resource Names", "Verbs"]);
    expect(table).toContainEqual(["pods", "[]", "[]", "[get list watch]"]);
    expect(table).toContainEqual(["selfsubjectaccessreviews.authorization.k8s.io", "[]", "[]", "[create]"]);
    expect(table).toContainEqual(["[/api/*]", "[]", "[get]"]);
    const admin = rows((await c.kubectl("auth", "can-i", "--list")).stdout);
    expect(admin[1]).toEqual(["*.*", "[]", "[]", "[*]"]);
  });

  it("seeds the default roles and bindings", async () => {
    const names = (await c.kubectl("get", "clusterroles", "-o", "name")).stdout.trim().split("\n");
    for (const name of ["admin", "cluster-admin", "edit", "view", "system:basic-user", "system:discovery"]) expect(names).toContain(`clusterrole.rbac.authorization.k8s.io/${name}`);
    const bindings = rows((await c.kubectl("get", "clusterrolebinding", "cluster-admin", "-o", "wide")).stdout);
    expect(bindings[0]).toEqual(["NAME", "ROLE", "AGE", "USERS", "GROUPS", "SERVICEACCOUNTS"]);
    expect(bindings[1]).toEqual(["cluster-admin", "ClusterRole/cluster-admin", expect.stringMatching(/^\d+/) as unknown, "system:masters"]);
    const roles = rows((await c.kubectl("get", "roles")).stdout);
    expect(roles[0]).toEqual(["NAME", "CREATED AT"]);
    expect(roles).toContainEqual(["pod-reader", expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) as unknown]);
    const rb = rows((await c.kubectl("get", "rolebinding", "read-pods", "-o", "wide")).stdout);
    expect(rb[1]).toEqual(["read-pods", "Role/pod-reader", expect.any(String) as unknown, "default/reader"]);
  });
});
