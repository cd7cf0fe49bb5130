import { z } from "@hono/zod-openapi";
import { StageRecordSchema } from "../../store/index.js";

/**
 * The API's request and response bodies: validation and the OpenAPI document come from these
 * (docs/api.md describes them for people).
 */

export const ErrorSchema = z
  .object({
    code: z.string().openapi({ example: "ERR_SKIFF_NO_SUCH_APP" }),
    message: z.string(),
    hint: z.string(),
    data: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi("Error");

const SerializedErrorSchema = z
  .object({
    code: z.string(),
    message: z.string(),
    hint: z.string().optional(),
    data: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi("SerializedError");

export const AppParamSchema = z.object({
  app: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,62}$/)
    .openapi({ param: { name: "app", in: "path" }, example: "hello" }),
});

const DeployResultSchema = z.object({
  release: z.number().int(),
  ok: z.boolean(),
  at: z.string(),
  deploy: z.string().optional(),
  error: SerializedErrorSchema.optional(),
});

export const AppSummarySchema = z
  .object({
    app: z.string(),
    current: z.number().int().optional().openapi({ description: "the release current names" }),
    release: z.number().int().optional().openapi({ description: "the release running on this server" }),
    status: z.string().openapi({
      description: "running, confirming, stopped, crash-loop, exited, unknown or none",
      example: "running",
    }),
    url: z.string().optional().openapi({ example: "http://127.0.0.1:8080" }),
    building: z.boolean(),
    waiting: z.boolean(),
    lastDeploy: DeployResultSchema.optional(),
    lastError: SerializedErrorSchema.optional(),
    retry: z
      .object({
        release: z.number().int(),
        code: z.string(),
        attempt: z.number().int(),
        delayMs: z.number().int(),
        at: z.string(),
      })
      .optional()
      .openapi({ description: "a release that failed for a host reason, tried again at `at`" }),
  })
  .openapi("AppSummary");

export const AppListSchema = z.object({ apps: z.array(AppSummarySchema) }).openapi("AppList");

export const InstanceSchema = z
  .object({
    id: z.string(),
    release: z.number().int(),
    driver: z.string(),
    status: z.string(),
    reason: z.string().openapi({ description: "why it started: deploy, wake, scale-up, restart" }),
    address: z.string(),
    pid: z.number().int().optional(),
    since: z.string(),
  })
  .openapi("Instance");

export const InstanceListSchema = z
  .object({ app: z.string(), instances: z.array(InstanceSchema) })
  .openapi("InstanceList");

export const AppInfoSchema = AppSummarySchema.extend({
  gitUrl: z.string().openapi({ example: "http://127.0.0.1:7070/hello.git" }),
  releases: z.number().int().openapi({ description: "how many releases the deployment repository holds" }),
  staging: z.number().int().optional(),
  instances: z.array(InstanceSchema),
  confirming: z.object({ release: z.number().int(), since: z.string() }).optional(),
  crashLoop: z.object({ release: z.number().int(), restarts: z.number().int(), at: z.string() }).optional(),
  lastRefusal: z.record(z.string(), z.unknown()).optional(),
}).openapi("AppInfo");

export const CreateAppSchema = z
  .object({ name: z.string().openapi({ example: "hello" }) })
  .openapi("CreateApp");

export const CreatedAppSchema = z.object({ app: z.string(), gitUrl: z.string() }).openapi("CreatedApp");

export const DestroyQuerySchema = z.object({
  purge: z
    .enum(["true", "false"])
    .optional()
    .openapi({ description: "also delete the app's releases from the deployment repository" }),
});

export const DestroyedAppSchema = z
  .object({
    app: z.string(),
    destroyed: z.literal(true),
    purged: z.boolean(),
    removedReleases: z.array(z.number().int()),
    stoppedInstance: z.string().optional(),
    commit: z.string().optional(),
  })
  .openapi("DestroyedApp");

export const ReleaseSchema = z
  .object({
    release: z.number().int(),
    created: z.string().optional(),
    commit: z.string().optional().openapi({ description: "the source commit" }),
    target: z.string().optional(),
    pushedBy: z.string().optional().openapi({ description: "the name of the token that pushed it" }),
    current: z.boolean(),
    staging: z.boolean(),
    collected: z
      .boolean()
      .optional()
      .openapi({ description: "skiff gc removed its images: it can no longer be deployed" }),
    error: SerializedErrorSchema.optional(),
    stage: StageRecordSchema.optional().openapi({ description: "the staging verdict and its figures" }),
  })
  .openapi("Release");

export const ReleaseListSchema = z
  .object({ app: z.string(), releases: z.array(ReleaseSchema) })
  .openapi("ReleaseList");

export const RollbackSchema = z
  .object({
    to: z
      .number()
      .int()
      .positive()
      .optional()
      .openapi({ description: "default: the release before current" }),
  })
  .openapi("Rollback");

export const PromoteSchema = z
  .object({
    release: z.number().int().positive().optional().openapi({ description: "default: what staging names" }),
    force: z.boolean().optional().openapi({ description: "promote without a passed staging verdict" }),
  })
  .openapi("Promote");

export const PointerChangeSchema = z
  .object({
    app: z.string(),
    pointer: z.enum(["current", "staging"]),
    from: z.number().int().optional(),
    to: z.number().int(),
    sequence: z.number().int(),
    commit: z.string(),
    changed: z.boolean(),
  })
  .openapi("PointerChange");

const EnvSchema = z
  .record(z.string(), z.string())
  .openapi({ description: "config vars; a sealed value shows as [sealed]" });

export const ConfigSchema = z
  .object({ app: z.string(), release: z.number().int(), env: EnvSchema })
  .openapi("Config");

export const ConfigChangeSchema = z
  .object({
    set: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string().max(64 * 1024))
      .optional()
      .openapi({ example: { GREETING: "hi" } }),
    unset: z
      .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/))
      .max(1000)
      .optional(),
  })
  .openapi("ConfigChange");

