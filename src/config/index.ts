export * from "./schema.js";
export { loadConfig, parseConfig, CONFIG_FILE, CONFIG_MAX_BYTES, type LoadConfigOptions } from "./load.js";
export { loadConfigOffThread, type LoadOffThreadOptions } from "./load-off-thread.js";
export { YAML_LIMITS } from "./yaml-limits.js";
export { parseDuration, parseMemoryMiB } from "./duration.js";
export { skiffJsonSchema } from "./json-schema.js";
