/** A remote URL without its password, and the environment that hands git the credentials instead. */
export interface RemoteAccess {
  url: string;
  env: NodeJS.ProcessEnv;
}

/**
 * Moves `user:token@` out of an http(s) URL into an Authorization header passed through git's
 * GIT_CONFIG_* environment, so the token never shows in argv (ps) or in git's own messages.
 */
export function splitCredentials(location: string): RemoteAccess {
  let parsed: URL;
  try {
    parsed = new URL(location);
  } catch {
    return { url: location, env: {} };
  }
  if ((parsed.protocol !== "http:" && parsed.protocol !== "https:") || parsed.password === "") {
    return { url: location, env: {} };
  }
  const user = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  parsed.username = "";
  parsed.password = "";
  const index = Number(process.env.GIT_CONFIG_COUNT ?? "0") || 0;
  const basic = Buffer.from(`${user}:${password}`).toString("base64");
  return {
    url: parsed.href,
    env: {
      GIT_CONFIG_COUNT: String(index + 1),
      [`GIT_CONFIG_KEY_${index}`]: "http.extraHeader",
      [`GIT_CONFIG_VALUE_${index}`]: `Authorization: Basic ${basic}`,
    },
  };
}
