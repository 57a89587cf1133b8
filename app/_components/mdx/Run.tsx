"use client";

// A command the learner can run in their terminal with one click, or copy.
import { Children, isValidElement, useEffect, useRef, useState, type ReactNode } from "react";
import { useLessonSession } from "../LessonSession";

/** The plain text of MDX children: a string for `<Run>cmd</Run>`, a <pre><code> tree for a fenced block. */
function textOf(node: ReactNode): string {
  if (typeof node === "string" || typeof node === "number") return String(node);
  if (Array.isArray(node)) return node.map(textOf).join("");
  if (isValidElement<{ children?: ReactNode }>(node)) return textOf(node.props.children);
  return "";
}

type CopyState = "idle" | "copied" | "select";

export function Run({ children }: { children: ReactNode }) {
  const { connection, sendToTerminal } = useLessonSession();
  const command = Children.toArray(children).map(textOf).join("").trim();
  const codeRef = useRef<HTMLElement>(null);
  const [copy, setCopy] = useState<CopyState>("idle");
  const firstLine = command.split("\n")[0] ?? "";
  const label = command.includes("\n") ? `${firstLine} …` : command;
  const online = connection === "connected";

  useEffect(() => {
    if (copy === "idle") return;
    const timer = setTimeout(() => setCopy("idle"), 2000);
    return () => clearTimeout(timer);
  }, [copy]);

  const run = () => {
    // A terminal's Enter key sends carriage returns, so multi-line commands do too.
    sendToTerminal(command.replace(/\r?\n/g, "\r") + "\r");
  };

  const copyCommand = () => {
    // The clipboard API exists only on secure origins; elsewhere select the text for Ctrl+C.
    if (navigator.clipboard) {
      navigator.clipboard.writeText(command).then(
        () => setCopy("copied"),
        () => selectCommand(),
      );
    } else selectCommand();
  };

  const selectCommand = () => {
    const code = codeRef.current;
    if (!code) return;
    window.getSelection()?.selectAllChildren(code);
    setCopy("select");
  };

  return (
    <div className="run">
      <pre className="run__code">
        <code ref={codeRef}>{command}</code>
      </pre>
      <div className="run__actions">
        <button
          type="button"
          className="button button--primary"
          aria-label={`Run: ${label}`}
          title={online ? "Type this into the terminal" : "Waiting for the terminal to connect"}
          disabled={!online}
          onClick={run}
        >
          Run
        </button>
        <button type="button" className="button" aria-label={`Copy: ${label}`} onClick={copyCommand}>
          {copy === "copied" ? "Copied" : copy === "select" ? "Press Ctrl+C" : "Copy"}
        </button>
      </div>
    </div>
  );
}
