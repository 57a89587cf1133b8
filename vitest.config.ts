import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", ".next/**", "playwright/**"],
    // Real kubectl, real sockets and real sandboxes: give them room, never sleep.
    testTimeout: 30_000,
    // Most tests wait on real kubectl processes and real sockets, not the CPU.
    maxWorkers: 2,
    minWorkers: 1,
    hookTimeout: 30_000,
  },
});
