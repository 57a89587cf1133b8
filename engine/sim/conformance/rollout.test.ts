// Conformance: Deployments rolled out by the Deployment/ReplicaSet controllers
// (rollout status/history/undo/restart/pause/resume, scale) and deletion
// propagation by the garbage collector (--cascade), against one `npm run sim`
// cluster, asserting what kubectl prints and what becomes of ReplicaSets and pods.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectRows, lines, startSim, type Sim } from "./harness";

let sim: Sim;

beforeAll(async () => {
  sim = await startSim();
});

afterAll(async () => {
  await sim?.stop();
});

const jsonpath = (path: string, ...target: string[]): Promise<string> => sim.ok("get", ...target, "-o", `jsonpath=${path}`);
const names = async (...target: string[]): Promise<string[]> => (await sim.ok("get", ...target, "-o", "name")).split("\n").filter(Boolean);

/** `kubectl rollout status` until it reports success (it watches; the timeout only guards a broken controller). */
async function rolledOut(name: string): Promise<string> {
  const run = await sim.kubectl("rollout", "status", `deployment/${name}`, "--timeout=25s");
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  expect(lines(run.stdout).at(-1)).toBe(`deployment "${name}" successfully rolled out`);
  return run.stdout;
}

describe("a Deployment rolls out through a ReplicaSet", () => {
  it("creates web-<hash> and its pods, and rollout status waits for them", async () => {
    await sim.ok("create", "deployment", "web", "--image=nginx:1.27", "--replicas=3");
    const status = lines(await rolledOut("web"));
    for (const line of status.slice(0, -1)) expect(line).toMatch(/^Waiting for deployment "web" rollout to finish: /);
    expectRows(await sim.ok("get", "deployment", "web"), ["NAME   READY   UP-TO-DATE   AVAILABLE   AGE", "web    3/3     3            3           <AGE>"]);
    const rs = await names("rs", "-l", "app=web");
    expect(rs).toHaveLength(1);
    expect(rs[0]).toMatch(/^replicaset\.apps\/web-[a-z0-9]{6,10}$/);
    const hash = (rs[0] ?? "").replace("replicaset.apps/web-", "");
    expect(await jsonpath("{.metadata.labels.pod-template-hash} {.metadata.annotations.deployment\\.kubernetes\\.io/revision} {.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name} {.metadata.ownerReferences[0].controller}", "rs", `web-${hash}`)).toBe(
      `${hash} 1 Deployment/web true`,
    );
    const pods = await names("pods", "-l", "app=web");
    expect(pods).toHaveLength(3);
    for (const pod of pods) expect(pod).toMatch(new RegExp(`^pod/web-${hash}-[a-z0-9]{5}$`));
    expectRows(await sim.ok("get", "rs", `web-${hash}`), ["NAME   DESIRED   CURRENT   READY   AGE", `web-${hash}   3   3   3   <AGE>`]);
  });

  it("describe shows the replica counts, conditions, NewReplicaSet and scaling events", async () => {
    const text = lines(await sim.ok("describe", "deployment", "web"));
    expect(text).toContain("Replicas:               3 desired | 3 updated | 3 total | 3 available | 0 unavailable");
    expect(text).toContainEqual(expect.stringMatching(/^ {2}Available\s+True\s+MinimumReplicasAvailable$/));
    expect(text).toContainEqual(expect.stringMatching(/^ {2}Progressing\s+True\s+NewReplicaSetAvailable$/));
    expect(text).toContain("OldReplicaSets:  <none>");
    expect(text).toContainEqual(expect.stringMatching(/^NewReplicaSet:\s+web-[a-z0-9]+ \(3\/3 replicas created\)$/));
    expect(text).toContainEqual(expect.stringMatching(/^ {2}Normal\s+ScalingReplicaSet\s+\S+\s+deployment-controller\s+Scaled up replica set web-[a-z0-9]+ from 0 to 3$/));
  });

  it("scales the ReplicaSet and its pods", async () => {
    expect(await sim.ok("scale", "deployment", "web", "--replicas=4")).toBe("deployment.apps/web scaled\n");
    await rolledOut("web");
    expect(await names("pods", "-l", "app=web", "--field-selector=status.phase=Running")).toHaveLength(4);
    await sim.ok("scale", "deployment", "web", "--replicas=3");
    await sim.waitFor(/^3\/3 3$/, "get", "deploy", "web", "-o", "jsonpath={.status.readyReplicas}/{.spec.replicas} {.status.replicas}");
  });
});

