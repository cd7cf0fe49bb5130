/** Instances whose exit this agent process already reported (instance.exited), so a restart does not say it twice. */
const noted = new Set<string>();

export function noteInstanceExit(id: string): void {
  noted.add(id);
}

/** True once per noted instance: the note is used up. */
export function instanceExitNoted(id: string): boolean {
  return noted.delete(id);
}
