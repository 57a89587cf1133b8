// Prisma CLI configuration: WebAssembly engines with driver adapters, so every
// command works offline. DATABASE_URL picks SQLite (default) or PostgreSQL.
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma/config";
import { loadEnv } from "./env";
import { databaseProvider, providerPaths } from "./prisma/providers";

const url = loadEnv().DATABASE_URL;
const provider = databaseProvider(url);
const paths = providerPaths[provider];

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: paths.schema,
  migrations: { path: paths.migrations },
  adapter: () => Promise.resolve(provider === "postgresql" ? new PrismaPg({ connectionString: url }) : new PrismaBetterSQLite3({ url })),
});
