import { SkiffError } from "../../errors/index.js";
import { changeConfigVars, readConfigVars, type ConfigVarsChange } from "../../store/index.js";
import { isSealed } from "../../trust/index.js";
import { printJson, printTable, say } from "../output.js";
import { loadSigner } from "../trust-options.js";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface ConfigOptions {
  repo: string;
  key?: string[];
  expires?: string;
  json?: boolean;
}

/** `skiff config APP`: the config vars of its current release, sealed values hidden. */
export async function printConfigVars(app: string, options: ConfigOptions): Promise<void> {
  const vars = await readConfigVars({ repo: options.repo, app });
  const env = Object.fromEntries(
    Object.entries(vars.env).map(([name, value]) => [name, isSealed(value) ? "[sealed]" : value]),
  );
  if (options.json) {
    printJson({ app, release: vars.release, env });
    return;
  }
  say(`${app} release ${vars.release}`);
  if (Object.keys(env).length === 0) say("no config vars");
  else printTable(Object.entries(env).map(([name, value]) => [name, value]));
}

/** `skiff config:set APP KEY=VALUE…`. */
export async function setConfigVars(
  app: string,
  assignments: string[],
  options: ConfigOptions,
): Promise<void> {
  const set = parseAssignments(assignments);
  report(await changeConfigVars({ repo: options.repo, app, set, ...common(options) }), options);
}

/** `skiff config:unset APP NAME…`. */
export async function unsetConfigVars(app: string, names: string[], options: ConfigOptions): Promise<void> {
  for (const name of names) assertEnvName(name);
  report(await changeConfigVars({ repo: options.repo, app, unset: names, ...common(options) }), options);
}

function common(options: ConfigOptions): { sign?: ReturnType<typeof loadSigner>; expires?: string } {
  const sign = loadSigner(options.key);
  return { ...(sign ? { sign } : {}), ...(options.expires ? { expires: options.expires } : {}) };
}

function report(change: ConfigVarsChange, options: ConfigOptions): void {
  say(
    change.changed
      ? `${change.app}: release ${change.release} (image of release ${change.from}) is ${change.pointer}${options.key ? ", signed" : ""}`
      : `${change.app}: nothing changed, release ${change.release} stays ${change.pointer}`,
  );
  if (options.json) {
    const env = Object.fromEntries(
      Object.entries(change.env).map(([name, value]) => [name, isSealed(value) ? "[sealed]" : value]),
    );
    printJson({ ...change, env });
  }
}

/** KEY=VALUE → {KEY: VALUE}; the value may contain "=", and may be a sealed value. */
function parseAssignments(assignments: readonly string[]): Record<string, string> {
  const set: Record<string, string> = {};
  for (const [index, assignment] of assignments.entries()) {
    const at = assignment.indexOf("=");
    if (at <= 0) {
      // The text is not shown: it may be a value typed without its name.
      throw new SkiffError("ERR_SKIFF_USAGE", `argument ${index + 1} is not KEY=VALUE`, {
        hint: "skiff config:set hello GREETING=hi; for a secret: skiff secrets encrypt --to host.pub NAME=- and set what it prints",
      });
    }
    const name = assignment.slice(0, at);
    assertEnvName(name);
    set[name] = assignment.slice(at + 1);
  }
  return set;
}

function assertEnvName(name: string): void {
  if (!ENV_NAME.test(name)) {
    throw new SkiffError("ERR_SKIFF_USAGE", `${JSON.stringify(name.slice(0, 40))} is not a config var name`, {
      hint: "a name is letters, digits and _, not starting with a digit, e.g. GREETING",
    });
  }
}
