import { SkiffError } from "../errors/index.js";
import { credentialsPath, readCredentials } from "./credentials.js";

/** A skiff server to talk to and the token to present. */
export interface Remote {
  url: string;
  token: string;
  /** Where it came from, for messages: the environment or the credentials file. */
  source: "env" | "credentials";
}

/** http://host:port without a trailing slash or path; a URL with credentials is refused (they go in a header). */
export function normalizeServerUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(/^[a-z]+:\/\//i.test(text) ? text : `http://${text}`);
  } catch {
    throw new SkiffError("ERR_SKIFF_USAGE", `${JSON.stringify(text.slice(0, 200))} is not a server URL`, {
      hint: "e.g. skiff login http://127.0.0.1:7070",
    });
  }
  if (url.username || url.password) {
    throw new SkiffError("ERR_SKIFF_USAGE", "the server URL must not carry credentials", {
      hint: "give the token with the prompt, --token-file F or SKIFF_TOKEN, never in a URL",
    });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new SkiffError("ERR_SKIFF_USAGE", `${url.protocol} is not http: or https:`, {
      hint: "e.g. skiff login http://127.0.0.1:7070",
    });
  }
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`;
}

/**
 * The server of SKIFF_URL + SKIFF_TOKEN, or the one `skiff login` stored (SKIFF_URL alone picks
 * one of the stored servers); undefined when none is configured.
 */
export function findRemote(env: NodeJS.ProcessEnv = process.env): Remote | undefined {
  const envUrl = env.SKIFF_URL ? normalizeServerUrl(env.SKIFF_URL) : undefined;
  if (envUrl !== undefined && env.SKIFF_TOKEN) return { url: envUrl, token: env.SKIFF_TOKEN, source: "env" };
  const credentials = readCredentials(credentialsPath(env));
  const url = envUrl ?? credentials.default;
  if (url === undefined) return undefined;
  const token = env.SKIFF_TOKEN || credentials.servers[url]?.token;
  return token ? { url, token, source: env.SKIFF_TOKEN ? "env" : "credentials" } : undefined;
}

/** findRemote, or the error that says how to configure one. */
export function requireRemote(env: NodeJS.ProcessEnv = process.env): Remote {
  const remote = findRemote(env);
  if (remote !== undefined) return remote;
  throw new SkiffError(
    "ERR_SKIFF_NOT_LOGGED_IN",
    "this command talks to a skiff server, and none is configured",
    {
      hint: "skiff login http://HOST:7070 (or set SKIFF_URL and SKIFF_TOKEN); on the server itself, --repo/--data use its folders",
    },
  );
}
