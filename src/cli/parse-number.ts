import { SkiffError } from "../errors/index.js";

/** A whole number from an option or argument (`min` 1 by default); anything else is a usage error. */
export function parseWhole(text: string, what: string, min = 1): number {
  const value = /^[0-9]{1,9}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(value) || value < min) {
    throw new SkiffError(
      "ERR_SKIFF_USAGE",
      `${what} wants a whole number${min > 0 ? " above 0" : ""}, not "${text.slice(0, 40)}"`,
      {
        hint: `e.g. ${what} 5`,
      },
    );
  }
  return value;
}
