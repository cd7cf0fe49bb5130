export { runLoad } from "./run-load.js";
export { summarizeSamples, summarizeLatency, percentile, type WindowOptions } from "./summarize.js";
export type { LoadOptions, LoadResult, LoadSample, LoadSummary, LatencySummary } from "./types.js";
