import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { lessons } from "../../lessons";
import { compileLessonFolder, lessonFolder } from "./lessons";

// `server-only` is a marker Next resolves at build time; plain Node has no such package.
vi.mock("server-only", () => ({}));

describe("lesson MDX", () => {
  it.each(lessons.map((lesson) => [lesson.slug, lesson] as const))("%s compiles with only known components", async (_slug, lesson) => {
    const compiled = await compileLessonFolder(lessonFolder(lesson));
    expect(compiled).toMatchObject({ ok: true });
  });

  it("rejects an unknown component with a message naming it", async () => {
    const folder = await makeLesson("Hello\n\n<Quiz />\n");
    const compiled = await compileLessonFolder(folder);
    expect(compiled.ok).toBe(false);
    expect(!compiled.ok && compiled.error).toMatch(/Unknown component <Quiz>/);
  });

  it("rejects an exercise without a literal id", async () => {
    const compiled = await compileLessonFolder(await makeLesson('<Exercise title="No id">x</Exercise>\n'));
    expect(!compiled.ok && compiled.error).toMatch(/<Exercise> needs literal id and title/);
  });

  it("rejects two exercises with the same id", async () => {
    const mdx = '<Exercise id="a" title="A">x</Exercise>\n\n<Exercise id="a" title="B">y</Exercise>\n';
    const compiled = await compileLessonFolder(await makeLesson(mdx));
    expect(!compiled.ok && compiled.error).toMatch(/Exercise id "a" is used twice/);
  });

  it("allows components the lesson imports from its own folder", async () => {
    const folder = await makeLesson('import { Diagram } from "./diagram.js";\n\n<Diagram />\n', {
      "diagram.js": 'export function Diagram() { return "diagram"; }\n',
    });
    expect(await compileLessonFolder(folder)).toMatchObject({ ok: true });
  });

  it("reports MDX syntax errors with a line number", async () => {
    const folder = await makeLesson("# Title\n\n<Run>unclosed\n");
    const compiled = await compileLessonFolder(folder);
    expect(!compiled.ok && compiled.error).toMatch(/index.mdx line 3, column 1: Expected a closing tag for `<Run>`/);
  });
});

async function makeLesson(mdx: string, extraFiles: Record<string, string> = {}): Promise<string> {
  const folder = await mkdtemp(path.join(tmpdir(), "lesson-"));
  await writeFile(path.join(folder, "index.mdx"), mdx);
  for (const [name, content] of Object.entries(extraFiles)) await writeFile(path.join(folder, name), content);
  return folder;
}

