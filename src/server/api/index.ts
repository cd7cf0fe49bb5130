export { createApi, API_BASE } from "./create-api.js";
export type { ApiContext } from "./api-context.js";
export {
  createHostAdapter,
  type HostAdapter,
  type HostAdapterOptions,
  type PointerMove,
} from "./host-adapter.js";
export { summarizeApps, type AppSummary, type AppViewsOptions } from "./app-views.js";
export {
  readAuthorization,
  requireAccess,
  type ApiAuthOptions,
  type TokenReader,
  type PresentedToken,
} from "./auth.js";
export { answerError, errorBody } from "./api-error.js";
export type { InstanceView } from "./instances-routes.js";
