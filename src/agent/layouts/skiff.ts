import { readPointers } from "../../store/index.js";
import type { DesiredApp } from "../plan.js";
import { prepareRelease } from "../release-files.js";
import type { ReleaseLayout } from "./types.js";

/** skiff's own layout: <app>/current (or staging) and <app>/releases/<N>/ (docs/deployment-repository.md). */
export const skiffLayout: ReleaseLayout = {
  name: "skiff",
  signed: true,
  branch: "main",
  async readDesired({ mirror, commit, follow, reader }): Promise<DesiredApp[]> {
    const pointers = await readPointers({ mirror, commit, ...(reader ? { reader } : {}) });
    return pointers.map((p) => ({
      app: p.app,
      ...(p[follow] === undefined ? {} : { release: p[follow] }),
      ...(p.error === undefined ? {} : { error: p.error }),
      ...(p.destroyed ? { destroyed: true } : {}),
    }));
  },
  prepare: prepareRelease,
};
