import { afterEach, describe, expect, it } from 'vitest';
import { createRedisTransport, restoreTransport } from './redis-transport.js';
import { resolveRedisOptions } from './redis-transport-options.js';

const SECRET = 'a-secret-of-at-least-32-bytes-0123456789';
const invalid = (message: RegExp) =>
  expect.objectContaining({ code: 'ERR_CLUSTR_INVALID_OPTION', message: expect.stringMatching(message) });

describe('the secret option', () => {
  const saved = process.env.CLUSTR_SECRET;
  afterEach(() => {
    if (saved === undefined) delete process.env.CLUSTR_SECRET;
    else process.env.CLUSTR_SECRET = saved;
  });

  it('takes a string or Buffer of 32 bytes or more, as a copy of its bytes', () => {
    const buffer = Buffer.alloc(32, 1);
    const resolved = resolveRedisOptions({ secret: buffer }, {});
    buffer.fill(2);
    expect(resolved.secret).toEqual(Buffer.alloc(32, 1));
    expect(resolveRedisOptions({ secret: SECRET }, {}).secret).toEqual(Buffer.from(SECRET));
    expect(resolveRedisOptions({ secret: new Uint8Array(40) }, {}).secret?.byteLength).toBe(40);
  });

  it.each([
    [
      'a short string',
      'hunter2-is-not-long-enough',
      /secret \(a string of 26 bytes\) is not valid .*at least 32 bytes/,
    ],
    ['a short Buffer', Buffer.alloc(31), /secret \(a Buffer of 31 bytes\)/],
    ['a number', 12345, /secret \(a value of type number\)/],
    ['null', null, /secret \(null\)/],
  ])('refuses %s, naming its size but never its bytes', (_what, secret, message) => {
    const attempt = () => createRedisTransport({ secret: secret as never });
    expect(attempt).toThrow(invalid(message));
    expect(attempt).not.toThrow(/hunter2/);
  });

  it('falls back to CLUSTR_SECRET, and refuses one that is set but short or empty', () => {
    expect(resolveRedisOptions({}, { CLUSTR_SECRET: SECRET }).secret).toEqual(Buffer.from(SECRET));
    expect(resolveRedisOptions({ secret: 'x'.repeat(32) }, { CLUSTR_SECRET: SECRET }).secret).toEqual(
      Buffer.from('x'.repeat(32)),
    );
    expect(() => resolveRedisOptions({}, { CLUSTR_SECRET: 'short' })).toThrow(
      invalid(/environment variable CLUSTR_SECRET \(a string of 5 bytes\)/),
    );
    expect(() => resolveRedisOptions({}, { CLUSTR_SECRET: '' })).toThrow(
      invalid(/CLUSTR_SECRET \(a string of 0 bytes\)/),
    );
    process.env.CLUSTR_SECRET = SECRET;
    expect(createRedisTransport().describe().options.secret).toEqual({
      base64: Buffer.from(SECRET).toString('base64'),
    });
  });

  it('reaches a restored child through the descriptor only, never through its environment', () => {
    process.env.CLUSTR_SECRET = SECRET;
    const unsigned = createRedisTransport({ secret: undefined }).describe().options;
    expect(unsigned.secret).toEqual({ base64: Buffer.from(SECRET).toString('base64') });
    const { secret: _fromEnv, ...withoutSecret } = unsigned;
    expect(restoreTransport(withoutSecret).describe().options).not.toHaveProperty('secret');
    expect(restoreTransport(unsigned).describe().options.secret).toEqual(unsigned.secret);
  });

  it('refuses a descriptor secret that is not base64, without showing it', () => {
    expect(() => restoreTransport({ secret: { base64: 'not base64!' } })).toThrow(
      invalid(/secret \(a string of 11 bytes\) is not valid \(allowed: \{ base64 \}/),
    );
  });
});
