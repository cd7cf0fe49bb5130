import type { Logger } from "../../log/index.js";
import type { EventSink, SkiffEvent } from "../../events/index.js";

/** Writes every event to the JSON logs, through a child logger carrying app, release and deploy. */
export function createLoggerSink(logger: Logger): EventSink {
  return {
    emit(event: SkiffEvent): void {
      const bindings = {
        ...(event.app === undefined ? {} : { app: event.app }),
        ...(event.release === undefined ? {} : { release: event.release }),
        ...(event.deploy === undefined ? {} : { deploy: event.deploy }),
      };
      const child = Object.keys(bindings).length > 0 ? logger.child(bindings) : logger;
      const fields = {
        event: event.type,
        ...(event.data ? { data: event.data } : {}),
        ...(event.error ? { error: event.error } : {}),
      };
      if (event.error !== undefined) child.warn(fields, event.message);
      else child.info(fields, event.message);
    },
  };
}
