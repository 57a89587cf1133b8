// Conformance: `kubectl get` in every output form, selectors, sorting and watch,
// against one `npm run sim` cluster, asserting what kubectl prints.
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectRows, lines, startSim, type Sim } from "./harness";

let sim: Sim;

beforeAll(async () => {
  sim = await startSim();
  await sim.ok("create", "namespace", "shop");
  await sim.ok("run", "web1", "--image=nginx:1.27", "--labels=app=web,tier=fe");
  await sim.ok("run", "web2", "--image=nginx:1.26", "--labels=app=web,tier=be");
  await sim.ok("run", "db", "--image=redis:7", "--labels=app=db");
  await sim.ok("create", "configmap", "settings", "-n", "shop", "--from-literal=mode=dev", "--from-literal=level=3");
  await sim.waitFor(/^Running Running Running$/, "get", "pods", "-o", "jsonpath={.items[*].status.phase}");
});

afterAll(async () => {
  await sim?.stop();
});

/** Replace the per-run metadata in -o yaml / -o json output with placeholders. */
function scrub(text: string): string {
  return text
    .replace(/("?creationTimestamp"?: )"[^"]+"/g, '$1"<TIME>"')
    .replace(/("?resourceVersion"?: )"\d+"/g, '$1"<RV>"')
    .replace(/("?uid"?: )"?[0-9a-f-]{36}"?/g, "$1<UID>");
}

