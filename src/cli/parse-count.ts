import { SkiffError } from "../errors/index.js";

/** A positive whole number given to `option`, or a usage error that shows one. */
export function parseCount(text: string, option: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(text)) {
    throw new SkiffError("ERR_SKIFF_USAGE", `${option} wants a positive whole number, not "${text}"`, {
      hint: `e.g. ${option} 5`,
    });
  }
  return Number(text);
}
