export { runProcess, runUserCommand, type RunOptions, type RunResult } from "./run.js";
export { terminateGroup, isAlive, waitForExit } from "./terminate.js";
export { processStartTime, isSameProcess } from "./identity.js";
export { traceMark, traceProcess } from "./trace.js";
