"use client";

// Renders a lesson's compiled MDX with the course's components.
import { getMDXComponent } from "mdx-bundler/client";
import { useMemo } from "react";
import { mdxComponents } from "./mdx/components";

export function LessonContent({ code }: { code: string }) {
  const Content = useMemo(() => getMDXComponent(code), [code]);
  return <Content components={mdxComponents} />;
}
