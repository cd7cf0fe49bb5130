import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export interface DeliveryLogOptions {
  /** Where the ids survive a restart; in memory only when omitted. */
  file?: string;
  /** How many ids are remembered (the oldest are forgotten first). */
  limit?: number;
}

/** The webhook deliveries already acted on, so a replayed delivery changes nothing. */
export class DeliveryLog {
  private readonly ids = new Map<string, true>();
  private readonly limit: number;
  private saving = false;
  private dirty = false;

  constructor(private readonly options: DeliveryLogOptions = {}) {
    this.limit = options.limit ?? 10_000;
    for (const id of readIds(options.file).slice(-this.limit)) this.ids.set(id, true);
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Remembers `id`; false when it was already known (a replay). */
  remember(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.set(id, true);
    for (const oldest of this.ids.keys()) {
      if (this.ids.size <= this.limit) break;
      this.ids.delete(oldest);
    }
    this.scheduleSave();
    return true;
  }

  /** Writes the ids now (atomically); later saves coalesce into one write. */
  save(): void {
    if (this.options.file === undefined) return;
    this.dirty = false;
    mkdirSync(dirname(this.options.file), { recursive: true });
    const tmp = `${this.options.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify([...this.ids.keys()]) + "\n");
    renameSync(tmp, this.options.file);
  }

  private scheduleSave(): void {
    this.dirty = true;
    if (this.saving || this.options.file === undefined) return;
    this.saving = true;
    // One write per burst of deliveries, not one per delivery.
    const timer = setTimeout(() => {
      this.saving = false;
      try {
        if (this.dirty) this.save();
      } catch {
        // Losing the replay memory on a full disk must not break the trigger; it is kept in memory.
      }
    }, 200);
    timer.unref();
  }
}

function readIds(file: string | undefined): string[] {
  if (file === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
    return Array.isArray(parsed) ? parsed.filter((id): id is string => typeof id === "string") : [];
  } catch {
    return [];
  }
}
