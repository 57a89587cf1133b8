"use client";

// One socket.io connection per lesson page, shared by the terminal, the status
// header and the MDX components through context.
import { createContext, use, useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ClusterPhase, ExerciseResult, ServerToClientEvents } from "@/engine/protocol";

export type LessonSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export type ConnectionState = "connecting" | "connected" | "reconnecting";

export interface ClusterStatus {
  phase: ClusterPhase;
  message: string;
}

export interface Notice {
  id: number;
  level: "info" | "error";
  message: string;
}

/** What the terminal lets others do to it, e.g. a Run button focusing it. */
export interface TerminalHandle {
  focus: () => void;
}

interface LessonSessionValue {
  lesson: string;
  /** Null until the connection is created after mount. */
  socket: LessonSocket | null;
  connection: ConnectionState;
  /** Null until the server reports it. */
  cluster: ClusterStatus | null;
  /** The latest result per exercise id of this lesson. */
  results: ReadonlyMap<string, ExerciseResult>;
  notices: readonly Notice[];
  dismissNotice: (id: number) => void;
  /** Types `text` into the learner's shell and focuses the terminal; false when offline. */
  sendToTerminal: (text: string) => boolean;
  registerTerminal: (handle: TerminalHandle) => () => void;
}

const LessonSessionContext = createContext<LessonSessionValue | null>(null);

const MAX_NOTICES = 3;

export function LessonSessionProvider({ lesson, children }: { lesson: string; children: ReactNode }) {
  const [socket, setSocket] = useState<LessonSocket | null>(null);
  const [connection, setConnection] = useState<ConnectionState>("connecting");
  const [cluster, setCluster] = useState<ClusterStatus | null>(null);
  const [results, setResults] = useState<ReadonlyMap<string, ExerciseResult>>(new Map());
  const [notices, setNotices] = useState<readonly Notice[]>([]);
  const terminal = useRef<TerminalHandle | null>(null);
  const nextNoticeId = useRef(0);

  const addNotice = useCallback((level: Notice["level"], message: string) => {
    const id = nextNoticeId.current++;
    setNotices((current) => [...current, { id, level, message }].slice(-MAX_NOTICES));
  }, []);

  useEffect(() => {
    const connection: LessonSocket = io({ path: "/socket.io" });
    setSocket(connection);

    // `connect` fires again after every reconnect; the server forgets what a
    // dropped socket watched, so the lesson is watched afresh each time.
    connection.on("connect", () => {
      setConnection("connected");
      connection.emit("lesson:watch", { lesson }, (reply) => {
        if (!reply.ok) addNotice("error", `Live checking is unavailable: ${reply.error}`);
      });
    });
    connection.on("disconnect", () => setConnection("reconnecting"));
    connection.on("connect_error", () => setConnection("reconnecting"));
    connection.on("cluster:status", (status) => setCluster(status));
    connection.on("check:result", (result) => {
      if (result.lesson !== lesson) return;
      setResults((current) => new Map(current).set(result.exercise, result));
    });
    connection.on("notice", (notice) => addNotice(notice.level, notice.message));

    return () => {
      connection.disconnect();
      setSocket(null);
    };
  }, [lesson, addNotice]);

  const sendToTerminal = useCallback(
    (text: string) => {
      // Refuse rather than let socket.io buffer keystrokes and replay them into a later shell.
      if (!socket?.connected) return false;
      socket.emit("terminal:input", text);
      terminal.current?.focus();
      return true;
    },
    [socket],
  );

  const registerTerminal = useCallback((handle: TerminalHandle) => {
    terminal.current = handle;
    return () => {
      if (terminal.current === handle) terminal.current = null;
    };
  }, []);

  const dismissNotice = useCallback((id: number) => {
    setNotices((current) => current.filter((notice) => notice.id !== id));
  }, []);

  const value = useMemo<LessonSessionValue>(
    () => ({ lesson, socket, connection, cluster, results, notices, dismissNotice, sendToTerminal, registerTerminal }),
    [lesson, socket, connection, cluster, results, notices, dismissNotice, sendToTerminal, registerTerminal],
  );

  return <LessonSessionContext value={value}>{children}</LessonSessionContext>;
}

export function useLessonSession(): LessonSessionValue {
  const value = use(LessonSessionContext);
  if (!value) throw new Error("useLessonSession must be used inside <LessonSessionProvider>");
  return value;
}
