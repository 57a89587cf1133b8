// What the Endpoints and EndpointSlice controllers share: which pods back a
// Service (upstream's ShouldPodBeInEndpoints), their readiness, and the
// port numbers each pod serves for each Service port (targetPort as a number,
// or a container port name looked up in that pod, as podutil.FindPort does).
import type { KObject, Pod, Service, ServicePort } from "../types";

export const SERVICE_NAME_LABEL = "kubernetes.io/service-name";
export const MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";
export const SLICE_CONTROLLER = "endpointslice-controller.k8s.io";
export const HEADLESS_LABEL = "service.kubernetes.io/headless";
export const TRIGGER_TIME_ANNOTATION = "endpoints.kubernetes.io/last-change-trigger-time";

/** A Service port resolved for one pod. */
export interface ResolvedPort {
  name: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

/** One pod behind a Service, with what both controllers need to write about it. */
export interface Backend {
  pod: Pod;
  ip: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  hostname?: string;
  ports: ResolvedPort[];
}

/** Whether the Service's selector picks its pods (ExternalName and selector-less Services are not managed). */
export function managesEndpoints(svc: Service): boolean {
  return svc.spec?.type !== "ExternalName" && !!svc.spec?.selector && Object.keys(svc.spec.selector).length > 0;
}

export function isHeadless(svc: Service): boolean {
  return svc.spec?.clusterIP === "None";
}

export function serviceSelects(svc: Service, labels: Record<string, string> | undefined): boolean {
  const selector = svc.spec?.selector;
  if (!selector || !Object.keys(selector).length) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

export function podReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

/** upstream ShouldPodBeInEndpoints: not terminal, has an IP, and not terminating unless asked. */
export function podInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === "Succeeded" || phase === "Failed") return false;
  if (!pod.status?.podIP && !pod.status?.podIPs?.length) return false;
  return includeTerminating || !pod.metadata.deletionTimestamp;
}

/** The container port a Service port's targetPort names in `pod`, or the number itself (podutil.FindPort). */
export function findPort(pod: Pod, port: ServicePort): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === "number") return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = port.protocol ?? "TCP";
  for (const c of pod.spec.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? "TCP") === protocol) return p.containerPort;
  }
  return undefined;
}

/** Every pod behind `svc`, in IP order (Endpoints: terminating pods only with publishNotReadyAddresses; slices: always). */
export function backendsOf(svc: Service, pods: Pod[], includeTerminating: boolean): Backend[] {
  const publish = svc.spec?.publishNotReadyAddresses === true;
  const out: Backend[] = [];
  for (const pod of pods) {
    if (pod.metadata.namespace !== svc.metadata.namespace || !serviceSelects(svc, pod.metadata.labels)) continue;
    if (!podInEndpoints(pod, includeTerminating || publish)) continue;
    const ip = pod.status?.podIP ?? pod.status?.podIPs?.[0]?.ip ?? "";
    const terminating = !!pod.metadata.deletionTimestamp;
    const serving = podReady(pod);
    const ports: ResolvedPort[] = [];
    for (const sp of svc.spec?.ports ?? []) {
      const number = findPort(pod, sp);
      if (number === undefined) continue;
      const resolved: ResolvedPort = { name: sp.name ?? "", port: number, protocol: sp.protocol ?? "TCP" };
      const appProtocol = (sp as { appProtocol?: string }).appProtocol;
      if (appProtocol) resolved.appProtocol = appProtocol;
      ports.push(resolved);
    }
    const backend: Backend = { pod, ip, ready: publish || (serving && !terminating), serving: publish || serving, terminating, ports };
    const hostname = pod.spec.hostname as string | undefined;
    if (hostname && pod.spec.subdomain === svc.metadata.name) backend.hostname = hostname;
    out.push(backend);
  }
  return out.sort((a, b) => compareIPs(a.ip, b.ip) || (a.pod.metadata.name ?? "").localeCompare(b.pod.metadata.name ?? ""));
}

/** Numeric IPv4 order (falls back to string order). */
export function compareIPs(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  if (pa.length === 4 && pb.length === 4) {
    for (let i = 0; i < 4; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
    return 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A stable key for a list of resolved ports (pods that resolve a Service's ports alike share a subset / slice). */
export function portsKey(ports: ResolvedPort[]): string {
  return JSON.stringify(ports.map((p) => [p.name, p.port, p.protocol, p.appProtocol ?? ""]));
}

export function targetRef(pod: Pod): { kind: string; namespace: string; name: string; uid: string } {
  return { kind: "Pod", namespace: pod.metadata.namespace ?? "", name: pod.metadata.name ?? "", uid: pod.metadata.uid ?? "" };
}

/** The Service's labels plus (or minus) the headless marker, as both controllers copy them. */
export function copiedLabels(svc: Service, extra: Record<string, string> = {}): Record<string, string> {
  const labels: Record<string, string> = { ...svc.metadata.labels };
  delete labels[HEADLESS_LABEL];
  if (isHeadless(svc)) labels[HEADLESS_LABEL] = "";
  return { ...labels, ...extra };
}

export const keyOf = (o: KObject): string => `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;

/** A stored object as the kind its key holds (types whose fields are all optional need no cast elsewhere). */
export const stored = <T extends KObject>(o: KObject | undefined): T | undefined => o as T | undefined;
export const storedList = <T extends KObject>(items: KObject[]): T[] => items as T[];
