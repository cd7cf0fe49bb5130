import { createServer, type Server, type Socket } from "node:net";
import { rmSync } from "node:fs";
import type { AppRoute } from "../app-route.js";
import type { EngineView } from "../engine.js";
import { handleSharedConnection } from "../shared-listener.js";
import type { HaproxyPaths } from "./haproxy-model.js";

/**
 * The door's unix sockets behind HAProxy: per app and mode, the hold server HAProxy falls back to
 * when the app has no ready backend (the door holds the connection and wakes the app), and one
 * socket answering hosts no app has.
 */
export interface HoldSockets {
  ensure(app: string, route: () => AppRoute | undefined): Promise<void>;
  remove(app: string): void;
  close(): void;
}

function listenUnix(path: string, onConnection: (socket: Socket) => void): Promise<Server> {
  rmSync(path, { force: true });
  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, onConnection);
  server.on("error", () => undefined);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => {
      server.removeListener("error", reject);
      resolve(server);
    });
  });
}

export function createHoldSockets(paths: HaproxyPaths, view: () => EngineView | undefined): HoldSockets {
  const servers = new Map<string, Server[]>();
  let unknown: Promise<Server> | undefined;
  const closeAll = (list: Server[] | undefined, app: string): void => {
    for (const server of list ?? []) server.close();
    rmSync(paths.hold(app, "tcp"), { force: true });
    rmSync(paths.hold(app, "http"), { force: true });
  };
  return {
    async ensure(app, route) {
      unknown ??= listenUnix(paths.unknown, (socket) => {
        const current = view();
        if (current === undefined) socket.destroy();
        else handleSharedConnection(socket, () => current);
      });
      await unknown;
      if (servers.has(app)) return;
      // From the shared listener it is HTTP; from a publish port, whatever the client's first bytes say.
      const accept = (http: true | undefined) => (socket: Socket) => {
        const target = route();
        if (target === undefined) socket.destroy();
        else target.accept(socket, http === undefined ? {} : { http });
      };
      servers.set(app, []);
      const list = await Promise.all([
        listenUnix(paths.hold(app, "tcp"), accept(undefined)),
        listenUnix(paths.hold(app, "http"), accept(true)),
      ]);
      servers.set(app, list);
    },
    remove(app) {
      closeAll(servers.get(app), app);
      servers.delete(app);
    },
    close() {
      for (const [app, list] of servers) closeAll(list, app);
      servers.clear();
      void unknown?.then((server) => server.close());
    },
  };
}
