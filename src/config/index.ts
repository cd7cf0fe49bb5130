export * from "./schema.js";
export { loadConfig, parseConfig, CONFIG_FILE, type LoadConfigOptions } from "./load.js";
export { parseDuration, parseMemoryMiB, DURATION_PATTERN, SIZE_PATTERN } from "./duration.js";
export { skiffJsonSchema } from "./json-schema.js";
