import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lessonRefSchema } from "../engine/protocol";
import { exercisesOf } from "./exercises";
import { findLesson, lessons } from "./index";

const repoRoot = path.resolve(import.meta.dirname, "..");

describe("lesson catalogue", () => {
  it("numbers lessons 1..n in order", () => {
    expect(lessons.map((lesson) => lesson.number)).toEqual(lessons.map((_, index) => index + 1));
  });

  it("has unique slugs the socket protocol accepts", () => {
    const slugs = lessons.map((lesson) => lesson.slug);
    expect(new Set(slugs).size).toBe(slugs.length);
    for (const slug of slugs) expect(lessonRefSchema.safeParse({ lesson: slug }).success, slug).toBe(true);
  });

  it("points every lesson at a folder with an index.mdx", () => {
    for (const lesson of lessons) {
      expect(existsSync(path.join(repoRoot, "lessons", lesson.directory, "index.mdx")), lesson.directory).toBe(true);
    }
  });

  it("lists every lesson folder", () => {
    const folders = readdirSync(path.join(repoRoot, "lessons"), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(lessons.map((lesson) => lesson.directory).sort()).toEqual(folders.sort());
  });

  it("gives every lesson a title and a one-line summary", () => {
    for (const lesson of lessons) {
      expect(lesson.title.trim(), lesson.slug).not.toBe("");
      expect(lesson.summary.trim(), lesson.slug).not.toBe("");
      expect(lesson.summary, lesson.slug).not.toMatch(/\n/);
    }
  });

  it("shows every graded exercise in the prose, and grades every exercise shown", () => {
    for (const lesson of lessons) {
      const mdx = readFileSync(path.join(repoRoot, "lessons", lesson.directory, "index.mdx"), "utf8");
      const shown = [...mdx.matchAll(/<Exercise\s+id="([^"]+)"/g)].map((match) => match[1]);
      const graded = exercisesOf(lesson.slug).map((exercise) => exercise.id);
      expect(shown.sort(), lesson.slug).toEqual(graded.sort());
    }
  });

  it("finds lessons by slug", () => {
    expect(findLesson("why-orchestration")?.number).toBe(1);
    expect(findLesson("no-such-lesson")).toBeUndefined();
  });
});
