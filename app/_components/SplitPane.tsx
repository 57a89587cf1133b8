"use client";

// Two side-by-side panes with a draggable (and keyboard-movable) divider.
// Narrow screens stack the panes in CSS and hide the divider.
import { useRef, useState, type CSSProperties, type KeyboardEvent, type PointerEvent, type ReactNode } from "react";

const MIN_PERCENT = 25;
const MAX_PERCENT = 75;
const KEY_STEP = 5;

const clamp = (percent: number) => Math.min(MAX_PERCENT, Math.max(MIN_PERCENT, percent));

export function SplitPane({ left, right, leftLabel }: { left: ReactNode; right: ReactNode; leftLabel: string }) {
  const containerRef = useRef<HTMLDivElement>(null);
  const [leftPercent, setLeftPercent] = useState(50);
  const [dragging, setDragging] = useState(false);

  const moveTo = (clientX: number) => {
    const box = containerRef.current?.getBoundingClientRect();
    if (!box || box.width === 0) return;
    setLeftPercent(clamp(((clientX - box.left) / box.width) * 100));
  };

  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    event.currentTarget.setPointerCapture(event.pointerId);
    setDragging(true);
  };

  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    if (dragging) moveTo(event.clientX);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === "ArrowLeft") setLeftPercent((percent) => clamp(percent - KEY_STEP));
    else if (event.key === "ArrowRight") setLeftPercent((percent) => clamp(percent + KEY_STEP));
    else return;
    event.preventDefault();
  };

  return (
    <div
      className={`split${dragging ? " split--dragging" : ""}`}
      ref={containerRef}
      style={{ "--split-left": `${leftPercent}%` } as CSSProperties}
    >
      <div className="split__pane split__pane--left">{left}</div>
      <div
        className="split__divider"
        role="separator"
        aria-orientation="vertical"
        aria-label={`Resize ${leftLabel}`}
        aria-valuemin={MIN_PERCENT}
        aria-valuemax={MAX_PERCENT}
        aria-valuenow={Math.round(leftPercent)}
        tabIndex={0}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={() => setDragging(false)}
        onPointerCancel={() => setDragging(false)}
        onKeyDown={onKeyDown}
      />
      <div className="split__pane split__pane--right">{right}</div>
    </div>
  );
}
