import type { EventSink, SkiffEvent } from "./types.js";

export type EventListener = (event: SkiffEvent) => void;

/** A sink that hands each event to whoever listens now (the API's live streams); nothing is kept. */
export class EventFeed implements EventSink {
  private readonly listeners = new Set<EventListener>();

  emit(event: SkiffEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // One broken stream must not keep the event from the others, or from the deploy's sinks.
      }
    }
  }

  /** Returns the function that stops listening. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size(): number {
    return this.listeners.size;
  }
}
