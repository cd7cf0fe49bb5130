import { createServer, type Server, type Socket } from "node:net";
import { sameAddress, type Address } from "../address.js";
import { listenOn } from "../listen.js";
import type { EngineBound, EngineView, FrontEngine } from "./engine.js";
import { handleSharedConnection } from "./shared-listener.js";

interface Bound {
  server: Server;
  address: Address;
}

/** A TCP listener whose connections go to `onConnection`; accept errors (EMFILE) never crash the door. */
export async function listenTcp(address: Address, onConnection: (socket: Socket) => void): Promise<Bound> {
  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, onConnection);
  const bound = await listenOn(server, address);
  server.on("error", () => undefined);
  return { server, address: bound };
}

/** Keeps `current` when it already serves `wanted` (port 0: any port of that host), else binds anew. */
function serves(current: Bound | undefined, wanted: Address): boolean {
  if (current === undefined) return false;
  return wanted.port === 0 ? current.address.host === wanted.host : sameAddress(current.address, wanted);
}

/** The door's own data path: listeners in this process, forwarding by the app routes. */
export function createNodeEngine(): FrontEngine {
  const publish = new Map<string, Bound>();
  let shared: Bound | undefined;
  let view: EngineView | undefined;
  const current = (): EngineView => view!;

  const applyApp = async (app: string): Promise<void> => {
    const wanted = view?.apps.get(app)?.publish ?? null;
    const old = publish.get(app);
    if (wanted === null) {
      publish.delete(app);
      old?.server.close();
      return;
    }
    if (serves(old, wanted)) return;
    // Bind the new address before letting the old one go: a failure leaves the app where it was.
    const bound = await listenTcp(wanted, (socket) => {
      const route = view?.apps.get(app)?.route;
      if (route === undefined) socket.destroy();
      else route.accept(socket);
    });
    publish.set(app, bound);
    old?.server.close();
  };

  const applyFront = async (): Promise<void> => {
    const wanted = view?.front ?? null;
    if (wanted === null) {
      shared?.server.close();
      shared = undefined;
      return;
    }
    if (serves(shared, wanted)) return;
    const bound = await listenTcp(wanted, (socket) => handleSharedConnection(socket, current));
    shared?.server.close();
    shared = bound;
  };

  const bound = (): EngineBound => ({
    publish: new Map([...publish].map(([app, b]) => [app, b.address])),
    front: shared?.address ?? null,
  });

  return {
    name: "node",
    async apply(next, change) {
      view = next;
      if (change.kind === "app") await applyApp(change.app);
      if (change.kind === "settings") await applyFront();
      if (change.kind === "all") {
        await applyFront();
        for (const app of next.apps.keys()) await applyApp(app);
      }
      return bound();
    },
    stats: () => Promise.resolve(new Map()),
    close() {
      for (const b of publish.values()) b.server.close();
      shared?.server.close();
      publish.clear();
      shared = undefined;
      return Promise.resolve();
    },
  };
}
