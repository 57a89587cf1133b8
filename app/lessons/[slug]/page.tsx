import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { LessonContent } from "@/app/_components/LessonContent";
import { LessonSessionProvider } from "@/app/_components/LessonSession";
import { Notices } from "@/app/_components/Notices";
import { SessionStatus } from "@/app/_components/SessionStatus";
import { SplitPane } from "@/app/_components/SplitPane";
import { Terminal } from "@/app/_components/Terminal";
import { loadLesson } from "@/app/_lib/lessons";
import { findLesson, lessons } from "@/lessons";

interface LessonPageProps {
  params: Promise<{ slug: string }>;
}

export function generateStaticParams() {
  return lessons.map((lesson) => ({ slug: lesson.slug }));
}

export async function generateMetadata({ params }: LessonPageProps): Promise<Metadata> {
  const lesson = findLesson((await params).slug);
  return lesson ? { title: `${lesson.number}. ${lesson.title}`, description: lesson.summary } : {};
}

export default async function LessonPage({ params }: LessonPageProps) {
  const loaded = await loadLesson((await params).slug);
  if (!loaded) notFound();
  const { lesson, compiled } = loaded;

  return (
    <LessonSessionProvider lesson={lesson.slug}>
      <div className="lesson-page">
        <header className="lesson-header">
          <nav aria-label="Breadcrumb" className="lesson-header__crumbs">
            <Link href="/">All lessons</Link>
          </nav>
          <p className="lesson-header__title">
            <span className="lesson-header__number">Lesson {lesson.number}</span> {lesson.title}
          </p>
          <SessionStatus />
        </header>
        <SplitPane
          leftLabel="lesson"
          left={
            <article className="prose" aria-labelledby="lesson-title">
              <p className="prose__kicker">Lesson {lesson.number}</p>
              <h1 id="lesson-title">{lesson.title}</h1>
              {compiled.ok ? (
                <LessonContent code={compiled.code} />
              ) : (
                <div className="lesson-error" role="alert">
                  <h2>This lesson could not be shown</h2>
                  <p>Its content has an error. The terminal still works.</p>
                  <pre>{compiled.error}</pre>
                </div>
              )}
            </article>
          }
          right={
            <div className="terminal-pane">
              <Notices />
              <Terminal />
            </div>
          }
        />
      </div>
    </LessonSessionProvider>
  );
}
