export type { SkiffEvent, EventInput, EventSink } from "./types.js";
export { EventLog, readEventLog } from "./event-log.js";
export { EventBus } from "./event-bus.js";
export { EventFeed, type EventListener } from "./event-feed.js";
