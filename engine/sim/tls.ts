// The engine's certificate authority and the API server's serving certificate.
// kubectl sends a bearer token only over TLS, so the sim speaks HTTPS and each
// kubeconfig carries this CA. node:crypto cannot sign certificates, so the
// pair is made once per engine by the `openssl` binary (EC P-256: fast).
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface ServingCertificates {
  /** PEM of the CA clients must trust (kubeconfig `certificate-authority-data`). */
  ca: string;
  /** PEM key and certificate chain the API server presents. */
  key: string;
  cert: string;
}

/** Names the server certificate answers to: loopback, and the in-cluster service names. */
export const SERVER_NAMES = ["localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"];
export const SERVER_IPS = ["127.0.0.1", "10.96.0.1"];

const CONFIG = `
[req]
distinguished_name = dn
prompt = no
[dn]
CN = kubernetes
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,digitalSignature,keyEncipherment,keyCertSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
authorityKeyIdentifier = keyid
subjectAltName = ${[...SERVER_NAMES.map((n) => `DNS:${n}`), ...SERVER_IPS.map((ip) => `IP:${ip}`)].join(",")}
`;

/** A fresh CA and a server certificate it signed (valid ten years / one year). */
export async function createServingCertificates(): Promise<ServingCertificates> {
  const dir = await mkdtemp(path.join(tmpdir(), "sim-tls-"));
  try {
    const file = (name: string): string => path.join(dir, name);
    await writeFile(file("openssl.cnf"), CONFIG, { mode: 0o600 });
    const common = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-config", file("openssl.cnf")];
    await run("openssl", ["req", "-x509", ...common, "-keyout", file("ca.key"), "-out", file("ca.crt"), "-days", "3650", "-subj", "/CN=kubernetes", "-extensions", "ca_ext"]);
    await run("openssl", [
      "req",
      "-x509",
      ...common,
      "-keyout",
      file("server.key"),
      "-out",
      file("server.crt"),
      "-days",
      "365",
      "-subj",
      "/CN=kube-apiserver",
      "-CA",
      file("ca.crt"),
      "-CAkey",
      file("ca.key"),
      "-extensions",
      "server_ext",
    ]);
    const [ca, key, cert] = await Promise.all(["ca.crt", "server.key", "server.crt"].map((name) => readFile(file(name), "utf8")));
    return { ca: ca as string, key: key as string, cert: cert as string };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
