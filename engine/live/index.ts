export { LiveServer, type LiveServerOptions, type ProgressStore } from "./live-server";
