"use client";

// Shown when loading a lesson fails unexpectedly (MDX errors are shown in place by the page).
import Link from "next/link";

export default function LessonError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="not-found" role="alert">
      <h1>This lesson could not be loaded</h1>
      <p>{error.message || "Something went wrong on the server."}</p>
      <p>
        <button type="button" className="button button--primary" onClick={reset}>
          Try again
        </button>{" "}
        <Link href="/">See all lessons</Link>
      </p>
    </main>
  );
}
