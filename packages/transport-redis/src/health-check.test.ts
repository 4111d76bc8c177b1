import { ClustrError } from '@clustr/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isServerUnreachable, serverUnreachableError, startHealthCheck } from './health-check.js';

const TIMING = { intervalMs: 1000, timeoutMs: 2000 };

/** A connection whose PINGs the test answers (or not), with a counter of what else it heard. */
function fakeConnection() {
  const pings: (() => void)[] = [];
  const silences: number[] = [];
  let heard = 0;
  return {
    pings,
    silences,
    hear: () => {
      heard++;
    },
    target: {
      ping: () => new Promise<void>((resolve) => pings.push(resolve)),
      heard: () => heard,
      silent: (silentMs: number) => {
        silences.push(silentMs);
      },
    },
  };
}

describe('startHealthCheck', () => {
  beforeEach(() => {
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'performance'],
    });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends a PING every interval and stays quiet while each is answered', async () => {
    const connection = fakeConnection();
    const stop = startHealthCheck(connection.target, TIMING);
    for (let i = 0; i < 10; i++) {
      await vi.advanceTimersByTimeAsync(1000);
      connection.pings.at(-1)?.();
    }
    expect(connection.pings).toHaveLength(10);
    expect(connection.silences).toEqual([]);
    stop();
  });

  it('finds an unanswered PING after its deadline, once, and sends no more', async () => {
    const connection = fakeConnection();
    startHealthCheck(connection.target, TIMING);
    await vi.advanceTimersByTimeAsync(1000);
    expect(connection.pings).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1999);
    // One PING at a time: the second interval did not pile another on the silent connection.
    expect(connection.pings).toHaveLength(1);
    expect(connection.silences).toEqual([]);
    // The verdict comes in the check phase right after the deadline (after the poll phase).
    await vi.advanceTimersByTimeAsync(2);
    expect(connection.silences).toHaveLength(1);
    expect(connection.silences[0]).toBeGreaterThanOrEqual(2000);
    expect(connection.silences[0]).toBeLessThanOrEqual(2002);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(connection.pings).toHaveLength(1);
    expect(connection.silences).toHaveLength(1);
  });

  it('takes anything else heard as proof: a PING queued behind a stream is not silence', async () => {
    const connection = fakeConnection();
    startHealthCheck(connection.target, TIMING);
    await vi.advanceTimersByTimeAsync(1000);
    // Messages keep arriving while the PING waits behind them.
    for (let i = 0; i < 5; i++) {
      await vi.advanceTimersByTimeAsync(1500);
      connection.hear();
    }
    expect(connection.silences).toEqual([]);
    // Then nothing at all: silent a full timeout after the last thing heard.
    await vi.advanceTimersByTimeAsync(3000);
    expect(connection.silences).toHaveLength(1);
    expect(connection.silences[0]).toBeGreaterThanOrEqual(2000);
    expect(connection.silences[0]).toBeLessThanOrEqual(4000);
  });

  it('stops: no PING, no verdict', async () => {
    const connection = fakeConnection();
    const stop = startHealthCheck(connection.target, TIMING);
    await vi.advanceTimersByTimeAsync(1000);
    stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(connection.pings).toHaveLength(1);
    expect(connection.silences).toEqual([]);
  });
});

describe('serverUnreachableError', () => {
  it('says the server was unreachable, with the reason a caller branches on', () => {
    const error = serverUnreachableError(
      'redis publisher lost the connection to redis://db:6379',
      'pub',
      2004,
      TIMING,
    );
    expect(error.code).toBe('ERR_CLUSTR_TRANSPORT');
    expect(error.message).toMatch(
      /no answer to PING within 2000 ms .*the server is unreachable \(a network partition\?\)/,
    );
    expect(error.details).toMatchObject({ role: 'pub', reason: 'server-unreachable', silentMs: 2004 });
    expect(isServerUnreachable(error)).toBe(true);
    expect(isServerUnreachable(new ClustrError('ERR_CLUSTR_TRANSPORT', 'closed'))).toBe(false);
  });
});
