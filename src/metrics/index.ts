export { createSkiffMetrics, type SkiffMetrics } from "./skiff-metrics.js";
export { createMetricsSink } from "./event-metrics.js";
export { setHostGauges, healthOf, syncOf } from "./collect-host.js";
export { readFrontCounters, type FrontCounters } from "./front-counters.js";
export { createHostMetrics, type HostMetrics } from "./host-metrics.js";
