import { signBody } from "./signature.js";
import { WEBHOOK_PATH } from "./webhook.js";

export interface NotifyFollowersOptions {
  followers: readonly string[];
  secret: string | Buffer;
  app: string;
  /** The release the change is about (absent: the app was destroyed and has none left). */
  release?: number;
  /** The release current names after this change, when it moved (not for a release sent to staging). */
  current?: number;
  /** The deployment repository URL the followers fetch (no credentials). */
  repo: string;
  timeoutMs?: number;
  onResult?: (follower: string, outcome: { status?: number; error?: string }) => void;
}

/** Sends the signed trigger to each follower agent; fire and forget, never throws. */
export function notifyFollowers(options: NotifyFollowersOptions): void {
  const body = JSON.stringify({
    repo: options.repo,
    app: options.app,
    ...(options.release === undefined ? {} : { release: options.release }),
    ...(options.current === undefined ? {} : { current: options.current }),
    time: new Date().toISOString(),
  });
  const signature = signBody(options.secret, body);
  for (const follower of options.followers) {
    const url = followerHookUrl(follower);
    fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-skiff-signature": signature },
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
    }).then(
      async (response) => {
        await response.body?.cancel();
        options.onResult?.(follower, { status: response.status });
      },
      (error: unknown) =>
        options.onResult?.(follower, { error: error instanceof Error ? error.message : String(error) }),
    );
  }
}

/** A follower given as http://host:port gets the hook path added. */
export function followerHookUrl(follower: string): string {
  const url = new URL(follower);
  if (url.pathname === "/" || url.pathname === "") url.pathname = WEBHOOK_PATH;
  return url.toString();
}
