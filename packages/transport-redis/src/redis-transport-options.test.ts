import { describe, expect, it } from 'vitest';
import { createRedisTransport, restoreTransport } from './redis-transport.js';
import { redactUrl, resolveRedisOptions } from './redis-transport-options.js';

const SECRET = 'a-secret-of-at-least-32-bytes-0123456789';

describe('resolveRedisOptions', () => {
  it('fills in the documented defaults', () => {
    expect(resolveRedisOptions({}, {})).toEqual({
      url: 'redis://127.0.0.1:6379',
      namespace: 'clustr',
      reconnectInitialDelayMs: 100,
      reconnectMaxDelayMs: 5000,
      maxQueuedMessages: 10_000,
      maxInFlightMessages: 100_000,
      connectTimeoutMs: 5000,
      clientName: undefined,
      maxPayloadBytes: 16 * 1024 * 1024,
      maxBatchBytes: 64 * 1024,
      resubscribeGraceMs: 3000,
      tls: undefined,
      secret: undefined,
      replayWindowMs: 30_000,
      healthCheckIntervalMs: 1000,
      healthCheckTimeoutMs: 2000,
    });
  });

  it.each([
    [{ url: 'http://localhost' }, /url "http:\/\/localhost\/" .*redis:\/\/ or rediss:\/\//],
    [{ url: 'redis://u:hunter2@bad host' }, /url "\(unparsable URL\)"/],
    [{ namespace: 'a:b' }, /namespace "a:b"/],
    [{ maxQueuedMessages: 0 }, /maxQueuedMessages 0 .*positive integer/],
    [{ maxInFlightMessages: -1 }, /maxInFlightMessages -1 .*positive integer/],
    [{ connectTimeoutMs: 1.5 }, /connectTimeoutMs 1.5/],
    [{ reconnectInitialDelayMs: 500, reconnectMaxDelayMs: 100 }, /reconnectMaxDelayMs 100 .*at least/],
    [{ clientName: 'has space' }, /clientName "has space"/],
    [{ replayWindowMs: 0 }, /replayWindowMs 0 .*from 1/],
    [{ healthCheckIntervalMs: 0 }, /healthCheckIntervalMs 0 .*from 1/],
    [{ healthCheckTimeoutMs: 2.5 }, /healthCheckTimeoutMs 2.5/],
    [{ secret: SECRET, maxPayloadBytes: 1000 }, /maxPayloadBytes 1000 .*at least 1024 with a secret/],
    [{ maxBatchBytes: 1023 }, /maxBatchBytes 1023 .*from 1024 to maxPayloadBytes \(16777216\)/],
    [{ maxBatchBytes: 4096, maxPayloadBytes: 2048 }, /maxBatchBytes 4096 .*to maxPayloadBytes \(2048\)/],
    [{ maxBatchBytes: 1.5 }, /maxBatchBytes 1.5/],
  ])('refuses %j with ERR_CLUSTR_INVALID_OPTION', (options, message) => {
    expect(() => createRedisTransport(options)).toThrow(message);
    expect(() => resolveRedisOptions(options)).toThrow(
      expect.objectContaining({ code: 'ERR_CLUSTR_INVALID_OPTION' }),
    );
  });

  it.each([
    'connectTimeoutMs',
    'reconnectInitialDelayMs',
    'reconnectMaxDelayMs',
    'resubscribeGraceMs',
    'healthCheckIntervalMs',
    'healthCheckTimeoutMs',
  ])('refuses %s past the timer limit (Node would fire it after 1 ms)', (key) => {
    const options = { reconnectInitialDelayMs: 1, [key]: 2 ** 31 };
    expect(() => createRedisTransport(options)).toThrow(
      expect.objectContaining({
        code: 'ERR_CLUSTR_INVALID_OPTION',
        message: `redis transport option ${key} 2147483648 is not valid (allowed: an integer number of milliseconds from 1 to 2147483647)`,
      }),
    );
  });

  it.each([
    [
      { url: 'redis://127.0.0.1:1', password: 'x' },
      /redis transport option password "x" .*no such option; known: url, namespace/,
    ],
    [{ tls: { ca: 'pem', verify: false } }, /redis transport option tls verify false .*known: ca, cert/],
    [{ tls: { ca: 1 } }, /tls.ca 1 is not valid/],
  ])('refuses unknown or mistyped options %j, naming them', (options, message) => {
    expect(() => createRedisTransport(options as never)).toThrow(
      expect.objectContaining({ code: 'ERR_CLUSTR_INVALID_OPTION', message: expect.stringMatching(message) }),
    );
  });

  it('restores what describe() hands a child', () => {
    const transport = createRedisTransport({
      url: 'rediss://127.0.0.1:6380',
      clientName: 'parent',
      tls: { ca: 'pem', rejectUnauthorized: false },
      secret: Buffer.alloc(32, 7),
    });
    const { options } = transport.describe();
    expect(options.secret).toEqual({ base64: Buffer.alloc(32, 7).toString('base64') });
    expect(JSON.parse(JSON.stringify(options))).toEqual(options);
    expect(restoreTransport(options).describe().options).toEqual(options);
  });

  it('refuses tls with a redis:// URL (the connection would be plaintext), never showing the key', () => {
    const attempt = () =>
      createRedisTransport({
        url: 'redis://u:pw@db:6379',
        tls: { key: '-----BEGIN PRIVATE KEY-----\nMIIEvQ' },
      });
    expect(attempt).toThrow(
      expect.objectContaining({
        code: 'ERR_CLUSTR_INVALID_OPTION',
        message: expect.stringMatching(/tls is set but url "redis:\/\/u:\*\*\*@db:6379" is not rediss:\/\//),
      }),
    );
    expect(attempt).not.toThrow(/PRIVATE|pw/);
    expect(() => createRedisTransport({ url: 'rediss://db:6380', tls: { ca: 'pem' } })).not.toThrow();
  });

  it('never shows a password', () => {
    expect(redactUrl('redis://app:hunter2@db:6380/2')).toBe('redis://app:***@db:6380/2');
  });
});
