import { fork, type ChildProcess } from "node:child_process";
import { SkiffError, type ErrorCode, type SerializedError } from "../errors/index.js";
import { ownProgram } from "../process/index.js";
import type { LoadConfigOptions } from "./load.js";
import type { SkiffConfig } from "./schema.js";

export interface LoadInWorkerOptions extends LoadConfigOptions {
  /** The worker is ended after this long (default 10 s): the file is refused as too complex. */
  timeoutMs?: number;
}

type WorkerAnswer = { id: number } & (
  | { ok: true; config: SkiffConfig }
  | { ok: false; known: true; error: SerializedError }
  | { ok: false; known: false; message: string; stack?: string }
);

interface Pending {
  resolve: (config: SkiffConfig) => void;
  reject: (error: Error) => void;
}

const WORKER = ownProgram("config/config-worker");
/** What the worker may use: far more than any skiff.yml under the size limit needs. */
const WORKER_FLAGS = ["--max-old-space-size=128", "--stack-size=2000"];

/**
 * One worker process, started at the first load and kept between loads (a load costs a message,
 * not a node start), in its own session: a thread would share the server's CPU share on a busy
 * host, and its event loop would wait for the parse. It never keeps the server alive, and ends
 * with it; one that failed or took too long is killed and replaced.
 */
class ConfigWorker {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private readonly killOnExit = (): void => void this.child.kill("SIGKILL");
  private next = 0;
  failed = false;

  constructor() {
    this.child = fork(WORKER, [], {
      execArgv: WORKER_FLAGS,
      detached: true,
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    });
    this.child.on("message", (answer: WorkerAnswer) => this.settle(answer));
    this.child.on("error", (error) => this.fail(error));
    this.child.on("exit", (code, signal) => {
      process.off("exit", this.killOnExit);
      this.fail(
        new SkiffError(
          "ERR_SKIFF_CONFIG_TOO_COMPLEX",
          `reading skiff.yml ended its worker (${signal ?? `exit ${code}`})`,
          {
            hint: "skiff.yml holds a page of settings; simplify it",
          },
        ),
      );
    });
    // Before any other exit listener (the test suite's leak guard looks for leftover processes).
    process.prependListener("exit", this.killOnExit);
    this.child.unref();
    this.child.channel?.unref();
  }

  load(dir: string, options: LoadInWorkerOptions): Promise<SkiffConfig> {
    const id = this.next++;
    const timeoutMs = options.timeoutMs ?? 10_000;
    return new Promise<SkiffConfig>((resolve, reject) => {
      // Ref'd: while a load waits, the process stays up for its answer.
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(tooComplex(`took longer than ${timeoutMs} ms to read`, options));
        this.failed = true;
        this.child.kill("SIGKILL");
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (config) => {
          clearTimeout(timer);
          resolve(config);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.child.send({ id, dir, displayName: options.displayName });
    });
  }

  private settle(answer: WorkerAnswer): void {
    const job = this.pending.get(answer.id);
    this.pending.delete(answer.id);
    if (!job) return;
    if (answer.ok) job.resolve(answer.config);
    else if (answer.known) job.reject(revive(answer.error));
    else job.reject(Object.assign(new Error(answer.message), { stack: answer.stack }));
  }

  private fail(error: Error): void {
    this.failed = true;
    for (const job of this.pending.values()) job.reject(error);
    this.pending.clear();
  }
}

let shared: ConfigWorker | undefined;

/**
 * loadConfig in a worker process: whatever the file holds, the caller's event loop (the server's)
 * never waits on its parsing; a file that takes too long or too much memory is refused.
 */
export function loadConfigInWorker(dir: string, options: LoadInWorkerOptions = {}): Promise<SkiffConfig> {
  if (!shared || shared.failed) shared = new ConfigWorker();
  return shared.load(dir, options);
}

function revive(error: SerializedError): SkiffError {
  return new SkiffError(error.code as ErrorCode, error.message, {
    ...(error.hint === undefined ? {} : { hint: error.hint }),
    ...(error.data === undefined ? {} : { data: error.data }),
  });
}

function tooComplex(what: string, options: LoadConfigOptions): SkiffError {
  const file = options.displayName ?? "skiff.yml";
  return new SkiffError("ERR_SKIFF_CONFIG_TOO_COMPLEX", `${file} ${what}`, {
    hint: "skiff.yml holds a page of settings; simplify it",
    data: { file },
  });
}
