import { Command } from "commander";
import { SkiffError } from "../errors/index.js";
import { registerAgentCommands } from "./commands/agent.js";
import { registerBuildCommands } from "./commands/build.js";
import { registerConfigCommands } from "./commands/config-vars.js";
import { registerFleetCommands } from "./commands/fleet.js";
import { registerRemoteCommands } from "./commands/remote.js";
import { registerRolloutCommands } from "./commands/rollout.js";
import { registerStageCommands } from "./commands/stage.js";
import { registerServerCommands } from "./commands/server.js";
import { registerStoreCommands } from "./commands/store.js";
import { registerTrustCommands } from "./commands/trust.js";

/** The whole CLI: each part adds its commands; commands only parse options and call the parts. */
export function createProgram(): Command {
  const program = new Command("skiff")
    .description("A Heroku for unikernels: git push, build, store signed releases, deploy without downtime.")
    .version("0.1.0")
    .exitOverride((error) => {
      // Usage errors (unknown option, missing argument) are known errors: no stack.
      if (
        error.code === "commander.helpDisplayed" ||
        error.code === "commander.version" ||
        error.code === "commander.help"
      )
        throw error;
      throw new SkiffError("ERR_SKIFF_USAGE", error.message.replace(/^error: /, ""), {
        hint: "run skiff --help, or skiff <command> --help",
      });
    })
    .configureOutput({ outputError: () => undefined });
  registerBuildCommands(program);
  registerStoreCommands(program);
  registerAgentCommands(program);
  registerServerCommands(program);
  registerTrustCommands(program);
  registerConfigCommands(program);
  registerStageCommands(program);
  registerFleetCommands(program);
  registerRolloutCommands(program);
  registerRemoteCommands(program);
  return program;
}
