export { rebuildState, type RebuildResult } from "./rebuild-state.js";
