export { stopApp, startApp, markStopped, readLogs, type StoppedInstance } from "./operate.js";
export { readStatus, type AppStatus, type InstanceRow } from "../status/index.js";
export { followLogs, type FollowLogsOptions, type FollowedLine } from "./follow-logs.js";
export { findInstanceLog, type InstanceLog } from "./instance-logs.js";
