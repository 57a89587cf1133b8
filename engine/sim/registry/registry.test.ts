// The registry is the one place that knows a kind: every served type carries
// its schema (with our description), its table columns, and the schemas of
// the bodies its subresources take.
import { describe, expect, it } from "vitest";
import { defaultRegistry, Registry, type ResourceType } from "./index";

const registry = defaultRegistry();

describe("the resource registry", () => {
  it("gives every served kind its schema, a description and table columns", () => {
    expect(registry.types.length).toBeGreaterThan(40);
    for (const type of registry.types) {
      const what = `${type.plural}.${type.group}`;
      expect(type.schema.gvk, what).toEqual({ group: type.group, version: type.version, kind: type.kind });
      expect(type.schema.description.length, what).toBeGreaterThan(20);
      expect(type.schema.fields.metadata, what).toBeDefined();
      expect(type.columns.length, what).toBeGreaterThan(0);
      for (const column of type.columns) expect(column.description, `${what} ${column.name}`).not.toBe("");
      expect(type.listKind).toBe(`${type.kind}List`);
      expect(registry.schemaFor(type.group ? `${type.group}/${type.version}` : type.version, type.kind)).toBe(type.schema);
    }
  });

  it("refuses a type without a schema or without columns", () => {
    const pods = registry.find("", "v1", "pods") as ResourceType;
    expect(() => new Registry([{ ...pods, schema: undefined as unknown as ResourceType["schema"] }])).toThrow("resource type pods.core has no schema");
    expect(() => new Registry([{ ...pods, columns: [] }])).toThrow("resource type pods.core has no table columns");
    const services = registry.find("", "v1", "services") as ResourceType;
    expect(() => new Registry([{ ...pods, schema: services.schema }])).toThrow("resource type pods.core does not match its schema io.k8s.api.core.v1.Service");
  });

  it("knows the schemas of subresource bodies, for protobuf requests", () => {
    expect(registry.schemaFor("autoscaling/v1", "Scale")?.name).toBe("io.k8s.api.autoscaling.v1.Scale");
    expect(registry.schemaFor("policy/v1", "Eviction")?.name).toBe("io.k8s.api.policy.v1.Eviction");
    expect(registry.schemaFor("authentication.k8s.io/v1", "TokenRequest")?.name).toBe("io.k8s.api.authentication.v1.TokenRequest");
    expect(registry.schemaFor("v1", "Binding")?.name).toBe("io.k8s.api.core.v1.Binding");
    expect(registry.schemaFor("v1", "Nope")).toBeUndefined();
  });

  it("marks ComponentStatus deprecated, as every answer about it says", () => {
    expect(registry.find("", "v1", "componentstatuses")?.deprecationWarning).toBe("v1 ComponentStatus is deprecated in v1.19+");
    expect(registry.types.filter((t) => t.deprecationWarning).map((t) => t.plural)).toEqual(["componentstatuses"]);
  });
});
