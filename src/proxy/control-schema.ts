import { z } from "zod";
import { parseAddress, type Address } from "./address.js";

/** The bodies of the control protocol (HTTP over dir/control.sock), shared by the proxy and its client. */

export const AddressSchema = z.strictObject({
  host: z.string().min(1).max(255),
  port: z.number().int().min(1).max(65535),
});

/** A backend named either as {host, port} or as the "host:port" key that /status shows. */
export const BackendRefSchema = z.union([
  AddressSchema,
  z
    .string()
    .min(3)
    .transform((text, ctx): Address => {
      try {
        return parseAddress(text);
      } catch {
        ctx.addIssue({ code: "custom", message: "an address as HOST:PORT" });
        return z.NEVER;
      }
    }),
]);

export const DrainRequestSchema = z.strictObject({
  backend: BackendRefSchema,
  timeoutMs: z.number().int().min(0).max(3_600_000),
});

export const DrainResponseSchema = z.object({ drained: z.boolean(), closed: z.number().int() });

export const ProxyStatusSchema = z.object({
  app: z.string(),
  pid: z.number().int(),
  listen: z.string(),
  backend: z.string().nullable(),
  connections: z.record(z.string(), z.number().int()),
  held: z.number().int(),
  /** Absent from proxies started before deploy.proxy.replay existed. */
  replay: z.boolean().optional(),
});

export const ReplayRequestSchema = z.strictObject({ replay: z.boolean() });

export type ProxyStatus = z.infer<typeof ProxyStatusSchema>;
export type DrainRequest = z.infer<typeof DrainRequestSchema>;
