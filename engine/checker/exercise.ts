// What a lesson's exercise is: a few assertions about cluster state, read
// through the Kubernetes API with the learner's own credentials.
import type { AppsV1Api, CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import type { AssertionResult } from "../protocol";

/** The API clients a check reads the cluster through. */
export interface ClusterReader {
  kubeConfig: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
}

export interface Exercise {
  /** Unique within its lesson; the MDX refers to it, e.g. <Exercise id="first-pod">. */
  id: string;
  title: string;
  /**
   * API collection paths whose changes can change the outcome, e.g.
   * "/api/v1/namespaces/default/pods". The checker watches them and re-runs
   * the exercise when any of them changes.
   */
  watches: string[];
  check(cluster: ClusterReader, signal: AbortSignal): Promise<AssertionResult[]>;
}

/** One assertion, phrased for a learner: what we want, what we see. */
export function assertion(description: string, passed: boolean, expected: string, actual: string): AssertionResult {
  return { description, passed, expected, actual };
}
