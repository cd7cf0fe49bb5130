/**
 * What must be undone however the run ends (processes started, a tmpfs mounted): run in reverse
 * order by the run itself, or by a SIGINT/SIGTERM of the harness.
 */
export interface Cleanup {
  add(what: string, undo: () => Promise<void> | void): void;
  runAll(): Promise<string[]>;
}

export function createCleanup(): Cleanup {
  const steps: { what: string; undo: () => Promise<void> | void }[] = [];
  let ran = false;
  return {
    add: (what, undo) => void steps.push({ what, undo }),
    async runAll() {
      if (ran) return [];
      ran = true;
      const problems: string[] = [];
      for (const step of steps.reverse()) {
        try {
          await step.undo();
        } catch (error) {
          problems.push(`${step.what}: ${(error as Error).message}`);
        }
      }
      return problems;
    },
  };
}
