/**
 * `env` with git settings added through GIT_CONFIG_COUNT/KEY/VALUE, after any already there (the
 * credentials of splitCredentials): settings for one process that stay out of its argv.
 */
export function addConfigEnv(
  env: NodeJS.ProcessEnv,
  settings: readonly (readonly [string, string])[],
): NodeJS.ProcessEnv {
  let index = Number(env.GIT_CONFIG_COUNT ?? process.env.GIT_CONFIG_COUNT ?? "0") || 0;
  const added: NodeJS.ProcessEnv = { ...env };
  for (const [key, value] of settings) {
    added[`GIT_CONFIG_KEY_${index}`] = key;
    added[`GIT_CONFIG_VALUE_${index}`] = value;
    index += 1;
  }
  added.GIT_CONFIG_COUNT = String(index);
  return added;
}
