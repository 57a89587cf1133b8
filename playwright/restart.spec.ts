// A server restart loses no learner work: a second server of its own (same
// production build, its own database and port) is stopped and started again
// between two visits of the same learner.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import { expect, test, type Page } from "@playwright/test";

const PORT = 3211;
const SCRATCH = "test-results/e2e-restart";

/** Start the server on PORT; resolves once it says it is ready. */
function startServer(): Promise<ChildProcess> {
  const server = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      PORT: String(PORT),
      HOST: "127.0.0.1",
      DATABASE_URL: `file:./${SCRATCH}/course.db`,
      DATA_DIR: SCRATCH,
      RUNTIME_DIR: `${SCRATCH}/runtime`,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let output = "";
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("[server] ready on")) resolve(server);
    };
    server.stdout?.on("data", collect);
    server.stderr?.on("data", collect);
    server.on("exit", (code) => reject(new Error(`server exited with ${code} before it was ready:\n${output}`)));
  });
}

function stopServer(server: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    server.on("exit", () => resolve());
    server.kill("SIGTERM");
  });
}

function terminal(page: Page) {
  return page.getByRole("region", { name: "Terminal" }).locator(".xterm-rows");
}

async function openLessonWithShell(page: Page) {
  await page.goto(`http://localhost:${PORT}/lessons/why-orchestration`);
  await expect(terminal(page)).toContainText("learner@course", { timeout: 30_000 });
}

async function type(page: Page, command: string) {
  await page.getByRole("region", { name: "Terminal" }).click();
  await page.keyboard.type(command);
  await page.keyboard.press("Enter");
}

test("a server restart loses no learner work: the cluster comes back with what the learner made", async ({ page }) => {
  fs.rmSync(SCRATCH, { recursive: true, force: true });
  let server = await startServer();
  try {
    await openLessonWithShell(page);
    await type(page, "kubectl create configmap keep --from-literal=colour=teal");
    await expect(terminal(page)).toContainText("configmap/keep created");

    await stopServer(server);
    server = await startServer();

    await openLessonWithShell(page);
    await type(page, `echo "colour=$(kubectl get configmap keep -o jsonpath='{.data.colour}')"`);
    await expect(terminal(page)).toContainText("colour=teal");
  } finally {
    await stopServer(server);
  }
});
