import type { RedisClientType } from '@redis/client';
import { describe, expect, it } from 'vitest';
import { type ConnectionEvent, INITIAL_CONNECTION_STATE, nextConnectionState } from './connection-state.js';

// Only compared by identity: the transitions never touch the client.
const client = {} as RedisClientType;
const other = {} as RedisClientType;
const walk = (...events: ConnectionEvent[]) => events.reduce(nextConnectionState, INITIAL_CONNECTION_STATE);

describe('nextConnectionState', () => {
  it('counts failed attempts while connecting, then becomes ready with the client', () => {
    expect(walk({ type: 'retry' }, { type: 'retry' })).toEqual({ kind: 'connecting', attempt: 2 });
    expect(walk({ type: 'retry' }, { type: 'connected', client })).toEqual({ kind: 'ready', client });
  });

  it('goes back to connecting from attempt 0 when the ready connection is lost, and up with a fresh client', () => {
    const lost = walk({ type: 'connected', client }, { type: 'lost' });
    expect(lost).toEqual({ kind: 'connecting', attempt: 0 });
    expect(nextConnectionState(lost, { type: 'retry' })).toEqual({ kind: 'connecting', attempt: 1 });
    expect(nextConnectionState(lost, { type: 'connected', client: other })).toEqual({
      kind: 'ready',
      client: other,
    });
  });

  it('ignores a retry while ready and a loss while connecting', () => {
    const ready = walk({ type: 'connected', client });
    expect(nextConnectionState(ready, { type: 'retry' })).toBe(ready);
    const connecting = walk({ type: 'retry' });
    expect(nextConnectionState(connecting, { type: 'lost' })).toBe(connecting);
  });

  it('closes from every state and stays closed whatever happens next', () => {
    for (const from of [walk(), walk({ type: 'connected', client }), walk({ type: 'retry' })]) {
      const closed = nextConnectionState(from, { type: 'close' });
      expect(closed).toEqual({ kind: 'closed' });
      for (const event of [
        { type: 'connected', client },
        { type: 'retry' },
        { type: 'lost' },
        { type: 'close' },
      ] as const) {
        expect(nextConnectionState(closed, event)).toBe(closed);
      }
    }
  });
});
