import { skiffJson } from "./skiff-cli.js";

export interface ReleaseInfo {
  release: number;
  current: boolean;
  commit?: string;
}

/** `skiff releases APP --repo R --json`: the app's stored releases; undefined when it failed. */
export function readReleases(
  deployRepo: string,
  app: string,
  env: NodeJS.ProcessEnv,
): Promise<ReleaseInfo[] | undefined> {
  return skiffJson<ReleaseInfo[]>(["releases", app, "--repo", deployRepo], { env });
}