describe("kubectl get: tables", () => {
  it("prints the default pod table, sorted by name", async () => {
    expectRows(await sim.ok("get", "pods"), [
      "NAME   READY   STATUS    RESTARTS   AGE",
      "db     1/1     Running   0          <AGE>",
      "web1   1/1     Running   0          <AGE>",
      "web2   1/1     Running   0          <AGE>",
    ]);
  });

  it("adds the priority-1 columns with -o wide", async () => {
    expectRows(await sim.ok("get", "pods", "-o", "wide"), [
      "NAME   READY   STATUS    RESTARTS   AGE   IP   NODE   NOMINATED NODE   READINESS GATES",
      "db     1/1     Running   0          <AGE>   <IP>   <NODE>   <none>   <none>",
      "web1   1/1     Running   0          <AGE>   <IP>   <NODE>   <none>   <none>",
      "web2   1/1     Running   0          <AGE>   <IP>   <NODE>   <none>   <none>",
    ]);
    const ips = (await sim.ok("get", "pods", "-o", "jsonpath={.items[*].status.podIP}")).split(" ");
    for (const ip of ips) expect(ip).toMatch(/^10\.244\.\d+\.\d+$/);
  });

  it("prints nodes as a kubeadm cluster does, wide columns included", async () => {
    expectRows(await sim.ok("get", "nodes"), [
      "NAME           STATUS   ROLES           AGE   VERSION",
      "controlplane   Ready    control-plane   <AGE>   v1.32.3",
      "node01         Ready    <none>          <AGE>   v1.32.3",
      "node02         Ready    <none>          <AGE>   v1.32.3",
    ]);
    const wide = lines(await sim.ok("get", "nodes", "-o", "wide"));
    expect(wide[0]).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\s+INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE\s+KERNEL-VERSION\s+CONTAINER-RUNTIME$/);
    expect(wide[1]).toMatch(/^controlplane\s+Ready\s+control-plane\s+\S+\s+v1\.32\.3\s+\d+\.\d+\.\d+\.\d+\s+<none>\s+Ubuntu [\d.]+ LTS\s+\S+-generic\s+containerd:\/\/[\d.]+$/);
  });

  it("prints services with the cluster's service CIDR and ports", async () => {
    expectRows(await sim.ok("get", "services", "-A", "-o", "wide"), [
      "NAMESPACE     NAME         TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)                  AGE   SELECTOR",
      "default       kubernetes   ClusterIP   10.96.0.1    <none>        443/TCP                  <AGE>   <none>",
      "kube-system   kube-dns     ClusterIP   10.96.0.10   <none>        53/UDP,53/TCP,9153/TCP   <AGE>   k8s-app=kube-dns",
    ]);
  });

  it("lists every namespace with -A and adds the NAMESPACE column", async () => {
    const out = lines(await sim.ok("get", "pods", "-A"));
    expect(out[0]).toMatch(/^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    expect(out.slice(1, 4).map((l) => l.split(/\s+/).slice(0, 2).join(" "))).toEqual(["default db", "default web1", "default web2"]);
    expect(out).toContainEqual(expect.stringMatching(/^kube-system\s+etcd-controlplane\s+1\/1\s+Running\s+0\s+\S+$/));
    expect(out).toContainEqual(expect.stringMatching(/^kube-system\s+coredns-[a-z0-9]{10}-[a-z0-9]{5}\s+1\/1\s+Running\s+0\s+\S+$/));
  });

  it("shows labels with --show-labels and label columns with -L", async () => {
    expectRows(await sim.ok("get", "pods", "--show-labels"), [
      "NAME   READY   STATUS    RESTARTS   AGE   LABELS",
      "db     1/1     Running   0          <AGE>   app=db",
      "web1   1/1     Running   0          <AGE>   app=web,tier=fe",
      "web2   1/1     Running   0          <AGE>   app=web,tier=be",
    ]);
    expectRows(await sim.ok("get", "pods", "-L", "app", "-L", "tier"), [
      "NAME   READY   STATUS    RESTARTS   AGE   APP   TIER",
      "db     1/1     Running   0          <AGE>   db",
      "web1   1/1     Running   0          <AGE>   web   fe",
      "web2   1/1     Running   0          <AGE>   web   be",
    ]);
  });

  it("sorts with --sort-by", async () => {
    expect(await sim.ok("get", "pods", "--sort-by=.spec.containers[0].image", "-o", "name")).toBe("pod/web2\npod/web1\npod/db\n");
    const byImage = lines(await sim.ok("get", "pods", "--sort-by={.spec.containers[0].image}"));
    expect(byImage.map((l) => l.split(/\s+/)[0])).toEqual(["NAME", "web2", "web1", "db"]);
  });

  it("prints one object, several kinds, and the usual misses", async () => {
    expectRows(await sim.ok("get", "pod", "db"), ["NAME   READY   STATUS    RESTARTS   AGE", "db     1/1     Running   0          <AGE>"]);
    expectRows(await sim.ok("get", "configmaps,serviceaccounts", "-n", "shop"), [
      "NAME                         DATA   AGE",
      "configmap/kube-root-ca.crt   1      <AGE>",
      "configmap/settings           2      <AGE>",
      "",
      "NAME                     SECRETS   AGE",
      "serviceaccount/default   0         <AGE>",
    ]);
    const missing = await sim.kubectl("get", "pod", "nope");
    expect(missing).toMatchObject({ code: 1, stdout: "", stderr: 'Error from server (NotFound): pods "nope" not found\n' });
    const empty = await sim.kubectl("get", "pods", "-n", "shop");
    expect(empty).toMatchObject({ code: 0, stdout: "", stderr: "No resources found in shop namespace.\n" });
  });
});

describe("kubectl get events", () => {
  it("has no leading NAME column; -o wide adds SUBOBJECT and SOURCE before MESSAGE and ends with NAME", async () => {
    const scheduled = ["get", "events", "--field-selector", "involvedObject.name=db,reason=Scheduled"];
    expectRows(await sim.ok(...scheduled), ["LAST SEEN   TYPE     REASON      OBJECT   MESSAGE", "<AGE>   Normal   Scheduled   pod/db   Successfully assigned default/db to <NODE>"]);
    expectRows(await sim.ok(...scheduled, "-o", "wide"), [
      "LAST SEEN   TYPE     REASON      OBJECT   SUBOBJECT   SOURCE              MESSAGE   FIRST SEEN   COUNT   NAME",
      // SOURCE is component and instance: the scheduler reports through events.k8s.io (reportingController/-Instance).
      "<AGE>   Normal   Scheduled   pod/db   default-scheduler, default-scheduler-controlplane   Successfully assigned default/db to <NODE>   <AGE>   1   db.<SUFFIX>",
    ]);
    const all = lines(await sim.ok("get", "events", "-A"));
    expect(all[0]).toMatch(/^NAMESPACE\s+LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/);
    expect(await sim.ok(...scheduled, "-o", "name")).toMatch(/^event\/db\.[0-9a-f]+\n$/);
  });
});

