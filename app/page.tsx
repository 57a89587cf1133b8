import Link from "next/link";
import { lessons } from "@/lessons";

export default function CourseHome() {
  return (
    <main className="home">
      <header className="home__intro">
        <p className="home__kicker">A hands-on course</p>
        <h1>Kubernetes, hands on</h1>
        <p>
          Each lesson sits beside a live terminal connected to your own cluster. You read a little, run the real{" "}
          <code>kubectl</code>, and the course checks your work as you go.
        </p>
      </header>
      <section aria-labelledby="lessons-heading">
        <h2 id="lessons-heading">Lessons</h2>
        <ol className="lesson-list">
          {lessons.map((lesson) => (
            <li key={lesson.slug} className="lesson-card">
              <span className="lesson-card__number" aria-hidden="true">
                {lesson.number}
              </span>
              <div>
                <h3 className="lesson-card__title">
                  <Link href={`/lessons/${lesson.slug}`}>
                    <span className="visually-hidden">Lesson {lesson.number}: </span>
                    {lesson.title}
                  </Link>
                </h3>
                <p className="lesson-card__summary">{lesson.summary}</p>
              </div>
            </li>
          ))}
        </ol>
      </section>
    </main>
  );
}
