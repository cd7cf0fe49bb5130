export {
  startImpairProxy,
  type ImpairProxy,
  type ImpairProxyOptions,
  type ImpairStats,
} from "./impair-proxy.js";
export { toImpairment, parseBandwidth, LOSS_STALL_MS, type Impairment } from "./impairment.js";
export { scheduleChunk, type Link, type ChunkTiming } from "./link.js";