describe("kubectl get: selectors", () => {
  it("filters with -l (equality, set and existence)", async () => {
    expect(await sim.ok("get", "pods", "-l", "app=web", "-o", "name")).toBe("pod/web1\npod/web2\n");
    expect(await sim.ok("get", "pods", "-l", "tier!=fe", "-o", "name")).toBe("pod/db\npod/web2\n");
    expect(await sim.ok("get", "pods", "-l", "tier in (fe,be)", "-o", "name")).toBe("pod/web1\npod/web2\n");
    expect(await sim.ok("get", "pods", "-l", "!tier", "-o", "name")).toBe("pod/db\n");
    expect(await sim.ok("get", "pods", "-l", "app=web,tier notin (fe)", "-o", "name")).toBe("pod/web2\n");
    const none = await sim.kubectl("get", "pods", "-l", "app=nothing");
    expect(none).toMatchObject({ code: 0, stdout: "", stderr: "No resources found in default namespace.\n" });
  });

  it("filters with --field-selector and rejects unknown fields as upstream", async () => {
    expect(await sim.ok("get", "pods", "--field-selector", "metadata.name=db", "-o", "name")).toBe("pod/db\n");
    expect(await sim.ok("get", "pods", "--field-selector", "status.phase=Running,metadata.name!=db", "-o", "name")).toBe("pod/web1\npod/web2\n");
    const onCp = await sim.ok("get", "pods", "-A", "--field-selector", "spec.nodeName=controlplane", "-o", "name");
    expect(onCp).toContain("pod/etcd-controlplane\n");
    expect(onCp).not.toContain("pod/web1");
    const bad = await sim.kubectl("get", "pods", "--field-selector", "foo=bar");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('Error from server (BadRequest): Unable to find "/v1, Resource=pods" that match label selector "", field selector "foo=bar": field label not supported: foo\n');
  });
});

