import { basename } from "node:path";
import { SkiffError } from "../../errors/index.js";
import type { XenDeployOptions } from "./options.js";

/** Release files that are config templates, not kernels (the 2015 layout names). */
export const TEMPLATE_FILE_NAMES = ["xl.conf.in", "xm.conf.in"] as const;

/** The release file to read as the xl template, or undefined for the built-in one. */
export function pickTemplateFile(
  files: Record<string, string>,
  options: XenDeployOptions,
): string | undefined {
  if (options.template !== undefined) {
    const path = files[options.template];
    if (path === undefined) {
      throw new SkiffError(
        "ERR_SKIFF_CONFIG_INVALID",
        `deploy.xen.template names "${options.template}", which is not a file of the release`,
        {
          hint: `ship the template as a build artifact, or drop deploy.xen.template; the release has: ${Object.keys(files).join(", ")}`,
        },
      );
    }
    return path;
  }
  const preferred = options.toolstack === "xm" ? ["xm.conf.in", "xl.conf.in"] : ["xl.conf.in", "xm.conf.in"];
  return preferred.map((name) => files[name]).find((path) => path !== undefined);
}

/** The kernel's absolute path: deploy.xen.kernel, else the one release file that is not a template. */
export function pickKernelFile(files: Record<string, string>, options: XenDeployOptions): string {
  if (options.kernel !== undefined) {
    const path = files[options.kernel];
    if (path !== undefined) return path;
  }
  const templates: readonly string[] = TEMPLATE_FILE_NAMES;
  const candidates = Object.entries(files).filter(
    ([name]) => !templates.includes(name) && name !== options.template && !name.endsWith(".ml"),
  );
  const only = candidates.length === 1 ? candidates[0] : undefined;
  if (options.kernel === undefined && only) return only[1];
  throw new SkiffError(
    "ERR_SKIFF_CONFIG_INVALID",
    options.kernel === undefined
      ? `cannot tell which release file is the xen kernel (${candidates.map(([n]) => n).join(", ") || "none"})`
      : `deploy.xen.kernel names "${options.kernel}", which is not a file of the release`,
    {
      hint: `set deploy.xen.kernel to one of: ${Object.keys(files)
        .map((p) => basename(p))
        .join(", ")}`,
    },
  );
}
