// Wrong JSON types, worded by each upstream decoder. What kubectl prints for
// the common cases is in conformance/create.test.ts and update.test.ts; these
// are the cases a manifest rarely reaches.
import { describe, expect, it } from "vitest";
import { serviceSchema } from "./core";
import { podSchema } from "./pod";
import { typeProblem } from "./type-check";

const port = (value: unknown): unknown => ({ spec: { ports: [{ port: 80, targetPort: value }] } });

describe("typeProblem", () => {
  it("reads IntOrString's nested int32 decoding at the field's place", () => {
    expect(typeProblem(serviceSchema, port("http"), "json")).toBeUndefined();
    expect(typeProblem(serviceSchema, port(8080), "json")).toBeUndefined();
    expect(typeProblem(serviceSchema, port(1.5), "json")).toBe("json: cannot unmarshal number 1.5 into Go struct field ServicePort.spec.ports.targetPort of type int32");
    expect(typeProblem(serviceSchema, port(true), "converter")).toBe("json: cannot unmarshal bool into Go value of type int32");
  });

  it("lets the converter turn neither an integer nor a float into a string, in its own words", () => {
    const labelled = (value: unknown): unknown => ({ metadata: { labels: { tier: value } } });
    expect(typeProblem(podSchema, labelled(1), "converter")).toBe("cannot convert int64 to string");
    expect(typeProblem(podSchema, labelled(1.5), "converter")).toBe("unrecognized type: string");
    expect(typeProblem(podSchema, labelled(1), "json")).toBe("json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string");
  });

  it("skips strategic merge directives in a patch, and null (a deletion)", () => {
    const patch = { spec: { $setElementOrder: 1, containers: [{ name: "app", $patch: "delete" }], nodeName: null } };
    expect(typeProblem(podSchema, patch, "converter")).toBeUndefined();
  });

  it("tells a quantity's bad suffix from a bad shape, and only encoding/json refuses an int32 overflow", () => {
    const limits = (memory: unknown): unknown => ({ spec: { containers: [{ name: "app", resources: { limits: { memory } } }] } });
    expect(typeProblem(podSchema, limits("1iK"), "json")).toBe("unable to parse quantity's suffix");
    expect(typeProblem(podSchema, limits("1.2.3"), "json")).toBe("unable to parse numeric part of quantity");
    expect(typeProblem(podSchema, limits(512), "json")).toBeUndefined();
    const grace = { spec: { terminationGracePeriodSeconds: 2 ** 40, containers: [{ name: "app", ports: [{ containerPort: 2 ** 32 }] }] } };
    expect(typeProblem(podSchema, grace, "json")).toBe("json: cannot unmarshal number 4294967296 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32");
    expect(typeProblem(podSchema, grace, "converter")).toBeUndefined();
  });

  it("names list items by their keys (or values, or index) in a server-side apply path", () => {
    const applied = { spec: { containers: [{ name: "app", ports: [{ containerPort: 80, hostPort: "x" }], args: [1] }] } };
    expect(typeProblem(podSchema, applied, "apply")).toBe(
      [
        "errors:",
        '  .spec.containers[name="app"].ports[containerPort=80].hostPort: expected numeric (int or float), got string',
        "  .spec.containers[name=\"app\"].args[0]: expected string, got &value.valueUnstructured{Value:1}",
      ].join("\n"),
    );
  });
});
