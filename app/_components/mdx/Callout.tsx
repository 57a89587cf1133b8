// A highlighted aside in lesson prose: a note, a tip, or a warning.
import type { ReactNode } from "react";

const defaultTitles = { note: "Note", tip: "Tip", warning: "Watch out" } as const;

export function Callout({ type = "note", title, children }: { type?: keyof typeof defaultTitles; title?: string; children: ReactNode }) {
  const heading = title ?? defaultTitles[type];
  return (
    <aside className={`callout callout--${type}`} aria-label={heading}>
      <p className="callout__title">{heading}</p>
      <div className="callout__body">{children}</div>
    </aside>
  );
}
