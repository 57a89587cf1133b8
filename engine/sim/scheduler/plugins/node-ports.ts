// NodePorts: a container hostPort can be taken by one pod per node (per
// protocol and host IP).
import { unschedulable, type FilterPlugin } from "../framework";
import type { Pod } from "../../types";

function hostPorts(pod: Pod): string[] {
  return pod.spec.containers.flatMap((c) => (c.ports ?? []).filter((p) => typeof p.hostPort === "number" && p.hostPort > 0).map((p) => `${String(p.protocol ?? "TCP")}/${String(p.hostPort)}`));
}

export const nodePorts: FilterPlugin = {
  name: "NodePorts",
  filter(state, node) {
    const wanted = hostPorts(state.pod);
    if (!wanted.length) return undefined;
    const used = new Set(node.pods.flatMap(hostPorts));
    return wanted.some((p) => used.has(p)) ? unschedulable("node(s) didn't have free ports for the requested pod ports") : undefined;
  },
};
