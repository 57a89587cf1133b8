// A throwaway PostgreSQL server in a temporary directory, on a free loopback
// port: for writing PostgreSQL migrations and for tests that run against the
// real database. Needs Debian's `postgresql` package (.ci/run installs it).
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export interface ScratchPostgres {
  url: string;
  stop(): void;
}

function postgresBin(): string {
  const root = "/usr/lib/postgresql";
  const versions = fs.existsSync(root) ? fs.readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  if (!versions[0]) throw new Error("PostgreSQL is not installed (apt-get install postgresql)");
  return path.join(root, versions[0], "bin");
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** PostgreSQL refuses to run as root, so the server runs as the `postgres` user when we are root. */
function asServerUser(command: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ["setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", command, ...args]] : [command, args];
}

export async function startScratchPostgres(): Promise<ScratchPostgres> {
  const bin = postgresBin();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kc-pg-"));
  if (process.getuid?.() === 0) execFileSync("chown", ["postgres:postgres", dir]);
  const data = path.join(dir, "data");
  const [initCmd, initArgs] = asServerUser(path.join(bin, "initdb"), ["-D", data, "-U", "course", "--auth=trust", "-E", "UTF8"]);
  execFileSync(initCmd, initArgs, { stdio: "ignore" });
  const port = await freePort();
  const [cmd, args] = asServerUser(path.join(bin, "postgres"), ["-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"]);
  const server = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  server.stderr.on("data", (chunk: Buffer) => (log += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const onExit = () => reject(new Error(`PostgreSQL did not start:\n${log}`));
    server.once("exit", onExit);
    const poll = () => {
      if (log.includes("ready to accept connections")) {
        server.off("exit", onExit);
        resolve();
      } else setTimeout(poll, 20);
    };
    poll();
  });
  const [createCmd, createArgs] = asServerUser(path.join(bin, "createdb"), ["-h", "127.0.0.1", "-p", String(port), "-U", "course", "course"]);
  execFileSync(createCmd, createArgs, { stdio: "ignore" });
  return {
    url: `postgresql://course@127.0.0.1:${port}/course`,
    stop() {
      server.kill("SIGINT");
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
