import { SkiffError } from "../errors/index.js";

/**
 * Refuses a name that could leave the folder it is joined to: empty, ".", "..", any "/" or "\",
 * a NUL byte, or a Windows drive prefix. Returns the name for chaining.
 */
export function assertPlainName(name: string, what = "file name"): string {
  const escapes =
    name === "" ||
    name === "." ||
    name === ".." ||
    name.includes("/") ||
    name.includes("\\") ||
    name.includes("\0") ||
    /^[A-Za-z]:/.test(name);
  if (escapes) {
    throw new SkiffError("ERR_SKIFF_PATH_ESCAPE", `${what} ${JSON.stringify(name)} is not a plain name`, {
      hint: "a name may not be empty, contain / or \\ or a NUL byte, or be . or ..",
      data: { name },
    });
  }
  return name;
}
