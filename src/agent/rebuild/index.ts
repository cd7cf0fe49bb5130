export { rebuildState, type RebuildResult } from "./rebuild-state.js";
export { stopStrayInstances } from "./stop-strays.js";
export { watchStateLoss, type StateLossWatch } from "./watch-state-loss.js";
