export { assertion, type ClusterReader, type Exercise } from "./exercise";
export { clusterReader, LiveChecker, type ExerciseOutcome, type LiveCheckerOptions } from "./live-checker";
