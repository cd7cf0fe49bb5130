import { resolve } from "node:path";
import { SkiffError } from "../../errors/index.js";
import type { EventSink } from "../../events/index.js";
import { isSealed, openSealed, redactSecretsDeep, type PrivateKey } from "../../trust/index.js";

/**
 * The sealed values of one agent: opened with its host key just before boot, and remembered so
 * that every event, log line, state write and status answer of that agent can be scrubbed of them.
 */
export class BootSecrets {
  private readonly opened = new Map<string, string>();

  constructor(private readonly hostKey: PrivateKey | undefined) {}

  /** The opened values (for redaction). */
  values(): string[] {
    return [...new Set(this.opened.values())];
  }

  /** deploy.env with every sealed value opened; ERR_SKIFF_SECRET_DECRYPT (naming, never showing) otherwise. */
  openEnv(env: Readonly<Record<string, string>>): Record<string, string> {
    const result: Record<string, string> = {};
    for (const [name, value] of Object.entries(env)) {
      result[name] = isSealed(value) ? this.open(name, value) : value;
    }
    return result;
  }

  redact<T>(value: T): T {
    return redactSecretsDeep(value, this.values());
  }

  private open(name: string, sealed: string): string {
    const cacheKey = `${name}\0${sealed}`;
    const known = this.opened.get(cacheKey);
    if (known !== undefined) return known;
    if (this.hostKey === undefined) {
      throw new SkiffError(
        "ERR_SKIFF_SECRET_DECRYPT",
        `cannot open the sealed secret ${name}: this agent has no host key`,
        {
          hint: "start the agent with --host-key host.key (the key the value was sealed for: skiff secrets encrypt --to host.pub)",
          data: { name },
        },
      );
    }
    const value = openSealed(sealed, { name, hostPrivateKey: this.hostKey });
    this.opened.set(cacheKey, value);
    return value;
  }
}

// One agent per data dir (it is locked), so the data dir names whose secrets these are.
const byDataDir = new Map<string, BootSecrets>();

export function registerBootSecrets(data: string, secrets: BootSecrets): void {
  byDataDir.set(resolve(data), secrets);
}

export function unregisterBootSecrets(data: string, secrets: BootSecrets): void {
  if (byDataDir.get(resolve(data)) === secrets) byDataDir.delete(resolve(data));
}

/** The boot secrets of the agent on `data`, or undefined when none runs in this process. */
export function bootSecretsFor(data: string): BootSecrets | undefined {
  return byDataDir.get(resolve(data));
}

/** deploy.env for a new instance on `data`: sealed values opened, or refused when this process cannot. */
export function openBootEnv(data: string, env: Readonly<Record<string, string>>): Record<string, string> {
  if (!Object.values(env).some(isSealed)) return { ...env };
  return (bootSecretsFor(data) ?? new BootSecrets(undefined)).openEnv(env);
}

/** Scrubs `value` of the secrets opened by the agent on `data` (none: unchanged). */
export function redactForDataDir<T>(data: string, value: T): T {
  const secrets = bootSecretsFor(data);
  return secrets ? secrets.redact(value) : value;
}

/** A sink that only ever sees events with the opened secrets replaced by [hidden]. */
export function createRedactingSink(sink: EventSink, secrets: BootSecrets): EventSink {
  return {
    emit: (event) => sink.emit(secrets.redact(event)),
    ...(sink.close ? { close: () => sink.close!() } : {}),
  };
}
