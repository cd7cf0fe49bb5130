export {
  runProcess,
  runUserCommand,
  type RunOptions,
  type RunResult,
  type UserCommandOptions,
} from "./run.js";
export { probeSandbox, bwrapArgs, type SandboxOptions, type SandboxStatus } from "./sandbox.js";
export { killMarked, findMarked, findMarkedValues, COMMAND_MARK_ENV } from "./marked-processes.js";
export { terminateGroup, killGroupNow, isAlive, waitForExit } from "./terminate.js";
export { processStartTime, isSameProcess } from "./identity.js";
export { findExecutable } from "./find-executable.js";
export { SERVICE_NODE_FLAGS } from "./node-flags.js";
export { traceMark, traceProcess } from "./trace.js";
export { ownProgram, ownFile, packageRoot } from "./own-files.js";
