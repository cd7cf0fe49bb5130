export * from "./schema.js";
export { loadConfig, parseConfig, CONFIG_FILE, CONFIG_MAX_BYTES, type LoadConfigOptions } from "./load.js";
export { loadConfigInWorker, type LoadInWorkerOptions } from "./load-in-worker.js";
export { YAML_LIMITS } from "./yaml-limits.js";
export { parseDuration, parseMemoryMiB, DURATION_PATTERN, SIZE_PATTERN } from "./duration.js";
export { skiffJsonSchema } from "./json-schema.js";
