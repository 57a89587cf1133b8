// The graded exercises of every lesson, by lesson slug. Server-side only: the
// checker runs these against a learner's cluster.
import type { Exercise } from "../engine/checker";
import { exercises as whyOrchestration } from "./why-orchestration/exercises";

const bySlug: Record<string, Exercise[]> = {
  "why-orchestration": whyOrchestration,
};

export function exercisesOf(lesson: string): Exercise[] {
  return bySlug[lesson] ?? [];
}
