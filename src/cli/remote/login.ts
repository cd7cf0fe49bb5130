import { readFileSync } from "node:fs";
import {
  createApiClient,
  credentialsPath,
  forgetLogin,
  normalizeServerUrl,
  saveLogin,
} from "../../client/index.js";
import { SkiffError } from "../../errors/index.js";
import { printJson, say } from "../output.js";

interface LoginOptions {
  tokenFile?: string;
  json?: boolean;
}

/** `skiff login URL`: the token (file, SKIFF_TOKEN or a prompt that does not echo) is checked, then stored. */
export async function login(urlText: string, options: LoginOptions): Promise<void> {
  const url = normalizeServerUrl(urlText);
  const token = await readToken(options);
  const who = await createApiClient({ url, token }).get<{ name: string; id: string; readOnly: boolean }>(
    "/whoami",
  );
  saveLogin(url, token, who.name);
  if (options.json) return printJson({ url, token: { name: who.name, id: who.id, readOnly: who.readOnly } });
  say(
    `logged in to ${url} with token "${who.name}"${who.readOnly ? " (read-only: it can look, not change)" : ""}; stored in ${credentialsPath()}`,
  );
}

/** `skiff logout [URL]`. */
export function logout(urlText: string | undefined): void {
  const url = urlText === undefined ? undefined : normalizeServerUrl(urlText);
  const forgotten = forgetLogin(url);
  say(forgotten ? `forgot the token of ${forgotten}` : "no stored token to forget");
}

async function readToken(options: LoginOptions): Promise<string> {
  if (options.tokenFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(options.tokenFile, "utf8");
    } catch (error) {
      throw new SkiffError(
        "ERR_SKIFF_USAGE",
        `cannot read --token-file ${options.tokenFile}: ${(error as Error).message}`,
        {
          hint: "put the token (skiff server token create prints it) in a file of its own",
        },
      );
    }
    return requireToken(text.trim());
  }
  if (process.env.SKIFF_TOKEN) return requireToken(process.env.SKIFF_TOKEN.trim());
  if (!process.stdin.isTTY) {
    throw new SkiffError("ERR_SKIFF_USAGE", "no token: there is no terminal to ask for one", {
      hint: "pass --token-file F or set SKIFF_TOKEN",
    });
  }
  return requireToken(await promptHidden("token: "));
}

function requireToken(token: string): string {
  if (token.length > 0 && !/\s/.test(token)) return token;
  throw new SkiffError("ERR_SKIFF_USAGE", "the token is empty or has spaces in it", {
    hint: "paste the token skiff server token create printed (skf_…)",
  });
}

/** Reads a line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding("utf8");
    let typed = "";
    const finish = (error?: Error): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off("data", onData);
      process.stderr.write("\n");
      if (error) reject(error);
      else resolve(typed.trim());
    };
    const onData = (chunk: string): void => {
      for (const char of chunk) {
        if (char === "\r" || char === "\n") return finish();
        if (char === "\u0003")
          return finish(
            new SkiffError("ERR_SKIFF_USAGE", "login cancelled", { hint: "run skiff login URL again" }),
          );
        if (char === "\u007f") typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    stdin.on("data", onData);
  });
}
