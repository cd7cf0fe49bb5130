export { createWorkers, type Workers, type AppTask, type WorkerState } from "./create-workers.js";
export { taskEndOf, stopSignalOf, type TaskEnd } from "./task-end.js";
export { createRetryTimers, type RetryTimers } from "./retry-timers.js";
