// `GET .../pods/P/log` content from the container runtime: the current (or
// `previous`) container's log, with tailLines / timestamps / sinceSeconds /
// limitBytes, and a live feed for `follow` that ends when the container stops.
import type { ContainerRuntime } from "../../container/runtime";
import type { PodLogs } from "../http";

export function podLogs(runtime: ContainerRuntime): PodLogs {
  return (pod, container, options) => {
    const found = runtime.container(pod, container, options.previous);
    if (!found) {
      if (options.previous) return { error: `previous terminated container "${container}" in pod "${pod.metadata.name ?? ""}" not found` };
      return { text: "" };
    }
    const logOptions = { tailLines: options.tailLines, timestamps: options.timestamps, sinceSeconds: options.sinceSeconds, limitBytes: options.limitBytes };
    return {
      text: found.log.text(logOptions),
      follow: options.follow && !options.previous ? (data, end) => found.log.follow(logOptions, data, end) : undefined,
    };
  };
}
