import { describe, expect, it } from 'vitest';
import { INITIAL_TRANSPORT_STATE, nextTransportState, type TransportState } from './transport-state.js';

const attempt = Promise.resolve();
const again = Promise.resolve();
const done = Promise.resolve();

describe('nextTransportState', () => {
  it('walks idle → connecting → ready, keeping the one connect attempt', () => {
    const connecting = nextTransportState(INITIAL_TRANSPORT_STATE, { type: 'connect', attempt });
    expect(connecting).toEqual({ kind: 'connecting', attempt });
    const ready = nextTransportState(connecting, { type: 'connected' });
    expect(ready).toEqual({ kind: 'ready', attempt });
    expect(ready.kind === 'ready' && ready.attempt).toBe(attempt);
  });

  it('keeps the first attempt when connect is called again, connecting or ready', () => {
    const connecting = nextTransportState(INITIAL_TRANSPORT_STATE, { type: 'connect', attempt });
    expect(nextTransportState(connecting, { type: 'connect', attempt: again })).toBe(connecting);
    const ready = nextTransportState(connecting, { type: 'connected' });
    expect(nextTransportState(ready, { type: 'connect', attempt: again })).toBe(ready);
  });

  it('ignores connected when not connecting', () => {
    expect(nextTransportState(INITIAL_TRANSPORT_STATE, { type: 'connected' })).toBe(INITIAL_TRANSPORT_STATE);
  });

  it('closes from every state, keeps the first close, and stays closed', () => {
    const connecting = nextTransportState(INITIAL_TRANSPORT_STATE, { type: 'connect', attempt });
    const states: TransportState[] = [
      INITIAL_TRANSPORT_STATE,
      connecting,
      nextTransportState(connecting, { type: 'connected' }),
    ];
    for (const from of states) {
      const closed = nextTransportState(from, { type: 'close', done });
      expect(closed).toEqual({ kind: 'closed', done });
      expect(nextTransportState(closed, { type: 'close', done: Promise.resolve() })).toBe(closed);
      expect(nextTransportState(closed, { type: 'connect', attempt: again })).toBe(closed);
      expect(nextTransportState(closed, { type: 'connected' })).toBe(closed);
    }
  });
});
