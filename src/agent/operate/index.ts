export {
  readStatus,
  stopApp,
  startApp,
  markStopped,
  readLogs,
  type AppStatus,
  type InstanceRow,
} from "./operate.js";
export { followLogs, type FollowLogsOptions, type FollowedLine } from "./follow-logs.js";
export { findInstanceLog, type InstanceLog } from "./instance-logs.js";
