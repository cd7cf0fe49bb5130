import { resolve } from "node:path";
import { listServerBuilds } from "../../server/index.js";
import { formatMs, printJson, printTable } from "../output.js";

/** skiff builds [APP]: the build folders skiff server kept (the last few per app) and where their logs are. */
export function listBuildsCommand(app: string | undefined, options: { data: string; json?: boolean }): void {
  const listed = listServerBuilds(resolve(options.data), app);
  if (options.json) {
    printJson({ apps: listed });
    return;
  }
  const rows = listed.flatMap(({ app: name, builds }) =>
    builds.flatMap((build) => {
      const head = [
        name,
        build.buildId,
        build.status,
        build.commit?.slice(0, 7) ?? "",
        build.durationMs === undefined ? "" : formatMs(build.durationMs),
        build.error ? `${build.error.code}: ${build.error.message.split("\n")[0]}` : "",
      ];
      const logs = build.logs.map((log) => ["", "", "", "", "", `${log.target} ${log.step}: ${log.path}`]);
      return [head, ...logs];
    }),
  );
  printTable([["APP", "BUILD", "STATUS", "COMMIT", "TOOK", "ERROR / LOGS"], ...rows]);
}
