// The one typed map of socket events shared by the browser and the server.
// Browser-safe: zod and types only. Payloads from the browser are validated
// with these schemas at the edge (engine/live) before anything acts on them.
import { z } from "zod";

export const TERMINAL_INPUT_MAX = 64 * 1024;

export const terminalSizeSchema = z.object({
  cols: z.number().int().min(10).max(500),
  rows: z.number().int().min(4).max(300),
});
export type TerminalSize = z.infer<typeof terminalSizeSchema>;

export const lessonRefSchema = z.object({
  lesson: z.string().regex(/^[a-z0-9-]{1,80}$/),
});

export const terminalInputSchema = z.string().max(TERMINAL_INPUT_MAX);
/** The browser acknowledges terminal output it has rendered, for back-pressure. */
export const terminalAckSchema = z.number().int().min(0).max(16 * 1024 * 1024);

export interface AssertionResult {
  description: string;
  passed: boolean;
  /** What the exercise wants, in words a learner understands. */
  expected: string;
  /** What the cluster shows now. */
  actual: string;
}

export interface ExerciseResult {
  lesson: string;
  exercise: string;
  passed: boolean;
  assertions: AssertionResult[];
  /** ISO time of the evaluation. */
  checkedAt: string;
  /** Set once the learner has passed this exercise at least once. */
  completedAt: string | null;
}

export type ClusterPhase = "starting" | "ready" | "failed";

export interface ServerToClientEvents {
  "terminal:output": (data: string) => void;
  /** The shell ended (exit, or killed by a limit); the browser offers a restart. */
  "terminal:exit": (info: { code: number; message: string }) => void;
  "cluster:status": (status: { phase: ClusterPhase; message: string }) => void;
  "check:result": (result: ExerciseResult) => void;
  /** A problem the learner should read, in plain words. */
  notice: (notice: { level: "info" | "error"; message: string }) => void;
}

export type Ack = (reply: { ok: true } | { ok: false; error: string }) => void;

export interface ClientToServerEvents {
  /** Attach this tab to the learner's shell (starting it if needed), replaying recent output. */
  "terminal:attach": (size: TerminalSize, ack: Ack) => void;
  "terminal:input": (data: string) => void;
  "terminal:resize": (size: TerminalSize) => void;
  "terminal:ack": (bytes: number) => void;
  "terminal:restart": (ack: Ack) => void;
  /** Follow the live check results of one lesson's exercises. */
  "lesson:watch": (ref: { lesson: string }, ack: Ack) => void;
}
