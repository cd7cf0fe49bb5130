import { z } from "zod";
import { Hostname } from "../../config/index.js";
import { parseAddress, type Address } from "../address.js";
import { AddressSchema, BackendRefSchema } from "../control-schema.js";

/** The bodies of the front door's control protocol (HTTP over <dir>/control.sock), shared with its client. */

export const AppNameSchema = z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, "an app name such as hello");

/** An address to listen on: "host:port" or {host, port}; port 0 lets the door pick a free one. */
export const ListenSchema = z.union([
  AddressSchema.extend({ port: z.number().int().min(0).max(65535) }),
  z.string().transform((text, ctx): Address => {
    try {
      return parseAddress(text);
    } catch {
      ctx.addIssue({ code: "custom", message: "an address as HOST:PORT" });
      return z.NEVER;
    }
  }),
]);

export const BackendSpecSchema = z.strictObject({
  /** The instance id; also the backend's name in HAProxy, hence the narrow alphabet. */
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, "an instance id such as hello-3-ab12"),
  address: BackendRefSchema,
  /** ready: takes new connections; draining: keeps its open ones, takes no new ones. */
  state: z.enum(["ready", "draining"]),
});

export const ScaleSpecSchema = z.strictObject({
  min: z.number().int().min(0).max(1000).default(1),
  /** A held connection waits this long for a ready backend, then gets a 503 (HTTP) or a reset. */
  wakeTimeoutMs: z.number().int().min(1).max(3_600_000).default(10_000),
  /** At most this many connections are held for the app; more are answered at once. */
  maxHeld: z.number().int().min(1).max(100_000).default(1000),
});

/** PUT /apps/:app — the whole desired state of one app (idempotent). */
export const AppSpecSchema = z
  .strictObject({
    publish: ListenSchema.nullable().default(null),
    hostname: z
      .string()
      .transform((name) => name.toLowerCase().replace(/\.$/, ""))
      .pipe(Hostname)
      .nullable()
      .default(null),
    backends: z.array(BackendSpecSchema).max(256).default([]),
    scale: ScaleSpecSchema.default({ min: 1, wakeTimeoutMs: 10_000, maxHeld: 1000 }),
    replay: z.boolean().default(false),
    /** What the publish port speaks (deploy.proxy.protocol); the shared listener is always http. */
    protocol: z.enum(["tcp", "http"]).default("tcp"),
  })
  .superRefine((spec, ctx) => {
    const ids = new Set<string>();
    for (const [index, backend] of spec.backends.entries()) {
      if (ids.has(backend.id))
        ctx.addIssue({ code: "custom", path: ["backends", index, "id"], message: "a duplicate backend id" });
      ids.add(backend.id);
    }
  });

export const SettingsSchema = z.strictObject({
  /** The shared HTTP listener routed by Host header; null closes it. */
  front: ListenSchema.nullable().optional(),
  /** The 404 page for an unknown host lists the known apps' hostnames. */
  frontIndex: z.boolean().optional(),
});

export const DrainRequestSchema = z.strictObject({
  backend: z.string().min(1),
  timeoutMs: z.number().int().min(0).max(3_600_000),
});

export const WakeFailedSchema = z.strictObject({ reason: z.string().max(500).optional() });

export type AppSpec = z.infer<typeof AppSpecSchema>;
export type AppSpecInput = z.input<typeof AppSpecSchema>;
export type BackendSpec = z.infer<typeof BackendSpecSchema>;
export type ScaleSpec = z.infer<typeof ScaleSpecSchema>;
export type SettingsInput = z.input<typeof SettingsSchema>;
