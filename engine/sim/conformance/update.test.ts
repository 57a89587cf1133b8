// Conformance: the write commands (apply, apply --server-side, diff, edit,
// patch, label, annotate, scale, set image, delete) against one `npm run sim`
// cluster, asserting what kubectl prints and what the objects become.
import { chmod } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSim, type Sim } from "./harness";

let sim: Sim;

beforeAll(async () => {
  sim = await startSim();
});

afterAll(async () => {
  await sim?.stop();
});

const jsonpath = (path: string, ...target: string[]): Promise<string> => sim.ok("get", ...target, "-o", `jsonpath=${path}`);

function deployment(name: string, replicas: number, image: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    app: ${name}
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
      - name: app
        image: ${image}
        ports:
        - containerPort: 80
`;
}

describe("kubectl apply", () => {
  it("creates, is unchanged the second time, configures on a change", async () => {
    const file = await sim.file("applied.yaml", deployment("applied", 1, "nginx:1.27"));
    expect(await sim.kubectl("apply", "-f", file)).toEqual({ code: 0, stdout: "deployment.apps/applied created\n", stderr: "" });
    expect(await sim.kubectl("apply", "-f", file)).toEqual({ code: 0, stdout: "deployment.apps/applied unchanged\n", stderr: "" });
    const changed = await sim.file("applied-2.yaml", deployment("applied", 3, "nginx:1.27"));
    expect(await sim.kubectl("apply", "-f", changed)).toEqual({ code: 0, stdout: "deployment.apps/applied configured\n", stderr: "" });
    expect(await sim.ok("apply", "-f", changed)).toBe("deployment.apps/applied unchanged\n");
    // The container port survived the strategic merge (merge key containerPort), and generation counted one spec change.
    expect(await jsonpath("{.spec.replicas} {.spec.template.spec.containers[0].ports[0].containerPort} {.metadata.generation}", "deploy", "applied")).toBe("3 80 2");
    const lastApplied = JSON.parse(await jsonpath("{.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}", "deploy", "applied")) as { spec: { replicas: number } };
    expect(lastApplied.spec.replicas).toBe(3);
  });

  it("takes the OpenAPI document from kubectl's HTTP cache after the first time", async () => {
    const file = await sim.file("cached.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cached\n");
    await sim.ok("apply", "-f", file);
    const again = await sim.kubectl("apply", "-f", file, "-v=8");
    expect(again.stdout).toBe("configmap/cached unchanged\n");
    // The hashed document expires in a year: without that, kubectl's cache revalidated it on every call.
    const fetched = /GET https:\S+\/openapi\/v3\/api\/v1\?hash=[\s\S]*?Response Body/.exec(again.stderr)?.[0] ?? "";
    expect(fetched).toContain("Cache-Control: public, immutable");
    expect(fetched).toContain("X-From-Cache: 1");
  });

  it("applies from stdin and a multi-document file", async () => {
    const both = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\ndata:\n  k: v\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: two\ndata:\n  k: v\n";
    expect(await sim.kubectlWith({ input: both }, "apply", "-f", "-")).toMatchObject({ code: 0, stdout: "configmap/one created\nconfigmap/two created\n" });
    const changed = both.replace("name: two\ndata:\n  k: v", "name: two\ndata:\n  k: w");
    expect(await sim.kubectlWith({ input: changed }, "apply", "-f", "-")).toMatchObject({ code: 0, stdout: "configmap/one unchanged\nconfigmap/two configured\n" });
  });

  it("applies server-side, twice, and reports conflicts with another manager", async () => {
    const file = await sim.file("ssa.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  owner: me\n");
    expect(await sim.kubectl("apply", "--server-side", "-f", file)).toEqual({ code: 0, stdout: "configmap/ssa serverside-applied\n", stderr: "" });
    expect(await sim.kubectl("apply", "--server-side", "-f", file)).toEqual({ code: 0, stdout: "configmap/ssa serverside-applied\n", stderr: "" });
    expect(await jsonpath("{.metadata.managedFields[0].manager} {.metadata.managedFields[0].operation}", "cm", "ssa")).toBe("kubectl Apply");
    const other = await sim.file("ssa-other.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  owner: you\n");
    const conflict = await sim.kubectl("apply", "--server-side", "--field-manager=other", "-f", other);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain('error: Apply failed with 1 conflict: conflict with "kubectl": .data.owner');
    expect(await sim.ok("apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", other)).toBe("configmap/ssa serverside-applied\n");
    expect(await jsonpath("{.data.owner}", "cm", "ssa")).toBe("you");
    // structured-merge-diff types the body first: every wrong value, with its path, in a plain 500.
    const typed = await sim.kubectlWith({ input: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa-typed\ndata:\n  port: 80\n  debug: true\n" }, "apply", "--server-side", "-f", "-");
    expect(typed).toEqual({
      code: 1,
      stdout: "",
      stderr: [
        "Error from server: failed to create typed patch object (default/ssa-typed; /v1, Kind=ConfigMap): errors:",
        "  .data.debug: expected string, got &value.valueUnstructured{Value:true}",
        "  .data.port: expected string, got &value.valueUnstructured{Value:80}",
        "",
      ].join("\n"),
    });
  });
});

describe("kubectl diff", () => {
  it("exits 0 without differences and 1 with a unified diff", async () => {
    const file = await sim.file("diffed.yaml", deployment("diffed", 1, "nginx:1.27"));
    await sim.ok("apply", "-f", file);
    expect(await sim.kubectl("diff", "-f", file)).toEqual({ code: 0, stdout: "", stderr: "" });
    const changed = await sim.file("diffed-2.yaml", deployment("diffed", 2, "nginx:1.28"));
    const diff = await sim.kubectl("diff", "-f", changed);
    expect(diff.code).toBe(1);
    const out = diff.stdout.split("\n");
    expect(out[0]).toMatch(/^diff -u -N \/tmp\/LIVE-\d+\/apps\.v1\.Deployment\.default\.diffed \/tmp\/MERGED-\d+\/apps\.v1\.Deployment\.default\.diffed$/);
    expect(out.filter((l) => /^[-+] /.test(l))).toEqual(["-  generation: 1", "+  generation: 2", "-  replicas: 1", "+  replicas: 2", "-      - image: nginx:1.27", "+      - image: nginx:1.28"]);
    // Nothing was written.
    expect(await jsonpath("{.spec.replicas}", "deploy", "diffed")).toBe("1");
    // A new object diffs against nothing.
    const fresh = await sim.kubectlWith({ input: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fresh\ndata:\n  a: b\n" }, "diff", "-f", "-");
    expect(fresh.code).toBe(1);
    expect(fresh.stdout).toContain("+kind: ConfigMap\n");
    expect((await sim.kubectl("get", "cm", "fresh")).code).toBe(1);
  });
});

describe("kubectl edit", () => {
  it("saves what the EDITOR changed, and cancels when nothing changed", async () => {
    await sim.ok("create", "configmap", "edited", "--from-literal=mode=dev");
    const editor = await sim.file("editor.sh", "#!/bin/sh\nsed -i 's/mode: dev/mode: prod/' \"$1\"\n");
    await chmod(editor, 0o755);
    expect(await sim.kubectlWith({ env: { EDITOR: editor } }, "edit", "configmap", "edited")).toEqual({ code: 0, stdout: "configmap/edited edited\n", stderr: "" });
    expect(await jsonpath("{.data.mode}", "cm", "edited")).toBe("prod");
    expect(await sim.kubectlWith({ env: { EDITOR: editor } }, "edit", "configmap", "edited")).toEqual({ code: 0, stdout: "", stderr: "Edit cancelled, no changes made.\n" });
  });
});

describe("kubectl patch", () => {
  it("strategic merge (the default) merges containers by name", async () => {
    await sim.ok("create", "deployment", "patched", "--image=nginx:1.27");
    const patch = '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","env":[{"name":"MODE","value":"prod"}]}]}}}}';
    expect(await sim.kubectl("patch", "deployment", "patched", "-p", patch)).toEqual({ code: 0, stdout: "deployment.apps/patched patched\n", stderr: "" });
    expect(await jsonpath("{.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].env[0].value}", "deploy", "patched")).toBe("nginx:1.27 prod");
    // Once the rollout has settled nothing else writes the Deployment, so the same patch changes nothing.
    await sim.ok("rollout", "status", "deployment/patched");
    expect(await sim.ok("patch", "deployment", "patched", "-p", patch)).toBe("deployment.apps/patched patched (no change)\n");
  });

  it("merge patch replaces lists and deletes with null", async () => {
    await sim.ok("create", "configmap", "merged", "--from-literal=a=1", "--from-literal=b=2");
    expect(await sim.ok("patch", "configmap", "merged", "--type=merge", "-p", '{"data":{"a":null,"c":"3"}}')).toBe("configmap/merged patched\n");
    expect(await jsonpath("{.data}", "cm", "merged")).toBe('{"b":"2","c":"3"}');
  });

  it("JSON patch applies operations in order and reports a failed test", async () => {
    await sim.ok("create", "deployment", "jsonpatched", "--image=nginx:1.27", "--replicas=2");
    const ops = '[{"op":"replace","path":"/spec/replicas","value":4},{"op":"add","path":"/metadata/labels/tier","value":"fe"}]';
    expect(await sim.ok("patch", "deployment", "jsonpatched", "--type=json", "-p", ops)).toBe("deployment.apps/jsonpatched patched\n");
    expect(await jsonpath("{.spec.replicas} {.metadata.labels.tier}", "deploy", "jsonpatched")).toBe("4 fe");
    const failed = await sim.kubectl("patch", "deployment", "jsonpatched", "--type=json", "-p", '[{"op":"test","path":"/spec/replicas","value":9}]');
    expect(failed).toEqual({ code: 1, stdout: "", stderr: "The request is invalid: the server rejected our request due to an error in our request\n" });
    // A value of the wrong type: Invalid without kind or name, the patch (merge, strategic) or the patched object (JSON) as the value.
    expect(await sim.kubectl("patch", "deployment", "jsonpatched", "-p", '{"spec":{"replicas":"3"}}')).toEqual({
      code: 1,
      stdout: "",
      stderr: 'The request is invalid: patch: Invalid value: "map[spec:map[replicas:3]]": unrecognized type: int32\n',
    });
    expect((await sim.kubectl("patch", "deployment", "jsonpatched", "--type=merge", "-p", '{"spec":{"template":{"spec":{"containers":{"name":"x"}}}}}')).stderr).toBe(
      'The request is invalid: patch: Invalid value: "map[spec:map[template:map[spec:map[containers:map[name:x]]]]]": cannot restore slice from map\n',
    );
    const typed = await sim.kubectl("patch", "deployment", "jsonpatched", "--type=json", "-p", '[{"op":"replace","path":"/spec/replicas","value":"3"}]');
    expect(typed.stderr).toMatch(/^The request is invalid: patch: Invalid value: "\{\\"apiVersion\\":\\"apps\/v1\\",.*\}": json: cannot unmarshal string into Go struct field DeploymentSpec\.spec\.replicas of type int32\n$/);
    expect(await jsonpath("{.spec.replicas}", "deploy", "jsonpatched")).toBe("4");
    const missing = await sim.kubectl("patch", "deployment", "nope", "-p", "{}");
    expect(missing).toMatchObject({ code: 1, stderr: 'Error from server (NotFound): deployments.apps "nope" not found\n' });
  });
});

describe("kubectl label and annotate", () => {
  it("adds, refuses to overwrite without --overwrite, overwrites, removes", async () => {
    await sim.ok("create", "configmap", "tagged");
    expect(await sim.ok("label", "configmap", "tagged", "env=dev")).toBe("configmap/tagged labeled\n");
    expect(await sim.kubectl("label", "configmap", "tagged", "env=prod")).toEqual({ code: 1, stdout: "", stderr: "error: 'env' already has a value (dev), and --overwrite is false\n" });
    expect(await sim.ok("label", "configmap", "tagged", "env=prod", "--overwrite")).toBe("configmap/tagged labeled\n");
    expect(await jsonpath("{.metadata.labels}", "cm", "tagged")).toBe('{"env":"prod"}');
    expect(await sim.ok("label", "configmap", "tagged", "env-")).toBe("configmap/tagged unlabeled\n");
    expect(await sim.ok("label", "configmap", "tagged", "env=prod")).toBe("configmap/tagged labeled\n");
    expect(await sim.ok("label", "configmap", "tagged", "env=prod", "--overwrite")).toBe("configmap/tagged not labeled\n");

    expect(await sim.ok("annotate", "configmap", "tagged", "note=hi")).toBe("configmap/tagged annotated\n");
    expect(await sim.kubectl("annotate", "configmap", "tagged", "note=ho")).toEqual({
      code: 1,
      stdout: "",
      stderr: "error: --overwrite is false but found the following declared annotation(s): 'note' already has a value (hi)\n",
    });
    expect(await sim.ok("annotate", "configmap", "tagged", "note=ho", "--overwrite")).toBe("configmap/tagged annotated\n");
    expect(await jsonpath("{.metadata.annotations.note}", "cm", "tagged")).toBe("ho");
    expect(await sim.ok("annotate", "configmap", "tagged", "note-")).toBe("configmap/tagged annotated\n");
    expect(await jsonpath("{.metadata.annotations}", "cm", "tagged")).toBe("");
  });

  it("labels every object a selector matches", async () => {
    await sim.ok("create", "configmap", "many-a");
    await sim.ok("create", "configmap", "many-b");
    await sim.ok("label", "configmap", "many-a", "many-b", "group=many");
    expect(await sim.ok("label", "configmap", "-l", "group=many", "seen=yes")).toBe("configmap/many-a labeled\nconfigmap/many-b labeled\n");
    expect(await sim.ok("get", "cm", "-l", "seen=yes", "-o", "name")).toBe("configmap/many-a\nconfigmap/many-b\n");
  });
});

describe("kubectl scale and set image", () => {
  it("scales a deployment through the scale subresource", async () => {
    await sim.ok("create", "deployment", "scaled", "--image=nginx:1.27");
    expect(await sim.kubectl("scale", "deployment", "scaled", "--replicas=3")).toEqual({ code: 0, stdout: "deployment.apps/scaled scaled\n", stderr: "" });
    expect(await jsonpath("{.spec.replicas}", "deploy", "scaled")).toBe("3");
    expect(await sim.kubectl("scale", "deployment/scaled", "--replicas=5", "--current-replicas=2")).toEqual({ code: 1, stdout: "", stderr: "error: Expected replicas to be 2, was 3\n" });
    expect(await sim.kubectl("scale", "deployment", "ghost", "--replicas=1")).toMatchObject({ code: 1, stderr: 'error: no objects passed to scale deployments.apps "ghost" not found\n' });
  });

  it("sets a container image", async () => {
    await sim.ok("create", "deployment", "imaged", "--image=nginx:1.27");
    expect(await sim.kubectl("set", "image", "deployment/imaged", "nginx=nginx:1.28")).toEqual({ code: 0, stdout: "deployment.apps/imaged image updated\n", stderr: "" });
    expect(await jsonpath("{.spec.template.spec.containers[0].image}", "deploy", "imaged")).toBe("nginx:1.28");
    expect(await sim.kubectl("set", "image", "deployment/imaged", "nope=nginx:1.28")).toEqual({ code: 1, stdout: "", stderr: 'error: unable to find container named "nope"\n' });
  });
});

describe("kubectl delete", () => {
  it("deletes by name, by -l, with --all and with -f", async () => {
    for (const name of ["gone-1", "gone-2", "gone-3"]) await sim.ok("create", "configmap", name, "-n", "default");
    expect(await sim.kubectl("delete", "configmap", "gone-1")).toEqual({ code: 0, stdout: 'configmap "gone-1" deleted\n', stderr: "" });
    expect(await sim.kubectl("delete", "configmap", "gone-1")).toEqual({ code: 1, stdout: "", stderr: 'Error from server (NotFound): configmaps "gone-1" not found\n' });
    await sim.ok("label", "configmap", "gone-2", "gone-3", "doomed=yes");
    expect(await sim.ok("delete", "configmap", "-l", "doomed=yes")).toBe('configmap "gone-2" deleted\nconfigmap "gone-3" deleted\n');
    expect(await sim.kubectl("delete", "configmap", "-l", "doomed=yes")).toEqual({ code: 0, stdout: "No resources found\n", stderr: "" });

    await sim.ok("create", "namespace", "wipe");
    await sim.ok("create", "secret", "generic", "w1", "-n", "wipe", "--from-literal=a=b");
    await sim.ok("create", "secret", "generic", "w2", "-n", "wipe", "--from-literal=a=b");
    expect(await sim.ok("delete", "secrets", "--all", "-n", "wipe")).toBe('secret "w1" deleted\nsecret "w2" deleted\n');

    const file = await sim.file("deleted.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: by-file\n");
    await sim.ok("create", "-f", file);
    expect(await sim.ok("delete", "-f", file)).toBe('configmap "by-file" deleted\n');
    expect(await sim.kubectl("delete", "-f", file, "--ignore-not-found")).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  it("deletes a running pod gracefully (Terminating, then gone)", async () => {
    await sim.ok("run", "doomed", "--image=nginx:1.27");
    await sim.waitFor(/^Running$/, "get", "pod", "doomed", "-o", "jsonpath={.status.phase}");
    expect(await sim.ok("delete", "pod", "doomed", "--wait=false")).toBe('pod "doomed" deleted\n');
    expect(await jsonpath("{.metadata.deletionTimestamp}", "pod", "doomed").catch(() => "gone")).toMatch(/^(\d{4}-.*Z|gone)$/);
    await sim.waitFor(/^$/, "get", "pods", "--field-selector=metadata.name=doomed", "-o", "name");
  });

  it("accepts every --cascade mode and prints the same line", async () => {
    for (const mode of ["background", "orphan", "foreground"]) {
      await sim.ok("create", "deployment", `cascade-${mode}`, "--image=nginx:1.27");
      expect(await sim.kubectl("delete", "deployment", `cascade-${mode}`, `--cascade=${mode}`)).toEqual({ code: 0, stdout: `deployment.apps "cascade-${mode}" deleted\n`, stderr: "" });
      expect((await sim.kubectl("get", "deployment", `cascade-${mode}`)).code).toBe(1);
    }
    expect(await sim.kubectl("delete", "deployment", "x", "--cascade=sideways")).toMatchObject({
      code: 1,
      stderr: 'error: invalid cascade value (sideways). Must be "background", "foreground", or "orphan"\n',
    });
  });

  it("deletes with --dry-run=server without deleting", async () => {
    await sim.ok("create", "configmap", "kept");
    expect(await sim.ok("delete", "configmap", "kept", "--dry-run=server")).toBe('configmap "kept" deleted (server dry run)\n');
    expect(await sim.ok("get", "configmap", "kept", "-o", "name")).toBe("configmap/kept\n");
  });
});
