import { createHmac } from "node:crypto";

/**
 * The `Skiff-Signature` header of one delivery, in the style of Stripe's: `t=<unix seconds>,v1=<hex>`,
 * where v1 is HMAC-SHA256 with the shared secret over `<t>.<raw body>`. Signed again at each attempt,
 * so a receiver may refuse old timestamps (replays) and still accept a retry.
 */
export function signWebhook(input: { secret: string; body: string; timestamp: number }): string {
  const t = Math.floor(input.timestamp / 1000);
  const v1 = createHmac("sha256", input.secret).update(`${t}.${input.body}`).digest("hex");
  return `t=${t},v1=${v1}`;
}
