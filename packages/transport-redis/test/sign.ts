import { createHmac } from 'node:crypto';

/**
 * Signs a payload the way the README tells another language to, independently of the
 * transport's own signer: `body` is the envelope JSON without its closing brace plus `"ts"`,
 * `sig` the base64url HMAC-SHA256 of `<channel>\n<body>`.
 */
export function signAs(
  secret: string | Buffer,
  channel: string,
  envelope: { meta: Record<string, unknown>; data: unknown },
  ts = Date.now(),
): string {
  const body = JSON.stringify({ ...envelope, ts }).slice(0, -1);
  const sig = createHmac('sha256', secret).update(`${channel}\n${body}`).digest('base64url');
  return `${body},"sig":"${sig}"}`;
}
