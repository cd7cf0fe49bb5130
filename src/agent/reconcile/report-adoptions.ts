import type { EventBus } from "../../events/index.js";
import { readActual } from "./read-actual.js";

/** Instances recorded as running and still alive are adopted as they are; dead ones restart in the first pass. */
export async function reportAdoptions(data: string, events: EventBus): Promise<void> {
  for (const app of await readActual(data)) {
    for (const { instance, status } of app.instances) {
      const running = status === "running";
      events.emit({
        type: running ? "instance.adopted" : "instance.lost",
        app: app.app,
        release: instance.release,
        message: running ? `adopted ${instance.id}` : `${instance.id} is no longer running`,
        data: { instance: instance.id, handle: instance.handle },
      });
    }
  }
}
