import { SkiffError } from "../../errors/index.js";
import type { TreeEntry } from "../../git/index.js";

/**
 * The 2015 deployment repository (mirage-decks-deployment):
 *   xl.conf.in (xm.conf.in before May 2015)   template with @VM@ @KERNEL@ (later @NAME@ @DISK@)
 *   xen/latest                                 one line: the source commit id to run
 *   xen/<id>/<vm>.xen.bz2, xen/<id>/config.ml  the kernel, bzip2 -9, beside the build's config
 */
export const LATEST_PATH = "xen/latest";
export const TEMPLATE_PATHS = [
  { path: "xl.conf.in", toolstack: "xl" },
  { path: "xm.conf.in", toolstack: "xm" },
] as const;
export const KERNEL_SUFFIX = ".xen.bz2";

const COMMIT_ID = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
const ESCAPE_HINT =
  "write the full source commit id into xen/latest (as the 2015 CI did: echo $COMMIT > xen/latest)";

/** git modes of plain files; a symlink (120000) could point anywhere and is refused. */
export function isPlainFile(entry: TreeEntry): boolean {
  return entry.type === "blob" && (entry.mode === "100644" || entry.mode === "100755");
}

/** The commit id in xen/latest. Anything else is refused: 2015's deploy.sh used it as a path (`../../x`). */
export function parseLatest(text: string): string {
  const id = text.replace(/\r?\n$/, "");
  if (!COMMIT_ID.test(id)) {
    throw new SkiffError(
      "ERR_SKIFF_PATH_ESCAPE",
      `xen/latest holds ${JSON.stringify(id.slice(0, 80))}, not a commit id; skiff never uses it as a path`,
      { hint: ESCAPE_HINT, data: { path: LATEST_PATH } },
    );
  }
  return id;
}

/** Refuses an entry that is not a plain file (a symlink or a submodule standing where a file should be). */
export function requirePlainFile(entry: TreeEntry): TreeEntry {
  if (!isPlainFile(entry)) {
    throw new SkiffError(
      "ERR_SKIFF_PATH_ESCAPE",
      `${entry.path} is not a plain file (git mode ${entry.mode})`,
      {
        hint: "replace the link with the file itself; skiff follows no links in a deployment repository",
        data: { path: entry.path },
      },
    );
  }
  return entry;
}

/**
 * The kernel of release `id`: `<vm>.xen.bz2` directly in xen/<id>/. With several, `vm` chooses,
 * else mir-<app> or <app>. xen/<id> itself must be a folder, not a link out of xen/.
 */
export function pickKernelEntry(
  entries: readonly TreeEntry[],
  options: { id: string; app: string; vm?: string },
): TreeEntry {
  const folder = `xen/${options.id}`;
  // ls-tree -r lists no folders: an entry named xen/<id> is a link or file standing in for one.
  const self = entries.find((entry) => entry.path === folder);
  if (self) {
    throw new SkiffError("ERR_SKIFF_PATH_ESCAPE", `${folder} is not a folder (git mode ${self.mode})`, {
      hint: "xen/<id> must be a real folder holding the kernel; skiff follows no links in a deployment repository",
      data: { path: folder },
    });
  }
  const kernels = entries.filter(
    (entry) =>
      entry.path.startsWith(`${folder}/`) &&
      entry.path.endsWith(KERNEL_SUFFIX) &&
      !entry.path.slice(folder.length + 1).includes("/"),
  );
  const named = (vm: string): TreeEntry | undefined =>
    kernels.find((entry) => entry.path === `${folder}/${vm}${KERNEL_SUFFIX}`);
  const chosen =
    options.vm !== undefined
      ? named(options.vm)
      : (named(`mir-${options.app}`) ??
        named(options.app) ??
        (kernels.length === 1 ? kernels[0] : undefined));
  if (!chosen) {
    throw new SkiffError(
      "ERR_SKIFF_ARTIFACT_MISSING",
      kernels.length === 0
        ? `${folder}/ holds no *${KERNEL_SUFFIX} kernel`
        : `${folder}/ holds several kernels (${kernels.map((k) => k.path.slice(folder.length + 1)).join(", ")})`,
      { hint: "name the VM whose kernel to run (the $VM of the old deploy.sh)", data: { folder } },
    );
  }
  return requirePlainFile(chosen);
}

/** memory='256' (or memory = 256) of a 2015 template, in MiB; undefined when it has none or a placeholder. */
export function parseTemplateMemory(template: string): number | undefined {
  const match = /^\s*memory\s*=\s*['"]?(\d+)['"]?\s*$/m.exec(template);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
