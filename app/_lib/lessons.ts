import "server-only";
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { bundleMDX } from "mdx-bundler";
import { mdxComponentNames } from "../_components/mdx/component-names";
import { loadEnv } from "../../env";
import { findLesson, type Lesson } from "../../lessons";
import { remarkKnownComponents } from "./mdx-component-check";

export type CompiledLesson =
  | { ok: true; code: string }
  /** A readable message for the lesson author; the page shows it instead of the prose. */
  | { ok: false; error: string };

interface CacheEntry {
  version: number;
  compiled: Promise<CompiledLesson>;
}

const cache = new Map<string, CacheEntry>();
// In production a lesson never changes under a running process; in development
// authors edit it, so entries are keyed by the newest mtime in its folder.
const watchFiles = loadEnv().NODE_ENV !== "production";

// Scoped to lessons/ so the build traces only that folder into the server output.
export function lessonFolder(lesson: Lesson): string {
  return path.join(process.cwd(), "lessons", lesson.directory);
}

async function newestMtime(folder: string): Promise<number> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  const times = await Promise.all(
    entries.filter((entry) => entry.isFile()).map(async (entry) => (await stat(path.join(entry.parentPath, entry.name))).mtimeMs),
  );
  return Math.max(0, ...times);
}

/** Compiles one lesson folder's index.mdx into code for `getMDXComponent`. Never throws. */
export async function compileLessonFolder(folder: string): Promise<CompiledLesson> {
  try {
    const source = await readFile(path.join(folder, "index.mdx"), "utf8");
    const { code } = await bundleMDX({
      source,
      // Relative imports in the MDX (local components, images) resolve from the lesson's own folder.
      cwd: folder,
      // mdx-bundler's own type for these options does not resolve (it points into a package's private lib/).
      mdxOptions(options: { remarkPlugins?: unknown[] | null }) {
        options.remarkPlugins = [...(options.remarkPlugins ?? []), remarkKnownComponents(mdxComponentNames)];
        return options;
      },
      esbuildOptions(options) {
        // The error goes to the page instead of the server log.
        options.logLevel = "silent";
        return options;
      },
    });
    return { ok: true, code };
  } catch (error) {
    return { ok: false, error: describeCompileError(error) };
  }
}

function describeCompileError(error: unknown): string {
  // esbuild reports MDX problems as a list of located messages; its MDX plugin
  // prefixes each with a banner and the temporary entry file's name.
  if (error && typeof error === "object" && "errors" in error && Array.isArray(error.errors)) {
    const messages = (error.errors as { text?: string; location?: { line: number; column: number } | null }[]).map((item) => {
      const text = (item.text ?? "unknown error")
        .replace(/^Cannot process MDX file with esbuild:\s*/, "")
        .replace(/^\S*_mdx_bundler_entry_point[^:]*:/, "")
        .replace(/^\d+:\d+-\d+:\d+: /, "");
      return item.location ? `index.mdx line ${item.location.line}, column ${item.location.column + 1}: ${text}` : text;
    });
    if (messages.length > 0) return messages.join("\n");
  }
  return error instanceof Error ? error.message : String(error);
}

/** The lesson and its compiled prose, or null for an unknown slug. */
export async function loadLesson(slug: string): Promise<{ lesson: Lesson; compiled: CompiledLesson } | null> {
  const lesson = findLesson(slug);
  if (!lesson) return null;
  const folder = lessonFolder(lesson);
  const version = watchFiles ? await newestMtime(folder).catch(() => 0) : 0;
  let entry = cache.get(slug);
  if (!entry || entry.version !== version) {
    entry = { version, compiled: compileLessonFolder(folder) };
    cache.set(slug, entry);
  }
  return { lesson, compiled: await entry.compiled };
}
