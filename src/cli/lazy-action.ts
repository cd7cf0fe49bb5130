/** The functions of an actions module, by name. */
type ActionsOf<M> = { [K in keyof M]: M[K] extends (...args: never[]) => unknown ? K : never }[keyof M];

/**
 * A command's action that imports its module only when the command runs, so `skiff --help` and
 * every other command load commander and their own option definitions, not every part of skiff.
 * A module that fails to load rejects the command like any other unknown error (a bug, with its stack).
 */
export function lazyAction<M, K extends ActionsOf<M>>(
  load: () => Promise<M>,
  name: K,
): (...args: unknown[]) => Promise<void> {
  return async (...args) => {
    const action = (await load())[name] as (...args: unknown[]) => unknown;
    await action(...args);
  };
}
