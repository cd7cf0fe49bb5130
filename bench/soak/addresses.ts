import type { Host } from "./start-hosts.js";
import { skiffJson } from "./skiff-cli.js";

interface StatusRow {
  app: string;
  url?: string;
  pid?: number;
  instance?: string;
  release?: number;
  status?: string;
}

/** `skiff status --data D --json` of a host: what runs there, by its own account. */
export function readStatus(host: Host, env: NodeJS.ProcessEnv): Promise<StatusRow[] | undefined> {
  return skiffJson<StatusRow[]>(["status", "--data", host.data], { env });
}

export interface AddressChange {
  host: string;
  app: string;
  at: number;
  from: string;
  to: string;
}

/** Each app's public URL on each host, from skiff status; refreshed now and then, and after failures. */
export interface AddressBook {
  url(host: string, app: string): string | undefined;
  /** Asks for a refresh of the host's URLs (at most one every 2 s). */
  refreshSoon(host: string): void;
  refresh(host: Host): Promise<void>;
  readonly changes: AddressChange[];
}

const THROTTLE_MS = 2000;

export function createAddressBook(hosts: Host[], env: NodeJS.ProcessEnv): AddressBook {
  const urls = new Map<string, string>();
  const lastRefresh = new Map<string, number>();
  const changes: AddressChange[] = [];
  const refresh = async (host: Host): Promise<void> => {
    lastRefresh.set(host.name, Date.now());
    for (const row of (await readStatus(host, env)) ?? []) {
      if (row.url === undefined) continue;
      const key = `${host.name}/${row.app}`;
      const before = urls.get(key);
      if (before !== undefined && before !== row.url) {
        changes.push({ host: host.name, app: row.app, at: Date.now(), from: before, to: row.url });
      }
      urls.set(key, row.url);
    }
  };
  return {
    url: (host, app) => urls.get(`${host}/${app}`),
    refreshSoon(name) {
      const host = hosts.find((h) => h.name === name);
      if (host === undefined || Date.now() - (lastRefresh.get(name) ?? 0) < THROTTLE_MS) return;
      void refresh(host);
    },
    refresh,
    changes,
  };
}
