export {
  startLoop,
  type LoopOptions,
  type LoopPass,
  type LoopHandle,
  type LoopStatus,
  type PassContext,
  type RunningLoop,
  type FollowPointer,
} from "./run-loop.js";
export { createMirrorFetcher, type MirrorFetcher } from "./mirror-fetcher.js";
export { createCoalescer } from "./coalesce.js";
