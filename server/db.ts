// The database, through Prisma with a driver adapter: SQLite by default,
// PostgreSQL when DATABASE_URL says so. Committed migrations are applied on
// start by applyMigrations (see docs/adr/0002-one-schema-two-databases.md).
import fs from "node:fs";
import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import BetterSqlite from "better-sqlite3";
import pg from "pg";
import { PrismaClient as PostgresClient } from "../prisma/generated/postgresql/client";
import { PrismaClient as SqliteClient } from "../prisma/generated/sqlite/client";
import { databaseProvider, providerPaths } from "../prisma/providers";

/** Both generated clients have the same models; the app is typed against one of them. */
export type Database = SqliteClient;

function sqliteFile(url: string): string {
  const file = path.resolve(url.replace(/^file:/, ""));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return file;
}

export function openDatabase(url: string): Database {
  if (databaseProvider(url) === "postgresql") {
    // Same schema, other provider: the two generated clients are structurally identical.
    return new PostgresClient({ adapter: new PrismaPg({ connectionString: url }) }) as unknown as Database;
  }
  return new SqliteClient({ adapter: new PrismaBetterSQLite3({ url: `file:${sqliteFile(url)}` }) });
}

/** What a migration run needs of a database connection. */
interface MigrationTarget {
  applied(): Promise<Set<string>>;
  /** Run one migration's SQL and record it, all or nothing. */
  apply(name: string, sql: string): Promise<void>;
  close(): Promise<void>;
}

const LEDGER = "_course_migrations";

function sqliteTarget(url: string): MigrationTarget {
  const db = new BetterSqlite(sqliteFile(url));
  db.pragma("journal_mode = WAL");
  db.exec(`CREATE TABLE IF NOT EXISTS ${LEDGER} (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`);
  return {
    applied: () => Promise.resolve(new Set(db.prepare(`SELECT name FROM ${LEDGER}`).pluck().all() as string[])),
    apply(name, sql) {
      db.transaction(() => {
        db.exec(sql);
        db.prepare(`INSERT INTO ${LEDGER} (name, applied_at) VALUES (?, ?)`).run(name, new Date().toISOString());
      })();
      return Promise.resolve();
    },
    close: () => Promise.resolve(void db.close()),
  };
}

async function postgresTarget(url: string): Promise<MigrationTarget> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`CREATE TABLE IF NOT EXISTS ${LEDGER} (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
  return {
    async applied() {
      const result = await client.query<{ name: string }>(`SELECT name FROM ${LEDGER}`);
      return new Set(result.rows.map((row) => row.name));
    },
    async apply(name, sql) {
      await client.query("BEGIN");
      try {
        await client.query(sql);
        await client.query(`INSERT INTO ${LEDGER} (name) VALUES ($1)`, [name]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw error;
      }
    },
    close: () => client.end(),
  };
}

/**
 * Applies the committed migrations the database has not seen, in order, each
 * in a transaction. Returns the names it applied.
 */
export async function applyMigrations(url: string): Promise<string[]> {
  const provider = databaseProvider(url);
  const dir = providerPaths[provider].migrations;
  const names = fs.readdirSync(dir).filter((name) => /^\d{14}_[a-z0-9_]+$/.test(name)).sort();
  const target = provider === "postgresql" ? await postgresTarget(url) : sqliteTarget(url);
  try {
    const done = await target.applied();
    const applied: string[] = [];
    for (const name of names) {
      if (done.has(name)) continue;
      await target.apply(name, fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8"));
      applied.push(name);
    }
    return applied;
  } finally {
    await target.close();
  }
}