describe("kubectl get: output formats", () => {
  it("prints -o yaml with server defaults", async () => {
    expect(scrub(await sim.ok("get", "configmap", "settings", "-n", "shop", "-o", "yaml"))).toBe(
      [
        "apiVersion: v1",
        "data:",
        '  level: "3"',
        "  mode: dev",
        "kind: ConfigMap",
        "metadata:",
        '  creationTimestamp: "<TIME>"',
        "  name: settings",
        "  namespace: shop",
        '  resourceVersion: "<RV>"',
        "  uid: <UID>",
        "",
      ].join("\n"),
    );
    const pod = await sim.ok("get", "pod", "web1", "-o", "yaml");
    for (const line of [
      "  - image: nginx:1.27",
      "    imagePullPolicy: IfNotPresent",
      "  dnsPolicy: ClusterFirst",
      "  restartPolicy: Always",
      "  schedulerName: default-scheduler",
      "  terminationGracePeriodSeconds: 30",
      "  phase: Running",
      "  qosClass: BestEffort",
    ])
      expect(pod.split("\n")).toContain(line);
  });

  it("prints -o json with four-space indentation, lists as kind List", async () => {
    expect(scrub(await sim.ok("get", "configmap", "settings", "-n", "shop", "-o", "json"))).toBe(
      [
        "{",
        '    "apiVersion": "v1",',
        '    "data": {',
        '        "level": "3",',
        '        "mode": "dev"',
        "    },",
        '    "kind": "ConfigMap",',
        '    "metadata": {',
        '        "creationTimestamp": "<TIME>",',
        '        "name": "settings",',
        '        "namespace": "shop",',
        '        "resourceVersion": "<RV>",',
        '        "uid": <UID>',
        "    }",
        "}",
        "",
      ].join("\n"),
    );
    const list = JSON.parse(await sim.ok("get", "pods", "-o", "json")) as { apiVersion: string; kind: string; items: { kind: string; metadata: { name: string } }[]; metadata: Record<string, unknown> };
    expect(list.kind).toBe("List");
    expect(list.apiVersion).toBe("v1");
    expect(list.metadata).toEqual({ resourceVersion: "" });
    expect(list.items.map((i) => `${i.kind}/${i.metadata.name}`)).toEqual(["Pod/db", "Pod/web1", "Pod/web2"]);
  });

  it("prints -o name, -o jsonpath and -o custom-columns", async () => {
    expect(await sim.ok("get", "pods", "-o", "name")).toBe("pod/db\npod/web1\npod/web2\n");
    expect(await sim.ok("get", "svc,ns", "-A", "-o", "name")).toBe(
      "service/kubernetes\nservice/kube-dns\nnamespace/default\nnamespace/kube-node-lease\nnamespace/kube-public\nnamespace/kube-system\nnamespace/shop\n",
    );
    expect(await sim.ok("get", "deploy,ds", "-A", "-o", "name")).toBe("deployment.apps/coredns\ndaemonset.apps/kube-proxy\n");
    expect(await sim.ok("get", "pods", "-o", "jsonpath={.items[*].metadata.name}")).toBe("db web1 web2");
    expect(await sim.ok("get", "pods", "-o", 'jsonpath={range .items[*]}{.metadata.name}{"\\t"}{.spec.containers[0].image}{"\\n"}{end}')).toBe(
      "db\tredis:7\nweb1\tnginx:1.27\nweb2\tnginx:1.26\n",
    );
    expect(await sim.ok("get", "pod", "web1", "-o", "jsonpath={.metadata.labels.tier}")).toBe("fe");
    expect(lines(await sim.ok("get", "pods", "-o", "custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[0].image,TIER:.metadata.labels.tier"))).toEqual([
      "NAME   IMAGE        TIER",
      "db     redis:7      <none>",
      "web1   nginx:1.27   fe",
      "web2   nginx:1.26   be",
    ]);
  });

  it("prints -o go-template, -o jsonpath-as-json and the -file forms", async () => {
    expect(await sim.ok("get", "pods", "-o", 'go-template={{range .items}}{{.metadata.name}}={{.status.phase}} {{end}}')).toBe("db=Running web1=Running web2=Running ");
    expect(JSON.parse(await sim.ok("get", "pod", "web1", "-o", "jsonpath-as-json={.spec.containers[*].name}"))).toEqual(["web1"]);
    const template = await sim.file("columns.txt", "NAME          NODE\nmetadata.name spec.nodeName\n");
    expect(lines(await sim.ok("get", "pods", "-l", "app=db", "-o", `custom-columns-file=${template}`))).toEqual([
      "NAME   NODE",
      `db     ${await sim.ok("get", "pod", "db", "-o", "jsonpath={.spec.nodeName}")}`,
    ]);
  });
});

describe("kubectl get -w", () => {
  it("prints the list, then each change, until --request-timeout ends it", async () => {
    const child = spawn("/usr/bin/kubectl", ["get", "pods", "-l", "app=web", "-w", "--request-timeout=2s"], { env: { NODE_ENV: "test", HOME: sim.dir, PATH: "/usr/bin:/bin", KUBECONFIG: sim.kubeconfig } });
    let out = "";
    let waiting: { pattern: RegExp; resolve: () => void } | undefined;
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (waiting?.pattern.test(out)) waiting.resolve();
    });
    const printed = (pattern: RegExp): Promise<void> =>
      new Promise((resolve, reject) => {
        if (pattern.test(out)) return resolve();
        waiting = { pattern, resolve };
        child.once("close", () => reject(new Error(`kubectl get -w ended before printing ${pattern}:\n${out}`)));
      });
    const closed = new Promise<number | null>((resolve) => child.once("close", resolve));
    await printed(/web2 .*\n/);
    await sim.ok("label", "pod", "web1", "watched=yes");
    await printed(/web2 .*\n(.*\n){1}/);
    // Upstream's kubectl ends the watch at the client-side request timeout, exit status 0.
    expect(await closed).toBe(0);
    expectRows(out, [
      "NAME   READY   STATUS    RESTARTS   AGE",
      "web1   1/1     Running   0          <AGE>",
      "web2   1/1     Running   0          <AGE>",
      "web1   1/1     Running   0          <AGE>",
    ]);
  });

  it("with --watch-only prints only changes; ends under `timeout`", async () => {
    const run = await sim.kubectlWith({ killAfterMs: 1500 }, "get", "configmaps", "-n", "shop", "-w", "--watch-only");
    expect(run).toMatchObject({ code: 124, stdout: "" });
  });
});
