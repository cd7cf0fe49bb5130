import { SkiffError } from "../../errors/index.js";
import { changeConfigVars, readConfigVars, type ConfigVarsChange } from "../../store/index.js";
import { isSealed } from "../../trust/index.js";
import { printJson, printTable, say } from "../output.js";
import { chooseApp } from "../app-argument.js";
import { deployRepoOf } from "../host-data.js";
import { refuseKeysRemotely, type RepoTargetOptions } from "../repo-target.js";
import { loadSigner } from "../trust-options.js";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export type ConfigOptions = RepoTargetOptions;

/** `skiff config [APP]`: the config vars of its current release, sealed values hidden. */
export async function printConfigVars(appArgument: string | undefined, options: ConfigOptions): Promise<void> {
  const repo = deployRepoOf(options);
  if (repo === undefined) return (await import("../remote/config.js")).showRemoteConfig(appArgument, options);
  const app = chooseApp(appArgument, options);
  const vars = await readConfigVars({ repo, app });
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

/** `skiff config:set [APP] KEY=VALUE…`: the app first (as before -a existed), or `-a APP`. */
export async function setConfigVars(args: string[], options: ConfigOptions): Promise<void> {
  const [first, ...rest] = args;
  const named = first !== undefined && !first.includes("=") && options.app === undefined;
  const set = parseAssignments(named ? rest : args);
  if (Object.keys(set).length === 0) throw nothingGiven("KEY=VALUE");
  await changeConfig(named ? first : undefined, { set }, options);
}

/** `skiff config:unset [APP] NAME…`: with two or more arguments and no -a, the first is the app. */
export async function unsetConfigVars(args: string[], options: ConfigOptions): Promise<void> {
  const named = args.length > 1 && options.app === undefined;
  const names = named ? args.slice(1) : args;
  if (names.length === 0) throw nothingGiven("NAME");
  for (const name of names) assertEnvName(name);
  await changeConfig(named ? args[0] : undefined, { unset: names }, options);
}

function nothingGiven(what: string): SkiffError {
  return new SkiffError("ERR_SKIFF_USAGE", `no ${what} was given`, {
    hint: "e.g. skiff config:set GREETING=hi -a hello; skiff config:unset GREETING -a hello",
  });
}

/** --repo or a server's --data: the deployment repository itself; else the logged-in server. */
async function changeConfig(
  appArgument: string | undefined,
  change: { set?: Record<string, string>; unset?: string[] },
  options: ConfigOptions,
): Promise<void> {
  const repo = deployRepoOf(options);
  if (repo === undefined) {
    refuseKeysRemotely(options);
    return (await import("../remote/config.js")).changeRemoteConfig(appArgument, change, options);
  }
  const app = chooseApp(appArgument, options);
  report(await changeConfigVars({ repo, app, ...change, ...common(options) }), options);
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
