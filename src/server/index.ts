export { startServer, type StartServerOptions, type ServerHandle } from "./start-server.js";
export {
  createToken,
  readTokens,
  verifyToken,
  tokensFile,
  type TokenRecord,
  type CreatedToken,
  type CreateTokenOptions,
} from "./tokens.js";
export { createApp, listApps, appRepoPath, assertAppName, type CreateAppOptions } from "./apps.js";
export { startWebhookListener, type WebhookListenerOptions } from "./webhook-listener.js";
export {
  createWebhookRoutes,
  SignedTriggerSchema,
  WEBHOOK_PATH,
  WEBHOOK_MAX_BYTES,
  TRIGGER_FRESHNESS_MS,
  type WebhookOptions,
  type WebhookResult,
} from "./webhook.js";
export { DeliveryLog, type DeliveryLogOptions } from "./delivery-log.js";
export { signBody, isSignatureValid } from "./signature.js";
export { notifyFollowers, followerHookUrl, type NotifyFollowersOptions } from "./follower-trigger.js";
export { readOrCreateSecret, readSecretFile } from "./secret-file.js";
export { listenHttp, parseListen, type HttpListener, type ListenAddress } from "./listen.js";
export { PushQueue, type QueueOutcome } from "./push-queue.js";
export type { AppSummary, InstanceView } from "./api/index.js";
export { listServerBuilds, serverBuildsDir } from "./server-builds.js";
