"use client";

// A graded exercise: the prose of the task and its live result from the checker.
import { useId, type ReactNode } from "react";
import type { AssertionResult, ExerciseResult } from "@/engine/protocol";
import { useLessonSession } from "../LessonSession";

function overallState(result: ExerciseResult | undefined): { text: string; tone: "idle" | "pending" | "passed" } {
  if (!result) return { text: "Not started", tone: "idle" };
  return result.passed ? { text: "Passed", tone: "passed" } : { text: "Not yet", tone: "pending" };
}

function Assertion({ assertion }: { assertion: AssertionResult }) {
  return (
    <li className={`assertion assertion--${assertion.passed ? "passed" : "failed"}`}>
      <span className="assertion__mark" aria-hidden="true">
        {assertion.passed ? "✓" : "✗"}
      </span>
      <span className="visually-hidden">{assertion.passed ? "Passed: " : "Not yet: "}</span>
      <span className="assertion__description">{assertion.description}</span>
      {!assertion.passed && (
        <dl className="assertion__detail">
          <dt>Expected</dt>
          <dd>{assertion.expected}</dd>
          <dt>Actual</dt>
          <dd>{assertion.actual}</dd>
        </dl>
      )}
    </li>
  );
}

export function Exercise({ id, title, children }: { id: string; title: string; children?: ReactNode }) {
  const { results } = useLessonSession();
  const headingId = useId();
  const result = results.get(id);
  const state = overallState(result);

  return (
    <section className={`exercise exercise--${state.tone}`} aria-labelledby={headingId} data-exercise={id}>
      <header className="exercise__header">
        <p className="exercise__kicker">Exercise</p>
        <h3 className="exercise__title" id={headingId}>
          {title}
        </h3>
        <p className="exercise__status" role="status" aria-label="Exercise status">
          {state.text}
        </p>
        {result?.completedAt && (
          <p className="exercise__completed">
            Completed <time dateTime={result.completedAt}>{new Date(result.completedAt).toLocaleString()}</time>
          </p>
        )}
      </header>
      <div className="exercise__body">{children}</div>
      {result && result.assertions.length > 0 && (
        <ul className="exercise__checks" aria-label="Checks">
          {result.assertions.map((assertion) => (
            <Assertion key={assertion.description} assertion={assertion} />
          ))}
        </ul>
      )}
      {!result && <p className="exercise__hint">Your cluster is checked as you work; results appear here.</p>}
    </section>
  );
}
