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

/**
 * Signs an array of envelopes as the README tells another language to: the array's JSON with
 * `"ts"` added to its last envelope, cut before that envelope's closing brace, signed once as a
 * whole; the trailer goes before the closing bracket.
 */
export function signArrayAs(
  secret: string | Buffer,
  channel: string,
  envelopes: readonly { meta: Record<string, unknown>; data: unknown }[],
  ts = Date.now(),
): string {
  const last = envelopes.length - 1;
  const body = JSON.stringify(envelopes.map((e, i) => (i === last ? { ...e, ts } : e))).slice(0, -2);
  const sig = createHmac('sha256', secret).update(`${channel}\n${body}`).digest('base64url');
  return `${body},"sig":"${sig}"}]`;
}
