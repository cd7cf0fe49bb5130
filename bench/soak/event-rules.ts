/**
 * Which event accounts for each fault (pure): a fault that left none is a finding. Events come from
 * the host's events.jsonl, the server's events.jsonl and pushes.jsonl, and the JSON logs.
 */
import type { FaultRecord, SeenEvent } from "./types.js";

/** How long after the fault (or, for a full disk, after it was freed) the event may come. */
export const EVENT_WITHIN_MS = 15_000;
/** A push whose build was killed is recorded when its pipeline ends. */
const BUILD_EVENT_WITHIN_MS = 30_000;

const RESTART_EVENTS = ["agent.started", "server.started"];
const INSTANCE_EVENTS = [
  "instance.exited",
  "instance.lost",
  "instance.restarted",
  "instance.restored",
  "instance.restart_failed",
  "instance.crash_loop",
  "health.failed",
  "deploy.failed",
  "deploy.rolled_back",
  "swap.recovered",
];
const FRONT_EVENTS = [
  "front.restored",
  "front.restarted",
  "front.started",
  "front.lost",
  "proxy.restored",
  "proxy.restarted",
  "proxy.started",
  "proxy.lost",
];
const HOST_FAULT_CODES = ["ERR_SKIFF_DISK_FULL", "ERR_SKIFF_HOST_RESOURCE", "ERR_SKIFF_PERMISSION"];

/** The rule of each kind, as printed with a failure. */
export const EVENT_RULES: Record<FaultRecord["kind"], string> = {
  "kill-server": `the server's host logs ${RESTART_EVENTS.join(" or ")} after the kill, within ${EVENT_WITHIN_MS / 1000}s`,
  "kill-agent": `the follower logs ${RESTART_EVENTS.join(" or ")} after the kill, within ${EVENT_WITHIN_MS / 1000}s`,
  "kill-instance": `the host logs, for that app, one of ${INSTANCE_EVENTS.join(", ")} (or instance.stopped of the killed instance, from when skiff status named it) within ${EVENT_WITHIN_MS / 1000}s`,
  "kill-front": `the host logs one of ${FRONT_EVENTS.join(", ")} (for an app the killed process served, or for none) within ${EVENT_WITHIN_MS / 1000}s`,
  "kill-build": `the server records that app's push as failed (pushes.jsonl ok: false, or a push.*/build.* event with an error) within ${BUILD_EVENT_WITHIN_MS / 1000}s`,
  "fill-disk": `while full or up to ${EVENT_WITHIN_MS / 1000}s after it was freed, the follower logs an error coded ${HOST_FAULT_CODES.join(" / ")}, and never ERR_SKIFF_ARTIFACT_CORRUPT; not exercised when nothing was stored meanwhile`,
};

export interface EventVerdict {
  fault: FaultRecord;
  ok: boolean;
  matched?: SeenEvent;
  /** Why it failed, or why it was not exercised. */
  note?: string;
}

const within = (e: SeenEvent, from: number, to: number): boolean => e.time >= from && e.time <= to;

function instanceIdOf(fault: FaultRecord): string | undefined {
  return /instance (\S+) /.exec(fault.target)?.[1];
}

function matchFault(fault: FaultRecord, events: readonly SeenEvent[]): SeenEvent | undefined {
  const to = fault.at + EVENT_WITHIN_MS;
  const onHost = events.filter((e) => e.host === fault.host);
  const forApp = (e: SeenEvent): boolean =>
    fault.apps === undefined || e.app === undefined || fault.apps.includes(e.app);
  switch (fault.kind) {
    case "kill-server":
    case "kill-agent":
      return onHost.find(
        (e) =>
          RESTART_EVENTS.includes(e.type) &&
          e.time > fault.at &&
          e.time <= (fault.recoveredAt ?? fault.at) + EVENT_WITHIN_MS,
      );
    case "kill-instance": {
      const id = instanceIdOf(fault);
      return onHost.find(
        (e) =>
          e.app !== undefined &&
          forApp(e) &&
          ((within(e, fault.at, to) && INSTANCE_EVENTS.includes(e.type)) ||
            // Stopped by skiff itself between the status read and the kill, or after it.
            (within(e, fault.observedAt ?? fault.at, to) &&
              e.type === "instance.stopped" &&
              id !== undefined &&
              e.data?.instance === id)),
      );
    }
    case "kill-front":
      return onHost.find((e) => within(e, fault.at, to) && FRONT_EVENTS.includes(e.type) && forApp(e));
    case "kill-build":
      return events.find(
        (e) =>
          within(e, fault.at, fault.at + BUILD_EVENT_WITHIN_MS) &&
          e.host === "server" &&
          forApp(e) &&
          e.app !== undefined &&
          ((e.type === "push.recorded" && e.data?.ok === false) ||
            (/^(push|build)\./.test(e.type) &&
              (e.errorCode !== undefined || /fail|cancel|kill/.test(e.type)))),
      );
    case "fill-disk":
      return onHost.find(
        (e) =>
          within(e, fault.at, (fault.endedAt ?? fault.at) + EVENT_WITHIN_MS) &&
          (HOST_FAULT_CODES.includes(e.errorCode ?? "") || e.data?.cause === "host"),
      );
  }
}

/** Whether a release was stored while the disk was full: the follower had something to fetch and deploy. */
function storedDuring(fault: FaultRecord, events: readonly SeenEvent[]): boolean {
  const end = fault.endedAt ?? fault.at;
  return events.some((e) => {
    const storedAt = e.data?.storedAt;
    return (
      e.type === "push.recorded" && typeof storedAt === "number" && storedAt >= fault.at && storedAt <= end
    );
  });
}

export function judgeFaultEvents(
  faults: readonly FaultRecord[],
  events: readonly SeenEvent[],
): EventVerdict[] {
  return faults
    .filter((f) => f.skipped === undefined)
    .map((fault) => {
      const matched = matchFault(fault, events);
      if (fault.kind === "fill-disk") {
        const blamed = events.find(
          (e) =>
            e.host === "follower" &&
            e.errorCode === "ERR_SKIFF_ARTIFACT_CORRUPT" &&
            within(e, fault.at, (fault.endedAt ?? fault.at) + EVENT_WITHIN_MS),
        );
        if (blamed !== undefined)
          return {
            fault,
            ok: false,
            matched: blamed,
            note: `blamed on the release: ${blamed.type} ERR_SKIFF_ARTIFACT_CORRUPT (${blamed.source})`,
          };
        if (matched === undefined && !storedDuring(fault, events))
          return { fault, ok: true, note: "not exercised: nothing was stored while the disk was full" };
      }
      return matched === undefined ? { fault, ok: false, note: "no event" } : { fault, ok: true, matched };
    });
}
