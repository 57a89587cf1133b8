"use client";

// The lesson header's live indicators: the learner's cluster and the connection to the server.
import { useLessonSession, type ClusterStatus, type ConnectionState } from "./LessonSession";

const connectionText: Record<ConnectionState, string> = {
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Reconnecting…",
};

function clusterText(cluster: ClusterStatus | null): { text: string; tone: string } {
  if (!cluster) return { text: "Waiting", tone: "pending" };
  switch (cluster.phase) {
    case "starting":
      return { text: "Starting…", tone: "pending" };
    case "ready":
      return { text: "Ready", tone: "good" };
    case "failed":
      return { text: `Failed: ${cluster.message}`, tone: "bad" };
  }
}

export function SessionStatus() {
  const { connection, cluster } = useLessonSession();
  const clusterState = clusterText(cluster);
  const connectionTone = connection === "connected" ? "good" : "pending";
  return (
    <div className="session-status">
      <p className={`pill pill--${clusterState.tone}`} role="status" aria-label="Cluster status" title={cluster?.message}>
        <span className="pill__label">Cluster</span> {clusterState.text}
      </p>
      <p className={`pill pill--${connectionTone}`} role="status" aria-label="Connection status">
        <span className="pill__label">Connection</span> {connectionText[connection]}
      </p>
    </div>
  );
}
