// The protobuf decoder against messages encoded by hand, field by field, with
// the wire numbers kubectl's generated code uses. The little encoder here is
// independent of the schema registry on purpose.
import { describe, expect, it } from "vitest";
import { decodeObject, decodeProtobufObject, formatDuration, ProtobufError } from "./protobuf";
import { defaultRegistry } from "../registry";

function varint(value: number | bigint): Buffer {
  let n = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    let byte = Number(n & 0x7fn);
    n >>= 7n;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return Buffer.from(out);
}

const num = (field: number, value: number | bigint | boolean): Buffer => Buffer.concat([varint(field << 3), varint(typeof value === "boolean" ? Number(value) : value)]);
const bytes = (field: number, value: Buffer): Buffer => Buffer.concat([varint((field << 3) | 2), varint(value.length), value]);
const text = (field: number, value: string): Buffer => bytes(field, Buffer.from(value, "utf8"));
const msg = (field: number, ...parts: Buffer[]): Buffer => bytes(field, Buffer.concat(parts));
const entry = (field: number, key: string, value: Buffer): Buffer => msg(field, text(1, key), value);

function envelope(apiVersion: string, kind: string, raw: Buffer): Buffer {
  return Buffer.concat([Buffer.from("k8s\0", "binary"), msg(1, text(1, apiVersion), text(2, kind)), bytes(2, raw), text(3, ""), text(4, "")]);
}

const registry = defaultRegistry();
const schemaName = (apiVersion: string, kind: string): string | undefined => registry.schemaFor(apiVersion, kind)?.name;

/** ObjectMeta as Go's generated marshaller writes it: every non-pointer field, even when empty. */
function objectMeta(name: string, extra: Buffer[] = []): Buffer {
  return msg(1, text(1, name), text(2, ""), text(3, ""), text(4, ""), text(5, ""), text(6, ""), num(7, 0), msg(8), ...extra);
}

