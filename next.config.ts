import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Lessons compile on the server with mdx-bundler, whose esbuild runs a native
  // binary; native modules are loaded from node_modules, never bundled.
  // Fonts are the system stack (app/globals.css): nothing is downloaded.
  serverExternalPackages: ["mdx-bundler", "esbuild", "node-pty", "better-sqlite3"],
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
