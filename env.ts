// The only place that reads process.env: every setting, validated once, with
// the embedded defaults (SQLite file, sim driver) that `npm start` runs on.
import path from "node:path";
import { z } from "zod";

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  /** `file:` for SQLite (default), `postgres://` or `postgresql://` for PostgreSQL. */
  DATABASE_URL: z
    .string()
    .default("file:./data/kubecourse.db")
    .refine((url) => /^(file:|postgres(ql)?:\/\/)/.test(url), "DATABASE_URL must start with file: or postgres://"),
  CLUSTER_DRIVER: z.enum(["sim"]).default("sim"),
  /** Where the server keeps files of its own (the session secret, the SQLite file by default). */
  DATA_DIR: z.string().default("data"),
  /** Signs learner cookies; generated once into DATA_DIR when not given. */
  SESSION_SECRET: z.string().min(32).optional(),
  /** Where the engine keeps per-learner sockets and sandbox state. */
  RUNTIME_DIR: z.string().default(".runtime"),
  /** How long a learner's shell lives with no tab attached. */
  TERMINAL_IDLE_MINUTES: z.coerce.number().positive().default(30),
});

export type Env = z.infer<typeof schema>;

export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
    throw new Error(`Invalid configuration:\n${problems}`);
  }
  return { ...parsed.data, RUNTIME_DIR: path.resolve(parsed.data.RUNTIME_DIR), DATA_DIR: path.resolve(parsed.data.DATA_DIR) };
}
