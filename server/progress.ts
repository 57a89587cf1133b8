// Lesson progress and check attempts, kept through Prisma.
import type { ExerciseOutcome } from "../engine/checker";
import type { ProgressStore } from "../engine/live";
import type { Database } from "./db";

export class PrismaProgressStore implements ProgressStore {
  constructor(private readonly db: Database) {}

  async completions(learnerId: string, lesson: string): Promise<Map<string, Date>> {
    const rows = await this.db.exerciseProgress.findMany({ where: { userId: learnerId, lesson, completedAt: { not: null } } });
    return new Map(rows.flatMap((row) => (row.completedAt ? [[row.exercise, row.completedAt] as const] : [])));
  }

  /** Every evaluation the checker emits differs from the one before, so each is an attempt. */
  async record(learnerId: string, lesson: string, outcome: ExerciseOutcome): Promise<Date | null> {
    const key = { userId_lesson_exercise: { userId: learnerId, lesson, exercise: outcome.exercise } };
    const failing = outcome.assertions.filter((a) => !a.passed).map(({ description, expected, actual }) => ({ description, expected, actual }));
    const [, progress] = await this.db.$transaction([
      this.db.checkAttempt.create({
        data: { userId: learnerId, lesson, exercise: outcome.exercise, passed: outcome.passed, failing, checkedAt: outcome.checkedAt },
      }),
      this.db.exerciseProgress.upsert({
        where: key,
        create: { userId: learnerId, lesson, exercise: outcome.exercise, passed: outcome.passed, completedAt: outcome.passed ? outcome.checkedAt : null },
        update: { passed: outcome.passed },
      }),
    ]);
    if (outcome.passed && !progress.completedAt) {
      return (await this.db.exerciseProgress.update({ where: key, data: { completedAt: outcome.checkedAt } })).completedAt;
    }
    return progress.completedAt;
  }
}
