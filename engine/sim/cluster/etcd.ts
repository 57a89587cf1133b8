// The cluster's etcd as kubeadm runs it on the control-plane node: one member
// named after the node, serving TLS on 127.0.0.1:2379 and <node IP>:2379 with
// client certificates from its own CA, the PKI in /etc/kubernetes/pki/etcd on
// the node (mounted into the etcd pod by its hostPath volume), and what a
// container reaches of it (etcdctl: container/etcdctl.ts). The data is the
// sim's store itself.
import { createHash } from "node:crypto";
import { clusterIdOf, memberId, type EtcdConnection, type EtcdMember, type PkiFile } from "../container/etcdctl";
import { treeFrom } from "../container/fs";
import type { ContainerRuntime } from "../container/runtime";
import type { NodeConfig } from "../kubelet/node";
import type { Store } from "../store/store";
import type { Pod } from "../types";

export const ETCD_PKI_DIR = "/etc/kubernetes/pki/etcd";

/** The key pairs kubeadm makes for etcd (the CA, the server, peers, the health check client). */
const PAIRS = ["ca", "server", "peer", "healthcheck-client"];

/**
 * PEM-armoured bytes standing in for a certificate or key: deterministic per
 * cluster, recognised by content (they are not parseable X.509; etcdctl here
 * only checks which file is which).
 */
export function pem(label: string, seed: string, size: number): string {
  const blocks = Array.from({ length: Math.ceil(size / 32) }, (_, i) => createHash("sha256").update(`${seed}/${i}`).digest());
  const body = Buffer.concat(blocks).subarray(0, size).toString("base64").replace(/.{64}/g, "$&\n").replace(/\n$/, "");
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

export class EtcdServer {
  readonly member: EtcdMember;
  readonly clusterId: string;
  /** File name in ETCD_PKI_DIR -> content. */
  readonly files: Record<string, string> = {};
  private readonly pki = new Map<string, PkiFile>();

  constructor(
    private readonly store: Store,
    private readonly node: NodeConfig,
    seed: string,
  ) {
    const peerURLs = [`https://${node.internalIP}:2380`];
    this.member = { id: memberId(peerURLs, "etcd-cluster"), name: node.name, peerURLs, clientURLs: [`https://${node.internalIP}:2379`] };
    this.clusterId = clusterIdOf([this.member.id]);
    for (const pair of PAIRS) {
      const cert = pem("CERTIFICATE", `${seed}/etcd/${pair}.crt`, 780);
      const key = pem("RSA PRIVATE KEY", `${seed}/etcd/${pair}.key`, 1190);
      this.files[`${pair}.crt`] = cert;
      this.files[`${pair}.key`] = key;
      this.pki.set(cert, { kind: "cert", pair });
      this.pki.set(key, { kind: "key", pair });
    }
  }

  /** Put the PKI on the node's disk, where the etcd pod's hostPath volume finds it. */
  install(runtime: ContainerRuntime): void {
    const dir = runtime.hostPath(this.node.name, ETCD_PKI_DIR);
    treeFrom(this.files, runtime.deps.clock.now(), dir);
    for (const [name, node] of dir.children) if (name.endsWith(".key")) node.mode = 0o600;
  }

  /** The server as `pod` reaches it: over loopback only from the node's own network namespace. */
  connection(pod: Pod): EtcdConnection {
    const onHost = pod.spec.hostNetwork === true && pod.spec.nodeName === this.node.name;
    return {
      store: this.store,
      member: this.member,
      clusterId: this.clusterId,
      pki: this.pki,
      dial: (host, port) => {
        if (host === "127.0.0.1") return onHost && port === 2379 ? "etcd" : "refused";
        if (host === this.node.internalIP) return port === 2379 ? "etcd" : "refused";
        return "timeout";
      },
    };
  }
}
