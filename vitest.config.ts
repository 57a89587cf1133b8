import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", ".next/**", "playwright/**"],
    // Real kubectl, real sockets and real sandboxes: give them room, never sleep.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