export const ConfigChangedSchema = z
  .object({
    app: z.string(),
    release: z.number().int().openapi({ description: "the new release (the same one when nothing changed)" }),
    from: z.number().int(),
    pointer: z.enum(["current", "staging"]),
    sequence: z.number().int(),
    env: EnvSchema,
    changed: z.boolean(),
    commit: z.string(),
  })
  .openapi("ConfigChanged");

export const AppActionSchema = z
  .object({
    app: z.string(),
    action: z.enum(["stop", "start", "restart"]),
    instance: z.string().optional().openapi({ description: "the instance that was stopped" }),
  })
  .openapi("AppAction");

export const LogsQuerySchema = z.object({
  lines: z.coerce.number().int().min(0).max(10_000).default(100).optional(),
  release: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .openapi({ description: "the log of that release's last instance, stopped or not" }),
});

export const LogsSchema = z
  .object({ app: z.string(), release: z.number().int().optional(), lines: z.array(z.string()) })
  .openapi("Logs");

export const EventSchema = z
  .object({
    time: z.string(),
    type: z.string().openapi({ example: "deploy.succeeded" }),
    app: z.string().optional(),
    release: z.number().int().optional(),
    deploy: z.string().optional(),
    host: z.string().optional(),
    message: z.string(),
    error: SerializedErrorSchema.optional(),
    data: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi("Event");

export const EventsQuerySchema = z.object({
  app: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(100).optional(),
});

export const EventStreamQuerySchema = z.object({ app: z.string().optional() });

export const EventListSchema = z.object({ events: z.array(EventSchema) }).openapi("EventList");

export const WhoAmISchema = z
  .object({ name: z.string(), id: z.string(), readOnly: z.boolean(), created: z.string() })
  .openapi("WhoAmI");

export const SeriesQuerySchema = z.object({
  window: z
    .enum(["5m", "15m", "1h"])
    .default("1h")
    .optional()
    .openapi({ description: "how far back: 5m, 15m or 1h (the default)" }),
});

const Column = z.array(z.number().nullable());

export const SeriesSchema = z
  .object({
    app: z.string(),
    windowMs: z.number().int(),
    intervalMs: z.number().int().openapi({ description: "the server samples every app this often" }),
    time: z.array(z.number()).openapi({ description: "sample times, epoch ms, oldest first" }),
    requestsPerSecond: Column,
    errorRate: Column.openapi({ description: "errors / requests in each interval, 0..1" }),
    p50Ms: Column.openapi({ description: "median time to the first response byte" }),
    p95Ms: Column,
    instances: Column.openapi({ description: "instances serving" }),
    openConnections: Column,
  })
  .openapi("Series", { description: "columns of equal length; null where the front door gave no figure" });

export type AppInfo = z.infer<typeof AppInfoSchema>;
export type ReleaseView = z.infer<typeof ReleaseSchema>;
export type EventView = z.infer<typeof EventSchema>;
export type InstanceInfo = z.infer<typeof InstanceSchema>;
export type PointerChangeView = z.infer<typeof PointerChangeSchema>;
