import { runBuild, toMachineSummary, type BuildStepEvent } from "../../build/index.js";
import { hasUncommittedChanges } from "../../git/index.js";
import { formatMs, printJson, printTable, say } from "../output.js";

export interface BuildCommandOptions {
  dir: string;
  target?: string;
  json?: boolean;
}

/** `skiff build`: the build matrix in a clean checkout of HEAD. */
export async function runBuildCommand(options: BuildCommandOptions): Promise<void> {
  if (await hasUncommittedChanges(options.dir)) {
    say("note: uncommitted changes are not part of the build (it uses the committed HEAD)");
  }
  const summary = await runBuild({
    repo: options.dir,
    target: options.target,
    onStep: sayStep,
    onOutput: ({ line }) => say(`    ${line}`),
  });
  say(
    `built ${summary.app} ${summary.commit.slice(0, 7)} in ${formatMs(summary.durationMs)}: ${summary.dir}`,
  );
  if (options.json) {
    printJson(toMachineSummary(summary));
    return;
  }
  printTable([
    ["TARGET", "ARTIFACT", "SIZE", "SHA256"],
    ...summary.targets.flatMap((t) =>
      t.artifacts.map((a) => [t.target + (t.deploy ? " (deploy)" : ""), a.path, String(a.size), a.sha256]),
    ),
  ]);
}
function sayStep(event: BuildStepEvent): void {
  if (event.phase === "start") {
    say(`==> ${event.target} ${event.step}: ${event.command}`);
    return;
  }
  const verdict = event.ok ? "ok" : "failed";
  say(`==> ${event.target} ${event.step} ${verdict} ${formatMs(event.durationMs ?? 0)}`);
}
