import { SkiffError } from "../errors/index.js";
import { assertSecretName } from "./sealed-secret.js";

export interface SecretAssignment {
  name: string;
  /** The value, or undefined when it is to be read from stdin (NAME=-). */
  value: string | undefined;
}

/**
 * Parses NAME=VALUE arguments. Errors name the argument's position, never its text: it holds a secret.
 * At most one NAME=- (read from stdin, so the value stays out of shell history).
 */
export function parseSecretAssignments(args: readonly string[]): SecretAssignment[] {
  if (args.length === 0) {
    throw new SkiffError("ERR_SKIFF_USAGE", "no NAME=VALUE given", {
      hint: "skiff secrets encrypt --to host.pub API_TOKEN=- (then type or pipe the value)",
    });
  }
  const assignments = args.map((arg, index) => {
    const at = arg.indexOf("=");
    if (at <= 0) {
      throw new SkiffError("ERR_SKIFF_USAGE", `argument ${index + 1} is not NAME=VALUE`, {
        hint: "write NAME=VALUE, or NAME=- to read the value from stdin",
      });
    }
    const name = arg.slice(0, at);
    assertSecretName(name);
    const value = arg.slice(at + 1);
    return { name, value: value === "-" ? undefined : value };
  });
  const names = assignments.map((a) => a.name);
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  if (repeated !== undefined) {
    throw new SkiffError("ERR_SKIFF_USAGE", `${repeated} is given twice`, { hint: "give each name once" });
  }
  if (assignments.filter((a) => a.value === undefined).length > 1) {
    throw new SkiffError("ERR_SKIFF_USAGE", "only one NAME=- can read its value from stdin", {
      hint: "run skiff secrets encrypt once per value read from stdin",
    });
  }
  return assignments;
}

/** The stdin text as a value: one trailing newline (from echo or a terminal) is not part of it. */
export function valueFromStdin(text: string): string {
  return text.replace(/\r?\n$/, "");
}
