// Real kubectl 1.32 against a sim cluster: expose, get svc,ep, endpointslices, describe svc.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { advanceClock, rows, startKubectlCluster, type KubectlCluster } from "../test-kubectl";

let h: KubectlCluster;

beforeAll(async () => {
  h = await startKubectlCluster("learner-network");
});

afterAll(async () => {
  await h.close();
});

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const advance = (ms: number, step?: number): Promise<void> => advanceClock(h.clock, ms, step);

describe("services through kubectl", () => {
  it("expose deployment -> get svc,ep and describe svc", async () => {
    expect((await h.kubectl("create", "deployment", "web", "--image=nginx", "--replicas=4")).code).toBe(0);
    await advance(5_000);
    expect((await h.kubectl("expose", "deployment", "web", "--port=80")).stdout).toBe("service/web exposed\n");
    await flush();
    const ips = (await h.kubectl("get", "pods", "-l", "app=web", "-o", "jsonpath={.items[*].status.podIP}")).stdout.split(" ").sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
    expect(ips).toHaveLength(4);
    const clusterIP = (await h.kubectl("get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}")).stdout;
    const got = await h.kubectl("get", "svc,ep", "web");
    expect(got.stderr).toBe("");
    const table = rows(got.stdout);
    expect(table[0]).toEqual(["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]);
    expect(table[1]).toEqual(["service/web", "ClusterIP", clusterIP, "<none>", "80/TCP", "0s"]);
    expect(table[3]).toEqual(["NAME", "ENDPOINTS", "AGE"]);
    const ordered = [...ips].sort((a, b) => {
      const pa = a.split(".").map(Number);
      const pb = b.split(".").map(Number);
      for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
      return 0;
    });
    expect(table[4]).toEqual(["endpoints/web", `${ordered.slice(0, 3).map((ip) => `${ip}:80`).join(",")} + 1 more...`, "0s"]);

    const described = await h.kubectl("describe", "svc", "web");
    expect(described.stdout).toMatch(/^Name:\s+web$/m);
    expect(described.stdout).toMatch(/^Selector:\s+app=web$/m);
    expect(described.stdout).toMatch(new RegExp(`^IP:\\s+${clusterIP.replace(/\./g, "\\.")}$`, "m"));
    expect(described.stdout).toMatch(/^Port:\s+<unset>\s+80\/TCP$/m);
    expect(described.stdout).toMatch(/^TargetPort:\s+80\/TCP$/m);
    expect(described.stdout).toMatch(new RegExp(`^Endpoints:\\s+${ordered.slice(0, 3).map((ip) => `${ip}:80`).join(",").replace(/\./g, "\\.")} \\+ 1 more\\.\\.\\.$`, "m"));

    const slices = await h.kubectl("get", "endpointslices", "-l", "kubernetes.io/service-name=web");
    const sliceRows = rows(slices.stdout);
    expect(sliceRows[0]).toEqual(["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"]);
    expect(sliceRows[1]?.[0]).toMatch(/^web-[a-z0-9]{5}$/);
    expect(sliceRows[1]?.slice(1, 3)).toEqual(["IPv4", "80"]);
  });

  it("NodePort cells and the allocation conflict error", async () => {
    const created = await h.kubectl("create", "service", "nodeport", "edge", "--tcp=80:80", "--node-port=30080");
    expect(created.stdout).toBe("service/edge created\n");
    const got = await h.kubectl("get", "svc", "edge", "--no-headers");
    expect(rows(got.stdout)[0]?.slice(1, 5)).toEqual(["NodePort", expect.stringMatching(/^10\.9[6-9]\./) as unknown, "<none>", "80:30080/TCP"]);
    const clash = await h.kubectl("create", "service", "nodeport", "edge2", "--tcp=80:80", "--node-port=30080");
    expect(clash.code).toBe(1);
    expect(clash.stderr).toBe('error: failed to create NodePort service: Service "edge2" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated\n');
  });

  it("a service without ready pods: empty Endpoints cell, blank describe line", async () => {
    await h.kubectl("create", "service", "clusterip", "lonely", "--tcp=80:8080");
    await flush();
    const ep = await h.kubectl("get", "ep", "lonely", "--no-headers");
    expect(rows(ep.stdout)[0]?.slice(0, 2)).toEqual(["lonely", "<none>"]);
    const described = await h.kubectl("describe", "svc", "lonely");
    expect(described.stdout).toMatch(/^Endpoints:\s*$/m);
    const kubeDns = await h.kubectl("get", "ep", "kube-dns", "-n", "kube-system", "--no-headers");
    expect(rows(kubeDns.stdout)[0]?.[1]).toBe("10.244.0.2:53,10.244.0.3:53,10.244.0.2:53 + 3 more...");
  });
});
