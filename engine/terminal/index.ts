// engine/terminal: sandboxed learner shells. Import only from here.
export { TerminalHost, TerminalUnavailableError } from "./host";
export type { TerminalHostOptions, TerminalOpenOptions } from "./host";
export { TerminalSession } from "./session";
export type { TerminalAttachment, TerminalExit, TerminalState, TerminalViewer } from "./session";
export { DEFAULT_LIMITS } from "./sandbox";
export type { SandboxLimits } from "./sandbox";
export { DEFAULT_FLOW } from "./flow";
export type { FlowLimits } from "./flow";
export { DEFAULT_UID_RANGE } from "./uids";
export type { UidRange } from "./uids";
export { SANDBOX_API_SERVER, sandboxKubeconfig } from "./forwarder";
