import assert from "node:assert/strict";
import { test } from "node:test";
import { judgeFaultEvents } from "../../bench/soak/event-rules.js";
import type { FaultRecord, SeenEvent } from "../../bench/soak/types.js";

const kill = (observedAt?: number): FaultRecord => ({
  id: 1,
  kind: "kill-instance",
  at: 1000,
  ...(observedAt === undefined ? {} : { observedAt }),
  host: "follower",
  apps: ["alpha"],
  pid: 42,
  target: "instance alpha-7-abcd (release 7, pid 42)",
});

const event = (type: string, time: number, instance: string): SeenEvent => ({
  source: "events.jsonl",
  host: "follower",
  time,
  type,
  app: "alpha",
  data: { instance },
});

test("a killed instance skiff itself stopped after skiff status named it accounts for the kill; an exit said before the status read does not", () => {
  const stoppedBeforeKill = [event("instance.stopped", 800, "alpha-7-abcd")];
  assert.equal(judgeFaultEvents([kill(700)], stoppedBeforeKill)[0]!.ok, true);
  assert.equal(judgeFaultEvents([kill()], stoppedBeforeKill)[0]!.ok, false, "without the status read's time");
  assert.equal(judgeFaultEvents([kill(900)], stoppedBeforeKill)[0]!.ok, false, "stopped before it was named");
  assert.equal(
    judgeFaultEvents([kill(700)], [event("instance.stopped", 800, "alpha-7-zzzz")])[0]!.ok,
    false,
    "another instance's stop",
  );
  assert.equal(
    judgeFaultEvents([kill(700)], [event("instance.exited", 800, "alpha-7-abcd")])[0]!.ok,
    false,
    "other events count from the kill on",
  );
  assert.equal(judgeFaultEvents([kill(700)], [event("instance.exited", 1200, "alpha-7-abcd")])[0]!.ok, true);
});