describe("protobuf request bodies", () => {
  it("decodes a ConfigMap: envelope, zero-valued metadata dropped, string maps", () => {
    const raw = Buffer.concat([objectMeta("cm1", [entry(11, "app", text(2, "web"))]), entry(2, "a", text(2, "b")), entry(2, "c", text(2, "d"))]);
    expect(decodeProtobufObject(envelope("v1", "ConfigMap", raw), schemaName)).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "cm1", labels: { app: "web" } },
      data: { a: "b", c: "d" },
    });
  });

  it("decodes Secret data bytes to base64", () => {
    const raw = Buffer.concat([objectMeta("s"), entry(2, "password", bytes(2, Buffer.from([0, 1, 2, 255]))), text(3, "Opaque")]);
    expect(decodeProtobufObject(envelope("v1", "Secret", raw), schemaName)).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s" },
      data: { password: "AAEC/w==" },
      type: "Opaque",
    });
  });

  it("decodes int-or-string, keeps pointer zeros and drops omitempty zeros", () => {
    // ServiceSpec { ports = 1 [ ServicePort { name = 1, protocol = 2, port = 3, targetPort = 4 {type, intVal, strVal}, nodePort = 5 } ] }
    const portByNumber = msg(1, text(1, "80-8080"), text(2, "TCP"), num(3, 80), msg(4, num(1, 0), num(2, 8080), text(3, "")), num(5, 0));
    const portByName = msg(1, text(1, "web"), text(2, "TCP"), num(3, 443), msg(4, num(1, 1), num(2, 0), text(3, "https")), num(5, 0));
    const unsetTarget = msg(1, text(1, ""), text(2, "UDP"), num(3, 53), msg(4, num(1, 0), num(2, 0), text(3, "")), num(5, 0));
    const spec = msg(2, portByNumber, portByName, unsetTarget, text(4, "ClusterIP"));
    expect(decodeObject(Buffer.concat([objectMeta("svc"), spec]), "io.k8s.api.core.v1.Service")).toEqual({
      metadata: { name: "svc" },
      spec: {
        ports: [
          { name: "80-8080", protocol: "TCP", port: 80, targetPort: 8080 },
          { name: "web", protocol: "TCP", port: 443, targetPort: "https" },
          { protocol: "UDP", port: 53 },
        ],
        type: "ClusterIP",
      },
    });
    // DeploymentSpec.replicas is a pointer: 0 is a value, not "unset".
    const deployment = decodeObject(Buffer.concat([objectMeta("d"), msg(2, num(1, 0), num(5, 0), num(7, false))]), "io.k8s.api.apps.v1.Deployment");
    expect(deployment.spec).toEqual({ replicas: 0 });
  });

  it("decodes nested lists of messages, quantities, inline-embedded structs and negative numbers", () => {
    const resources = msg(8, entry(1, "cpu", msg(2, text(1, "500m"))), entry(2, "memory", msg(2, text(1, "128Mi"))));
    // Probe embeds ProbeHandler as field 1; HTTPGetAction.port is an IntOrString.
    const probe = msg(10, msg(1, msg(2, text(1, "/healthz"), msg(2, num(1, 0), num(2, 8080)))), num(4, 5), num(6, 3));
    // EnvVar.valueFrom.configMapKeyRef embeds LocalObjectReference (name) as field 1.
    const env = msg(7, text(1, "MODE"), msg(3, msg(3, msg(1, text(1, "settings")), text(2, "mode"))));
    const container = msg(2, text(1, "web"), text(2, "nginx:1.27"), msg(6, num(3, 80), text(4, "TCP")), msg(6, num(3, 443), text(4, "TCP")), env, resources, probe);
    const volume = msg(1, text(1, "data"), msg(2, msg(2, text(1, ""))));
    const securityContext = msg(14, num(2, -1n));
    const spec = msg(2, volume, container, securityContext, num(4, 30));
    expect(decodeObject(Buffer.concat([objectMeta("p"), spec]), "io.k8s.api.core.v1.Pod").spec).toEqual({
      volumes: [{ name: "data", emptyDir: {} }],
      containers: [
        {
          name: "web",
          image: "nginx:1.27",
          ports: [
            { containerPort: 80, protocol: "TCP" },
            { containerPort: 443, protocol: "TCP" },
          ],
          env: [{ name: "MODE", valueFrom: { configMapKeyRef: { name: "settings", key: "mode" } } }],
          resources: { limits: { cpu: "500m" }, requests: { memory: "128Mi" } },
          livenessProbe: { httpGet: { path: "/healthz", port: 8080 }, periodSeconds: 5, failureThreshold: 3 },
        },
      ],
      securityContext: { runAsUser: -1 },
      terminationGracePeriodSeconds: 30,
    });
  });

  it("keeps empty strings inside lists (RBAC's core API group)", () => {
    const rule = msg(2, text(1, "get"), text(1, "list"), text(2, ""), text(3, "pods"));
    expect(decodeProtobufObject(envelope("rbac.authorization.k8s.io/v1", "Role", Buffer.concat([objectMeta("r"), rule])), schemaName)).toEqual({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: "r" },
      rules: [{ verbs: ["get", "list"], apiGroups: [""], resources: ["pods"] }],
    });
  });

  it("decodes times, packed repeated numbers and review requests", () => {
    const status = msg(3, text(1, "tok"), msg(2, num(1, Date.parse("2026-03-01T13:00:00Z") / 1000)));
    const spec = msg(2, text(1, "https://kubernetes.default.svc"), num(4, 3600));
    expect(decodeProtobufObject(envelope("authentication.k8s.io/v1", "TokenRequest", Buffer.concat([objectMeta(""), spec, status])), schemaName)).toEqual({
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      metadata: {},
      spec: { audiences: ["https://kubernetes.default.svc"], expirationSeconds: 3600 },
      status: { token: "tok", expirationTimestamp: "2026-03-01T13:00:00Z" },
    });
    const groups = bytes(4, Buffer.concat([varint(1000), varint(2000)]));
    expect(decodeObject(groups, "io.k8s.api.core.v1.PodSecurityContext")).toEqual({ supplementalGroups: [1000, 2000] });
    const review = msg(2, msg(1, text(1, "default"), text(2, "list"), text(3, ""), text(4, ""), text(5, "pods"), text(6, ""), text(7, "")));
    expect(decodeProtobufObject(envelope("authorization.k8s.io/v1", "SelfSubjectAccessReview", Buffer.concat([objectMeta(""), review, msg(3, num(1, false))])), schemaName)).toEqual({
      apiVersion: "authorization.k8s.io/v1",
      kind: "SelfSubjectAccessReview",
      metadata: {},
      spec: { resourceAttributes: { namespace: "default", verb: "list", resource: "pods" } },
      status: { allowed: false },
    });
  });

  it("skips unknown field numbers and rejects broken bodies", () => {
    expect(decodeObject(Buffer.concat([text(99, "future"), num(98, 7), num(4, true)]), "io.k8s.api.core.v1.ConfigMap")).toEqual({ immutable: true });
    expect(() => decodeProtobufObject(Buffer.from("{}"), schemaName)).toThrow(ProtobufError);
    expect(() => decodeProtobufObject(envelope("v1", "Nope", Buffer.alloc(0)), schemaName)).toThrow(/no protobuf schema for v1, Kind=Nope/);
    expect(() => decodeObject(Buffer.from([0x0a, 0x05, 0x61]), "io.k8s.api.core.v1.ConfigMap")).toThrow(/truncated/);
  });

  it("formats durations like Go", () => {
    expect(formatDuration(3_600_000_000_000)).toBe("1h0m0s");
    expect(formatDuration(90_500_000_000)).toBe("1m30.5s");
    expect(formatDuration(300_000_000)).toBe("300ms");
    expect(formatDuration(0)).toBe("0s");
  });
});
