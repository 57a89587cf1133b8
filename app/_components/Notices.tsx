"use client";

// Messages the server wants the learner to read (`notice` events), dismissable.
import { useLessonSession } from "./LessonSession";

export function Notices() {
  const { notices, dismissNotice } = useLessonSession();
  if (notices.length === 0) return null;
  return (
    <ul className="notices" aria-label="Notices">
      {notices.map((notice) => (
        <li key={notice.id} className={`notice notice--${notice.level}`} role={notice.level === "error" ? "alert" : "status"}>
          <span>{notice.message}</span>
          <button type="button" className="notice__dismiss" aria-label="Dismiss" onClick={() => dismissNotice(notice.id)}>
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}
