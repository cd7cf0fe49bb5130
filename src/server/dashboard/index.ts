export { createDashboard, type DashboardOptions } from "./create-dashboard.js";
export {
  createSessionStore,
  type SessionStore,
  type Session,
  SESSION_COOKIE,
  CSRF_HEADER,
} from "./sessions.js";
