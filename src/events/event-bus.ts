import type { EventInput, EventSink, SkiffEvent } from "./types.js";

/** Fans one event out to every sink; a sink that throws is ignored so it never fails a deploy. */
export class EventBus {
  private readonly sinks: EventSink[] = [];

  constructor(private readonly defaults: Partial<SkiffEvent> = {}) {}

  add(sink: EventSink): this {
    this.sinks.push(sink);
    return this;
  }

  emit(input: EventInput): SkiffEvent {
    const event: SkiffEvent = { ...this.defaults, ...input, time: input.time ?? new Date().toISOString() };
    for (const sink of this.sinks) {
      try {
        sink.emit(event);
      } catch {
        // A broken sink must not break the deploy that reports to it.
      }
    }
    return event;
  }

  /** A bus whose events carry these fields too (app, release, deploy id). */
  child(defaults: Partial<SkiffEvent>): EventBus {
    const bus = new EventBus({ ...this.defaults, ...defaults });
    for (const sink of this.sinks) bus.add(sink);
    return bus;
  }

  async close(): Promise<void> {
    await Promise.all(this.sinks.map(async (sink) => sink.close?.()));
  }
}
