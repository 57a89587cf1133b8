// The course catalogue: the ordered list of lessons. Plain data with no Next or
// Node imports, so the app, the custom server and the checker can all read it.

import type { ClusterShape } from "../engine/cluster";

export interface Lesson {
  /** URL segment and the id the socket protocol uses (`lesson:watch`). */
  slug: string;
  /** Position in the course, starting at 1. */
  number: number;
  title: string;
  /** One line for the course home. */
  summary: string;
  /** The lesson's folder name inside `lessons/`; it holds index.mdx (and exercises.ts). */
  directory: string;
  /** Nodes the lesson needs beyond the default one control plane and two workers. */
  cluster?: ClusterShape;
}

export const lessons: readonly Lesson[] = [
  {
    slug: "why-orchestration",
    number: 1,
    title: "Why orchestration",
    summary: "What goes wrong when many containers run on many machines, and how Kubernetes takes that work off your hands.",
    directory: "why-orchestration",
  },
];

export function findLesson(slug: string): Lesson | undefined {
  return lessons.find((lesson) => lesson.slug === slug);
}
