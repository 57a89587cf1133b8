import Link from "next/link";

export default function LessonNotFound() {
  return (
    <main className="not-found">
      <h1>We couldn’t find that lesson</h1>
      <p>The link may be out of date, or the lesson may have moved.</p>
      <p>
        <Link href="/">See all lessons</Link>
      </p>
    </main>
  );
}
