export type { ReleaseLayout, LayoutPointer } from "./types.js";
export { skiffLayout } from "./skiff.js";
export { createMirage2015Layout, type Mirage2015LayoutOptions } from "./mirage-2015.js";
export { reportPointerErrors } from "./report-pointer-errors.js";
export { parseMirage2015Flags, type Mirage2015Flags } from "./mirage-2015-flags.js";