describe("kubectl rollout", () => {
  it("rolls a new image out, records history, and undoes it", async () => {
    expect(await sim.ok("set", "image", "deployment/web", "nginx=nginx:1.26")).toBe("deployment.apps/web image updated\n");
    await rolledOut("web");
    expect(await jsonpath("{.status.updatedReplicas} {.status.availableReplicas}", "deploy", "web")).toBe("3 3");
    expect(await sim.ok("rollout", "history", "deployment/web")).toBe("deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n");
    const rs = lines(await sim.ok("get", "rs", "-l", "app=web", "--sort-by=.metadata.annotations.deployment\\.kubernetes\\.io/revision", "--no-headers"));
    expect(rs.map((l) => l.split(/\s+/).slice(1, 4).join(" "))).toEqual(["0 0 0", "3 3 3"]);
    const revision2 = await sim.ok("rollout", "history", "deployment/web", "--revision=2");
    expect(revision2.split("\n")[0]).toBe("deployment.apps/web with revision #2");
    expect(revision2).toContain("    Image:\tnginx:1.26\n");

    expect(await sim.ok("rollout", "undo", "deployment/web")).toBe("deployment.apps/web rolled back\n");
    await rolledOut("web");
    expect(await jsonpath("{.spec.template.spec.containers[0].image}", "deploy", "web")).toBe("nginx:1.27");
    expect(await sim.ok("rollout", "history", "deployment/web")).toBe("deployment.apps/web \nREVISION  CHANGE-CAUSE\n2         <none>\n3         <none>\n\n");
    const undoAgain = await sim.kubectl("rollout", "undo", "deployment/web", "--to-revision=9");
    expect(undoAgain).toMatchObject({ code: 1, stderr: "error: unable to find specified revision 9 in history\n" });
  });

  it("restarts: a new ReplicaSet with the restartedAt annotation", async () => {
    const before = await names("rs", "-l", "app=web");
    expect(await sim.ok("rollout", "restart", "deployment/web")).toBe("deployment.apps/web restarted\n");
    expect(await jsonpath("{.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}", "deploy", "web")).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    await rolledOut("web");
    const after = await names("rs", "-l", "app=web");
    expect(after.length).toBe(before.length + 1);
  });

  it("pause holds template changes back until resume", async () => {
    expect(await sim.ok("rollout", "pause", "deployment/web")).toBe("deployment.apps/web paused\n");
    expect(await sim.kubectl("rollout", "pause", "deployment/web")).toEqual({ code: 1, stdout: "", stderr: 'error: deployments.apps "web" is already paused\n' });
    const before = await names("rs", "-l", "app=web");
    // nginx:1.26 is on the nodes already (the rollout above pulled it): no pull time.
    await sim.ok("set", "image", "deployment/web", "nginx=nginx:1.26");
    // The controller observes the paused spec (observedGeneration catches up) without creating a ReplicaSet.
    await sim.waitFor(/^(\d+) \1$/, "get", "deploy", "web", "-o", "jsonpath={.metadata.generation} {.status.observedGeneration}");
    expect(await names("rs", "-l", "app=web")).toEqual(before);
    expect(await sim.ok("rollout", "resume", "deployment/web")).toBe("deployment.apps/web resumed\n");
    await rolledOut("web");
    expect((await names("rs", "-l", "app=web")).length).toBe(before.length + 1);
    expect(await sim.kubectl("rollout", "resume", "deployment/web")).toEqual({ code: 1, stdout: "", stderr: 'error: deployments.apps "web" is not paused\n' });
  });
});

describe("kubectl delete --cascade", () => {
  async function deployed(name: string): Promise<void> {
    await sim.ok("create", "deployment", name, "--image=nginx:1.27", "--replicas=2");
    await rolledOut(name);
  }

  it("background (the default): ReplicaSets and pods go too", async () => {
    await deployed("bg");
    expect(await sim.ok("delete", "deployment", "bg")).toBe('deployment.apps "bg" deleted\n');
    await sim.waitFor(/^$/, "get", "rs,pods", "-l", "app=bg", "-o", "name");
  });

  it("orphan: the ReplicaSet stays, without its owner reference, and keeps its pods", async () => {
    await deployed("orphans");
    const rs = await names("rs", "-l", "app=orphans");
    expect(await sim.ok("delete", "deployment", "orphans", "--cascade=orphan")).toBe('deployment.apps "orphans" deleted\n');
    expect(await names("rs", "-l", "app=orphans")).toEqual(rs);
    await sim.waitFor(/^$/, "get", ...rs, "-o", "jsonpath={.metadata.ownerReferences}");
    expect(await names("pods", "-l", "app=orphans")).toHaveLength(2);
  });

  it("foreground: kubectl returns once the dependents are gone", async () => {
    await deployed("fg");
    expect(await sim.ok("delete", "deployment", "fg", "--cascade=foreground")).toBe('deployment.apps "fg" deleted\n');
    expect(await names("rs", "-l", "app=fg")).toEqual([]);
    await sim.waitFor(/^$/, "get", "pods", "-l", "app=fg", "-o", "name");
  });

  it("deleting a ReplicaSet's pod makes the ReplicaSet replace it", async () => {
    const [first] = await names("pods", "-l", "app=web");
    await sim.ok("delete", first ?? "", "--wait=false");
    await sim.waitFor(/^3\/3$/, "get", "deploy", "web", "-o", "jsonpath={.status.readyReplicas}/{.status.replicas}");
    expect(await names("pods", "-l", "app=web")).not.toContain(first);
  });
});
