// One schema, two databases. prisma/schema.prisma is written for SQLite; the
// PostgreSQL schema is derived from it (only the datasource and the client's
// output differ), and each database keeps its own committed migrations.
// Run as a script: `tsx prisma/providers.ts generate` derives the PostgreSQL
// schema and generates both clients; `tsx prisma/providers.ts migration NAME`
// writes a new migration for both databases from the schema.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
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

/** The PostgreSQL twin of a SQLite datamodel: only the provider and the client's output differ. */
function toPostgres(source: string): string {
  const derived = source
    .replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
    .replace(/output\s*=\s*"\.\/generated\/sqlite"/, 'output     = "./postgresql"');
  if (derived === source) throw new Error("the SQLite datamodel no longer has the datasource/output lines to derive from");
  return derived;
}

function derivePostgresSchema(): void {
  const derived = toPostgres(fs.readFileSync(providerPaths.sqlite.schema, "utf8"));
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
 * A new migration per database: the difference between what the committed
 * migrations build and the schema. With a driver adapter, `migrate diff`
 * cannot read a database (`--from-url`, `--from-migrations` need one), but
 * `db pull` can: the SQLite migrations are applied to a scratch file by our
 * own runner and pulled back as a datamodel, whose PostgreSQL twin stands for
 * the PostgreSQL history (the two are always written together; pulling from
 * PostgreSQL hits prisma#27403). The JS schema engine diffs through a live
 * connection, so PostgreSQL's diff runs against a scratch server.
 */
async function migration(name: string): Promise<void> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error("migration name: lower-case letters, digits and _ only");
  derivePostgresSchema();
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  const scratchSqlite = path.resolve("data/scratch-migration.db");
  const migrated = path.join(os.tmpdir(), `kubecourse-migrated-${process.pid}`);
  fs.rmSync(scratchSqlite, { force: true });
  const postgres = await startScratchPostgres();
  try {
    const hasHistory = committedMigrations("sqlite").length > 0;
    const sqliteModel = hasHistory ? await migratedDatamodel(`file:${scratchSqlite}`) : undefined;
    const from: Record<DatabaseProvider, string[]> = { sqlite: ["--from-empty"], postgresql: ["--from-empty"] };
    if (sqliteModel) {
      fs.writeFileSync(`${migrated}.sqlite.prisma`, sqliteModel);
      fs.writeFileSync(`${migrated}.postgresql.prisma`, toPostgres(sqliteModel));
      from.sqlite = ["--from-schema-datamodel", `${migrated}.sqlite.prisma`];
      from.postgresql = ["--from-schema-datamodel", `${migrated}.postgresql.prisma`];
    }
    writeMigration("sqlite", `${stamp}_${name}`, from.sqlite, `file:${scratchSqlite}`);
    writeMigration("postgresql", `${stamp}_${name}`, from.postgresql, postgres.url);
  } finally {
    postgres.stop();
    for (const file of [scratchSqlite, `${migrated}.sqlite.prisma`, `${migrated}.postgresql.prisma`]) fs.rmSync(file, { force: true });
  }
}

function committedMigrations(provider: DatabaseProvider): string[] {
  const dir = providerPaths[provider].migrations;
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((d) => /^\d{14}_/.test(d)) : [];
}

/** The datamodel the committed SQLite migrations build, without the runner's own bookkeeping table. */
async function migratedDatamodel(sqliteUrl: string): Promise<string> {
  const { applyMigrations } = await import("../server/db");
  await applyMigrations(sqliteUrl);
  // The printed datamodel follows a warning about the adapter; start at the generator.
  const printed = prisma(["db", "pull", "--print"], sqliteUrl);
  const pulled = printed.slice(Math.max(0, printed.indexOf("generator ")));
  // SQLite stores enums as text, so their defaults come back quoted.
  const enums = new Set([...pulled.matchAll(/^enum (\w+) \{/gm)].map((m) => m[1]));
  return pulled
    .replace(/(\/\/\/[^\n]*\n)*model \w+ \{[^}]*@@map\("_course_migrations"\)[^}]*\}\n?/, "")
    .replace(/^(\s+\w+\s+(\w+)\b.*@default\()"(\w+)"\)/gm, (line, head: string, type: string, value: string) => (enums.has(type) ? `${head}${value})` : line));
}

function writeMigration(provider: DatabaseProvider, dirName: string, from: string[], databaseUrl: string): void {
  const { schema, migrations } = providerPaths[provider];
  const sql = prisma(["migrate", "diff", ...from, "--to-schema-datamodel", schema, "--script"], databaseUrl);
  const dir = path.join(migrations, dirName);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "migration.sql"), sql);
  fs.writeFileSync(path.join(migrations, "migration_lock.toml"), `provider = "${provider}"\n`);
  console.log(`wrote ${path.relative(process.cwd(), dir)}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [command, name] = process.argv.slice(2);
  if (command === "generate") generate();
  // Not a top-level await: migration() imports server/db, which imports this
  // module, and that import would wait on this module's evaluation forever.
  else if (command === "migration" && name)
    migration(name).catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
  else {
    console.error("usage: tsx prisma/providers.ts generate | migration NAME");
    process.exit(2);
  }
}
