import { join } from "node:path";
import { listBuilds, type BuildListing } from "../build/index.js";
import { listApps } from "./apps.js";

/** DATA/builds/<app>: the build folders of one app's pushes (the last few are kept). */
export function serverBuildsDir(data: string, app: string): string {
  return join(data, "builds", app);
}

/** The builds kept on a server, per app (all apps, or one), newest first. */
export function listServerBuilds(data: string, app?: string): { app: string; builds: BuildListing[] }[] {
  const apps = app === undefined ? listApps(data) : [app];
  return apps.map((name) => ({ app: name, builds: listBuilds(serverBuildsDir(data, name)) }));
}

/** DATA/tmp: push scratch, build checkouts and the store's compressed artifacts, emptied when the server starts. */
export function serverTmpDir(data: string): string {
  return join(data, "tmp");
}
