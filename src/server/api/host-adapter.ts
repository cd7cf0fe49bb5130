import {
  followLogs,
  readLogs,
  readStatus,
  startApp,
  type AgentHandle,
  type AppStatus,
  type FollowLogsOptions,
  type StoppedInstance,
} from "../../agent/index.js";
import { isSkiffError, SkiffError } from "../../errors/index.js";

/** A change of the deployment repository the hosts must act on now, not at their next poll. */
export interface PointerMove {
  app: string;
  /** The release the change is about (the new one, or the one current now names). */
  release?: number;
  /** What current names after the change, when it moved. */
  current?: number;
}

/** Everything the API asks of the server's own agent, in one place (its handle's per-app operations). */
export interface HostAdapter {
  status(): Promise<AppStatus[]>;
  /** Stops the app's instances on this host now; undefined when this host never ran the app. */
  stop(app: string): Promise<{ instances: StoppedInstance[] } | undefined>;
  start(app: string): Promise<void>;
  restart(app: string): Promise<void>;
  logs(app: string, lines: number, release?: number): Promise<string[]>;
  follow(options: Omit<FollowLogsOptions, "data">): Promise<void>;
  /** The server's agent is asked for a pass at once; followers get the signed trigger. */
  announce(move: PointerMove): void;
}

export interface HostAdapterOptions {
  agent: AgentHandle;
  agentData: string;
  /** The staging agent beside it: a change of staging (config of an app that stages) is judged now too. */
  stageAgent?: { trigger(reason: string): void };
  /** Sends the signed trigger to every follower (fire and forget). */
  tellFollowers: (move: PointerMove) => void;
}

export function createHostAdapter(options: HostAdapterOptions): HostAdapter {
  const { agent, agentData } = options;
  const trigger = (reason: string, move?: PointerMove): void =>
    agent.trigger(reason, move?.current === undefined ? undefined : { app: move.app, release: move.current });
  return {
    status: () => readStatus(agentData),
    stop: async (app) => {
      try {
        return { instances: await agent.stopApp(app) };
      } catch (error) {
        if (isSkiffError(error) && error.code === "ERR_SKIFF_NO_SUCH_APP") return undefined;
        throw error;
      }
    },
    start: async (app) => {
      await neverRan(app, () => startApp(agentData, app));
      trigger(`api: start ${app}`);
    },
    // New instances of the same release replace the old ones through the app's swap strategy (no
    // downtime with blue-green); answered once it started, its outcome is in the events.
    restart: async (app) => {
      const status = (await readStatus(agentData)).find((s) => s.app === app);
      if (status === undefined) throw neverRanError(app);
      // Answered before the restart runs: one with nothing to restart says so now, not in the events.
      if (!status.instances.some((i) => i.status === "running")) throw nothingToRestart(status);
      void agent.restartApp(app).catch(() => undefined);
    },
    logs: (app, lines, release) => readLogs(agentData, app, lines, release === undefined ? {} : { release }),
    follow: (follow) => followLogs({ ...follow, data: agentData }),
    announce: (move) => {
      trigger(`api: ${move.app}`, move);
      if (move.current === undefined) options.stageAgent?.trigger(`api: ${move.app}`);
      options.tellFollowers(move);
    },
  };
}

/** The agent's "no such app in this data dir", said for someone who is not on the server. */
async function neverRan<T>(app: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!isSkiffError(error) || error.code !== "ERR_SKIFF_NO_SUCH_APP") throw error;
    throw neverRanError(app);
  }
}

function nothingToRestart(status: AppStatus): SkiffError {
  const { app } = status;
  const hint =
    status.status === "asleep"
      ? `it is scaled to zero (deploy.scale.min 0): the next connection to it boots release ${status.asleep?.release ?? "current"}`
      : status.status === "stopped"
        ? `skiff start ${app} boots what current names`
        : `see skiff apps:info ${app}; skiff start ${app} boots what current names`;
  return new SkiffError(
    "ERR_SKIFF_NOT_RUNNING",
    `${app} has no running instance on the server to restart (${status.status})`,
    {
      hint,
    },
  );
}

function neverRanError(app: string): SkiffError {
  return new SkiffError("ERR_SKIFF_NOT_RUNNING", `${app} has never run on this server`, {
    hint: `push it first: git push skiff main (skiff apps:info ${app} shows its git URL)`,
  });
}
