export {
  readStatus,
  stopApp,
  startApp,
  markStopped,
  readLogs,
  type AppStatus,
  type InstanceRow,
} from "./operate.js";
