export { ensureFrontDoor, stopFrontDoor, type EnsureFrontDoorOptions } from "./ensure-front-door.js";
export { connectFrontDoor, type FrontDoorClient, type WatchOptions } from "./front-client.js";
export {
  frontDoorDir,
  readFrontRecord,
  frontLogPath,
  frontStatePath,
  type FrontRecord,
} from "./front-files.js";
export { readSavedState } from "./saved-state.js";
export { openRestartJournal } from "./restart-journal.js";
export type { SavedFrontState } from "./front-door.js";
export type { AppSpecInput, SettingsInput, BackendSpec } from "./front-schema.js";
export type { AppStatus, BackendStatus, Counters, FrontEvent, FrontStatus } from "./status-schema.js";
export type { EngineName } from "./choose-engine.js";
