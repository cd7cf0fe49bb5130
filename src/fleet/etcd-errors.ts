import { isRecoverableError } from "etcd3";
import { SkiffError } from "../errors/index.js";

/** etcd could not be reached or did not answer (down, restarting, no leader, network): worth waiting for. */
export function isUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  // The library's circuit breaker refuses calls for a while after failures: the same condition.
  return (
    isRecoverableError(error) || error.name === "BrokenCircuitError" || error.name === "TaskCancelledError"
  );
}

/** An etcd failure as the user sees it: unreachable, or refused for another reason (auth, permissions). */
export function toFleetError(error: unknown, endpoints: readonly string[]): SkiffError {
  const detail = error instanceof Error ? error.message : String(error);
  const where = endpoints.join(",");
  if (isUnreachable(error)) {
    return new SkiffError("ERR_SKIFF_FLEET_UNREACHABLE", `etcd at ${where} is unreachable: ${detail}`, {
      hint: 'check that etcd runs and listens there (curl URL/health answers {"health":"true"}); docs/fleet.md',
      cause: error,
    });
  }
  return new SkiffError("ERR_SKIFF_FLEET", `etcd at ${where} refused the request: ${detail}`, {
    hint: "check etcd's auth and the role's permissions on the fleet prefix (docs/fleet.md)",
    cause: error,
  });
}
