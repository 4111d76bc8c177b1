import { describe, expect, it } from 'vitest';
import {
  INITIAL_PUBLISHER_STATE,
  isReleased,
  nextPublisherState,
  type PublisherEvent,
  wasEverReleased,
} from './publisher-state.js';

const walk = (...types: PublisherEvent['type'][]) =>
  types.reduce((state, type) => nextPublisherState(state, { type }), INITIAL_PUBLISHER_STATE);

describe('nextPublisherState', () => {
  it('starts held back and never released', () => {
    expect(walk()).toEqual({ kind: 'starting' });
    expect([isReleased(walk()), wasEverReleased(walk())]).toEqual([false, false]);
  });

  it('stays starting on hold: the subscriber dropping before the first release changes nothing', () => {
    expect(walk('hold')).toEqual({ kind: 'starting' });
  });

  it('is released once connected, held while the own subscriber is down, released when it is back', () => {
    expect(walk('release')).toEqual({ kind: 'released' });
    expect(walk('release', 'hold')).toEqual({ kind: 'held' });
    expect(walk('release', 'hold', 'hold')).toEqual({ kind: 'held' });
    expect(walk('release', 'hold', 'release')).toEqual({ kind: 'released' });
    expect([isReleased(walk('release', 'hold')), wasEverReleased(walk('release', 'hold'))]).toEqual([
      false,
      true,
    ]);
  });

  it('returns the same state for a repeated release', () => {
    const released = walk('release');
    expect(nextPublisherState(released, { type: 'release' })).toBe(released);
  });
});
