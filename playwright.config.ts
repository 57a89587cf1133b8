// End-to-end tests in Debian's Chromium against the real server (production
// build, sim clusters, SQLite in a throwaway directory).
import { defineConfig } from "@playwright/test";

const port = 3210;
const scratch = "test-results/e2e-server";

export default defineConfig({
  testDir: "playwright",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]],
  use: {
    baseURL: `http://localhost:${port}`,
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
  webServer: {
    command: [
      `rm -rf ${scratch} && NEXT_TELEMETRY_DISABLED=1 npx next build &&`,
      `NODE_ENV=production PORT=${port} HOST=127.0.0.1`,
      `DATABASE_URL=file:./${scratch}/course.db DATA_DIR=${scratch} RUNTIME_DIR=${scratch}/runtime`,
      "npx tsx server/main.ts",
    ].join(" "),
    url: `http://localhost:${port}/`,
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: "pipe",
  },
});
