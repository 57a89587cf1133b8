// `npm run sim -- --kubeconfig FILE [--port N]`: one sim cluster on
// 127.0.0.1 over HTTPS, for your own kubectl (or a test that spawns it).
// Writes a kubeconfig (admin token, CA, https URL), prints one line saying
// where, serves until SIGINT/SIGTERM, then removes what it made.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { realClock } from "../clock";
import { renderKubeconfig } from "../cluster";
import { SimDriver } from "./driver";

/** First line of every kubeconfig this command writes, so it never overwrites (or deletes) anyone else's. */
const MARKER = "# Written by `npm run sim`; removed when it stops.";

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: npm run sim -- --kubeconfig FILE [--port N]\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values: { kubeconfig?: string; port?: string };
  try {
    ({ values } = parseArgs({ options: { kubeconfig: { type: "string" }, port: { type: "string" } }, strict: true }));
  } catch (error) {
    usage((error as Error).message);
  }
  if (!values.kubeconfig) usage("--kubeconfig is required");
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) usage(`--port must be a TCP port number, not ${values.port ?? ""}`);
  const kubeconfig = path.resolve(values.kubeconfig);
  const existing = await readFile(kubeconfig, "utf8").catch(() => undefined);
  if (existing !== undefined && !existing.startsWith(MARKER)) usage(`${kubeconfig} exists and was not written by npm run sim; refusing to overwrite it`);

  const runtimeDir = await mkdtemp(path.join(tmpdir(), "sim-cli-"));
  const driver = new SimDriver({ clock: realClock, runtimeDir, port });
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await driver.close();
      await rm(runtimeDir, { recursive: true, force: true });
      await rm(kubeconfig, { force: true });
    })());

  try {
    const lease = await driver.acquire("sim");
    const { server, token, ca } = lease.access;
    await writeFile(kubeconfig, `${MARKER}\n${renderKubeconfig({ server, token, ca, name: "sim" })}`, { mode: 0o600 });
    process.stdout.write(`sim cluster ready at ${server}; kubeconfig written to ${kubeconfig}\n`);
  } catch (error) {
    await stop();
    throw error;
  }
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    // `on`, not `once`: npm and tsx relay the signal too, and a second one must not cut the cleanup short.
    process.on(signal, () => {
      void stop().then(() => process.exit(0));
    });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`sim: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
