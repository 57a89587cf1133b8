"use client";

// The learner's shell: xterm.js bound to the session socket's terminal events.
import "@xterm/xterm/css/xterm.css";
import { useEffect, useRef, useState } from "react";
import type { FitAddon } from "@xterm/addon-fit";
import type { Terminal as XTerm } from "@xterm/xterm";
import type { TerminalSize } from "@/engine/protocol";
import { useLessonSession } from "./LessonSession";

// The protocol's accepted size range; xterm can propose sizes outside it in tiny panes.
function clampSize(terminal: XTerm): TerminalSize {
  return {
    cols: Math.min(500, Math.max(10, terminal.cols)),
    rows: Math.min(300, Math.max(4, terminal.rows)),
  };
}

type ShellState = { kind: "attaching" } | { kind: "attached" } | { kind: "failed"; error: string } | { kind: "exited"; message: string };

export function Terminal() {
  const { socket, registerTerminal } = useLessonSession();
  const hostRef = useRef<HTMLDivElement>(null);
  // Lets the overlay buttons reach the xterm instance that lives inside the effect.
  const controlsRef = useRef<{ attach: () => void; focus: () => void } | null>(null);
  const [shell, setShell] = useState<ShellState>({ kind: "attaching" });
  const [restarting, setRestarting] = useState(false);

  useEffect(() => {
    const host = hostRef.current;
    if (!socket || !host) return;
    let disposed = false;
    const disposers: (() => void)[] = [];

    // xterm touches `window` when loaded, so it is loaded only in the browser.
    void Promise.all([import("@xterm/xterm"), import("@xterm/addon-fit")]).then(([{ Terminal: XTermClass }, { FitAddon: FitAddonClass }]) => {
      if (disposed) return;
      const terminal: XTerm = new XTermClass({
        cursorBlink: true,
        fontFamily: 'ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace',
        fontSize: 14,
        scrollback: 5000,
        theme: { background: "#0f172a", foreground: "#e2e8f0", cursor: "#facc15" },
      });
      const fit: FitAddon = new FitAddonClass();
      terminal.loadAddon(fit);
      terminal.open(host);
      fit.fit();
      disposers.push(() => terminal.dispose());
      disposers.push(registerTerminal({ focus: () => terminal.focus() }));

      // The server replays recent output on attach, so the screen is cleared first to avoid showing it twice.
      const attach = () => {
        terminal.reset();
        setShell({ kind: "attaching" });
        socket.emit("terminal:attach", clampSize(terminal), (reply) => {
          setShell(reply.ok ? { kind: "attached" } : { kind: "failed", error: reply.error });
        });
      };
      controlsRef.current = { attach, focus: () => terminal.focus() };
      disposers.push(() => {
        controlsRef.current = null;
      });

      const onOutput = (data: string) => {
        // Acknowledge only once xterm has rendered the chunk, so a flood of output slows the shell instead of the tab.
        // The server counts what it sent in string length, so that is the unit acknowledged.
        terminal.write(data, () => socket.emit("terminal:ack", data.length));
      };
      const onExit = (info: { code: number; message: string }) => {
        setShell({ kind: "exited", message: info.message || `The shell exited with code ${info.code}.` });
      };
      socket.on("terminal:output", onOutput);
      socket.on("terminal:exit", onExit);
      socket.on("connect", attach);
      disposers.push(() => {
        socket.off("terminal:output", onOutput);
        socket.off("terminal:exit", onExit);
        socket.off("connect", attach);
      });
      if (socket.connected) attach();

      const input = terminal.onData((data) => socket.emit("terminal:input", data));
      const resized = terminal.onResize(() => {
        if (socket.connected) socket.emit("terminal:resize", clampSize(terminal));
      });
      disposers.push(() => input.dispose(), () => resized.dispose());

      // Refit on the next frame, at most once per frame, when the pane changes size.
      let frame = 0;
      const observer = new ResizeObserver(() => {
        cancelAnimationFrame(frame);
        frame = requestAnimationFrame(() => fit.fit());
      });
      observer.observe(host);
      disposers.push(() => {
        cancelAnimationFrame(frame);
        observer.disconnect();
      });
    });

    return () => {
      disposed = true;
      for (const dispose of disposers.reverse()) dispose();
    };
  }, [socket, registerTerminal]);

  const restart = () => {
    if (!socket) return;
    setRestarting(true);
    socket.emit("terminal:restart", (reply) => {
      setRestarting(false);
      if (!reply.ok) return setShell({ kind: "failed", error: reply.error });
      // The server keeps this tab attached across a restart, so the new shell's output just follows.
      setShell({ kind: "attached" });
      controlsRef.current?.focus();
    });
  };

  return (
    <section className="terminal" aria-label="Terminal">
      <div className="terminal__screen" ref={hostRef} />
      {shell.kind === "attaching" && <p className="terminal__waiting">Connecting to your terminal…</p>}
      {shell.kind === "failed" && (
        <div className="terminal__overlay" role="alert">
          <p>The terminal could not start: {shell.error}</p>
          <button type="button" className="button" onClick={() => controlsRef.current?.attach()}>
            Try again
          </button>
        </div>
      )}
      {shell.kind === "exited" && (
        <div className="terminal__overlay" role="alert">
          <p>{shell.message}</p>
          <button type="button" className="button" onClick={restart} disabled={restarting}>
            {restarting ? "Restarting…" : "Restart shell"}
          </button>
        </div>
      )}
    </section>
  );
}
