export { createXenDriver, type XenDriverOptions } from "./xen-driver.js";
export { DEFAULT_XL_TEMPLATE, renderXlConfig, quoteXlValue, type XlConfigValues } from "./render-config.js";
export { XenDeployOptionsSchema, type XenDeployOptions } from "./options.js";
export { parseDomainState, type DomainState } from "./list-state.js";
export type { XenToolstack } from "./argv.js";
