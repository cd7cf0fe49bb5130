export { createSkiffMetrics, type SkiffMetrics } from "./skiff-metrics.js";
export { createMetricsSink } from "./event-metrics.js";
export { setHostGauges, healthOf, syncOf } from "./collect-host.js";
export { readFrontCounters, type FrontCounters } from "./front-counters.js";
export { createHostMetrics, type HostMetrics } from "./host-metrics.js";
export {
  startTrafficSampler,
  type TrafficSampler,
  type TrafficSamplerOptions,
  type AppSeries,
} from "./traffic-sampler.js";
export {
  toTrafficPoint,
  SERIES_KEYS,
  type TrafficReading,
  type TrafficPoint,
  type SeriesKey,
} from "./traffic-point.js";
export { readTraffic } from "./read-traffic.js";
