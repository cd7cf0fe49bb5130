export { rebuildState, type RebuildResult } from "./rebuild-state.js";
export { runningUnnamed, stopStrayInstances } from "./stop-strays.js";
export { watchStateLoss, type StateLossWatch } from "./watch-state-loss.js";
export { runningUnrecorded, stopUnrecorded, type UnrecordedInstance } from "./unrecorded.js";
