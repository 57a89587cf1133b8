export { LiveServer, type LessonNeeds, type LiveServerOptions, type ProgressStore } from "./live-server";
