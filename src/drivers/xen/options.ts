import { z } from "zod";
import { SkiffError } from "../../errors/index.js";

/** deploy.xen in skiff.yml (the driver checks it; the config schema keeps it open). */
export const XenDeployOptionsSchema = z.strictObject({
  toolstack: z.enum(["xl", "xm"]).default("xl"),
  /** A release file holding the xl config template; default: xl.conf.in / xm.conf.in from the release, else the built-in one. */
  template: z.string().min(1).optional(),
  /** The release file that is the kernel; default: the one file that is not a template. */
  kernel: z.string().min(1).optional(),
  /** Where the guest serves on the Xen bridge, "HOST" or "HOST:PORT" (port defaults to deploy.port). */
  address: z.string().regex(/^[A-Za-z0-9.:[\]-]+$/, "an address such as 10.0.0.2 or 10.0.0.2:80"),
  /** xl disk specifications for the @DISK@ line. */
  disk: z.array(z.string()).default([]),
});

export type XenDeployOptions = z.output<typeof XenDeployOptionsSchema>;

export function parseXenOptions(options: Record<string, unknown>): XenDeployOptions {
  const result = XenDeployOptionsSchema.safeParse(options);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const key = ["deploy", "xen", ...(issue?.path ?? [])].join(".");
  throw new SkiffError("ERR_SKIFF_CONFIG_INVALID", `${key}: ${issue?.message ?? "invalid"}`, {
    hint: "xen guests own a fixed address on the bridge: set deploy.xen.address (e.g. 10.0.0.2:80) in skiff.yml",
    data: { key },
  });
}

/** "10.0.0.2:80" → {host, port}; "10.0.0.2" → port = guestPort. */
export function parseGuestAddress(address: string, guestPort: number): { host: string; port: number } {
  const match = /^(\[[0-9a-fA-F:]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(address);
  if (!match?.[1]) {
    throw new SkiffError(
      "ERR_SKIFF_CONFIG_INVALID",
      `deploy.xen.address: "${address}" is not HOST or HOST:PORT`,
      {
        hint: "write the guest's address on the bridge, e.g. 10.0.0.2:80",
      },
    );
  }
  return { host: match[1], port: match[2] === undefined ? guestPort : Number(match[2]) };
}
