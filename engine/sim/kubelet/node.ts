// What a kubelet registers for its node: the Node object (labels, taints,
// capacity, conditions, system info, kubeadm-style) and its heartbeat Lease.
import { createHash } from "node:crypto";
import { microTimestamp, timestamp } from "../registry";
import type { Condition, KObject, Node } from "../types";
import { uuidFromHex } from "../apiserver/uid";

export interface NodeConfig {
  name: string;
  controlPlane: boolean;
  internalIP: string;
  /** The node's pod subnet, 10.244.N.0/24. */
  podCIDR: string;
}

export const KUBELET_VERSION = "v1.32.3";

function condition(type: string, status: Condition["status"], reason: string, message: string, now: string): Condition {
  return { type, status, lastHeartbeatTime: now, lastTransitionTime: now, reason, message };
}

function fakeId(seed: string): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, 32);
}

export function nodeObject(config: NodeConfig, nowMs: number): Node {
  const now = timestamp(nowMs);
  const labels: Record<string, string> = {
    "beta.kubernetes.io/arch": "amd64",
    "beta.kubernetes.io/os": "linux",
    "kubernetes.io/arch": "amd64",
    "kubernetes.io/hostname": config.name,
    "kubernetes.io/os": "linux",
  };
  if (config.controlPlane) {
    labels["node-role.kubernetes.io/control-plane"] = "";
    labels["node.kubernetes.io/exclude-from-external-load-balancers"] = "";
  }
  const resources = { cpu: "2", "ephemeral-storage": "20134592Ki", "hugepages-1Gi": "0", "hugepages-2Mi": "0", memory: "4015876Ki", pods: "110" };
  const uuid = fakeId(config.name);
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: config.name,
      labels,
      annotations: {
        "kubeadm.alpha.kubernetes.io/cri-socket": "unix:///var/run/containerd/containerd.sock",
        "node.alpha.kubernetes.io/ttl": "0",
        "volumes.kubernetes.io/controller-managed-attach-detach": "true",
      },
    },
    spec: {
      podCIDR: config.podCIDR,
      podCIDRs: [config.podCIDR],
      ...(config.controlPlane ? { taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }] } : {}),
    },
    status: {
      addresses: [
        { type: "InternalIP", address: config.internalIP },
        { type: "Hostname", address: config.name },
      ],
      allocatable: { ...resources, "ephemeral-storage": "18556039957", memory: "3913476Ki" },
      capacity: resources,
      conditions: [
        condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", now),
        condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", now),
        condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", now),
        condition("Ready", "True", "KubeletReady", "kubelet is posting ready status", now),
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: "amd64",
        bootID: uuidFromHex(uuid),
        containerRuntimeVersion: "containerd://1.7.24",
        kernelVersion: "5.15.0-131-generic",
        kubeProxyVersion: KUBELET_VERSION,
        kubeletVersion: KUBELET_VERSION,
        machineID: uuid,
        operatingSystem: "linux",
        osImage: "Ubuntu 22.04.5 LTS",
        systemUUID: uuid,
      },
    },
  };
}

export function leaseObject(config: NodeConfig, nowMs: number): KObject {
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: { name: config.name, namespace: "kube-node-lease" },
    spec: { holderIdentity: config.name, leaseDurationSeconds: 40, renewTime: microTimestamp(nowMs) },
  };
}
