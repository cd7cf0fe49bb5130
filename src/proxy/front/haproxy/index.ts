export { createHaproxyEngine } from "./haproxy-engine.js";
export { findHaproxy, type FoundHaproxy } from "./find-haproxy.js";
