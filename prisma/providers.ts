// One schema, two databases. prisma/schema.prisma is written for SQLite; the
// PostgreSQL schema is derived from it (only the datasource and the client's
// output differ), and each database keeps its own committed migrations.
// Run as a script: `tsx prisma/providers.ts generate` derives the PostgreSQL
// schema and generates both clients; `tsx prisma/providers.ts migration NAME`
// writes a new migration for both databases from the schema.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startScratchPostgres } from "./scratch-postgres";

export type DatabaseProvider = "sqlite" | "postgresql";

export function databaseProvider(url: string): DatabaseProvider {
  return /^postgres(ql)?:\/\//.test(url) ? "postgresql" : "sqlite";
}

const prismaDir = path.dirname(fileURLToPath(import.meta.url));

export const providerPaths: Record<DatabaseProvider, { schema: string; migrations: string }> = {
  sqlite: { schema: path.join(prismaDir, "schema.prisma"), migrations: path.join(prismaDir, "migrations") },
  postgresql: {
    schema: path.join(prismaDir, "generated", "postgresql.prisma"),
    migrations: path.join(prismaDir, "migrations-postgresql"),
  },
};

function derivePostgresSchema(): void {
  const source = fs.readFileSync(providerPaths.sqlite.schema, "utf8");
  const derived = source
    .replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
    .replace(/output\s*=\s*"\.\/generated\/sqlite"/, 'output     = "./postgresql"');
  if (derived === source) throw new Error("prisma/schema.prisma no longer has the datasource/output lines to derive from");
  fs.mkdirSync(path.dirname(providerPaths.postgresql.schema), { recursive: true });
  fs.writeFileSync(providerPaths.postgresql.schema, `// Derived from prisma/schema.prisma by prisma/providers.ts. Do not edit.\n${derived}`);
}

/** Prisma 6 validates the schema's `url = env("DATABASE_URL")` against the provider, even where the adapter connects. */
const placeholderUrl: Record<DatabaseProvider, string> = {
  sqlite: "file:./placeholder.db",
  postgresql: "postgresql://placeholder/placeholder",
};

function prisma(args: string[], databaseUrl: string): string {
  return execFileSync("npx", ["prisma", ...args], {
    cwd: path.dirname(prismaDir),
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, DATABASE_URL: databaseUrl },
  });
}

function generate(): void {
  derivePostgresSchema();
  for (const provider of ["sqlite", "postgresql"] as const) prisma(["generate", "--schema", providerPaths[provider].schema], placeholderUrl[provider]);
}

/**
 * A new migration per database: the difference between what the migrations
 * build and the schema. The JS schema engine diffs through a live connection,
 * so PostgreSQL's is computed against a scratch server.
 */
async function migration(name: string): Promise<void> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error("migration name: lower-case letters, digits and _ only");
  derivePostgresSchema();
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  const postgres = await startScratchPostgres();
  const scratchUrl: Record<DatabaseProvider, string> = { sqlite: "file:./data/scratch-migration.db", postgresql: postgres.url };
  try {
    for (const provider of ["sqlite", "postgresql"] as const) writeMigration(provider, `${stamp}_${name}`, scratchUrl[provider]);
  } finally {
    postgres.stop();
    fs.rmSync(path.resolve("data/scratch-migration.db"), { force: true });
  }
}

function writeMigration(provider: DatabaseProvider, dirName: string, databaseUrl: string): void {
  const { schema, migrations } = providerPaths[provider];
  fs.mkdirSync(migrations, { recursive: true });
  const existing = fs.readdirSync(migrations).filter((d) => /^\d{14}_/.test(d));
  const from = existing.length === 0 ? ["--from-empty"] : ["--from-migrations", migrations];
  const sql = prisma(["migrate", "diff", ...from, "--to-schema-datamodel", schema, "--script"], databaseUrl);
  const dir = path.join(migrations, dirName);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, "migration.sql"), sql);
  fs.writeFileSync(path.join(migrations, "migration_lock.toml"), `provider = "${provider}"\n`);
  console.log(`wrote ${path.relative(process.cwd(), dir)}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [command, name] = process.argv.slice(2);
  if (command === "generate") generate();
  else if (command === "migration" && name) await migration(name);
  else {
    console.error("usage: tsx prisma/providers.ts generate | migration NAME");
    process.exit(2);
  }
}
