import { z } from "zod";
import { SkiffError } from "../../errors/index.js";
import type { InstanceSpec } from "../types.js";

/** deploy.qemu in skiff.yml. The binary is never taken from here: a release must not pick what the host runs. */
export const QemuOptionsSchema = z.strictObject({
  accel: z.enum(["auto", "kvm", "tcg"]).default("auto"),
  cpus: z.number().int().min(1).max(64).default(1),
  machine: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.,=_-]*$/)
    .optional(),
  /** Artifact file names of the kernel and initrd inside the release. */
  kernel: z.string().min(1).default("kernel"),
  initrd: z.string().min(1).optional(),
});

export type QemuOptions = z.output<typeof QemuOptionsSchema>;

export function parseQemuOptions(spec: InstanceSpec): QemuOptions {
  const parsed = QemuOptionsSchema.safeParse(spec.options.qemu ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `deploy.qemu.${issue.path.join(".")}` : "deploy.qemu";
    throw new SkiffError("ERR_SKIFF_CONFIG_INVALID", `${where}: ${issue?.message ?? "invalid"}`, {
      hint: "deploy.qemu takes accel (auto | kvm | tcg), cpus, machine, kernel and initrd (artifact file names)",
      data: { app: spec.app, release: spec.release },
    });
  }
  return parsed.data;
}

export interface BootFiles {
  kernel: string;
  initrd?: string;
}

/** The kernel (and initrd) among the release's files: named ones, or the only file as the kernel. */
export function selectBootFiles(spec: InstanceSpec, options: QemuOptions): BootFiles {
  const names = Object.keys(spec.files);
  const kernel = spec.files[options.kernel] ?? (names.length === 1 ? spec.files[names[0]!] : undefined);
  if (kernel === undefined) {
    throw new SkiffError(
      "ERR_SKIFF_DRIVER_START",
      `release ${spec.release} of ${spec.app} has no file "${options.kernel}" to boot`,
      {
        hint: `the release holds ${names.join(", ") || "no files"}; name the kernel with deploy.qemu.kernel`,
        data: { app: spec.app, release: spec.release },
      },
    );
  }
  const initrdName = options.initrd ?? "initrd";
  const initrd = spec.files[initrdName];
  if (initrd === undefined && options.initrd !== undefined) {
    throw new SkiffError(
      "ERR_SKIFF_DRIVER_START",
      `release ${spec.release} of ${spec.app} has no file "${initrdName}"`,
      {
        hint: `deploy.qemu.initrd names a file the release does not hold (it holds ${names.join(", ")})`,
        data: { app: spec.app, release: spec.release },
      },
    );
  }
  return initrd === undefined ? { kernel } : { kernel, initrd };
}
