import { runCommand, tail } from "./run-command.js";
import type { FixtureApp } from "./fixture-app.js";

const PUSH_TIMEOUT_MS = 120_000;

/** `git push` of the app's main to skiff server; never rejects. */
export async function pushApp(
  app: FixtureApp,
  server: { url: string; token: string },
  env: NodeJS.ProcessEnv,
): Promise<{ ok: boolean; detail: string }> {
  const remote = server.url.replace("http://", `http://git:${server.token}@`) + `/${app.name}.git`;
  const run = await runCommand("git", ["push", "--quiet", remote, "main"], {
    cwd: app.dir,
    env,
    timeoutMs: PUSH_TIMEOUT_MS,
  });
  const output = (run.stdout + run.stderr).replaceAll(server.token, "[token]");
  const said = tail(output.replace(/^remote: ?/gm, "").replace(/\s+$/gm, ""), 3);
  return { ok: run.code === 0, detail: `git push${run.timedOut ? " (timed out)" : ""}: ${said}` };
}
