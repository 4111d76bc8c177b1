import { Master } from '@clustr/core';
import type { Envelope } from '@clustr/protocol';
import { describe, expect, it } from 'vitest';
import type { SuiteContext } from './conformance-suite.js';
import { waitFor } from './wait-for.js';

/** create() returns at once; what is published before ready() is queued; close() is idempotent. */
export function lifecycleTests(context: SuiteContext): void {
  describe('lifecycle', () => {
    it('queues messages the master publishes before ready() and delivers them after', async () => {
      const master = Master.create({ transport: context.createTransport() });
      const got: Envelope[] = [];
      const listeners = new Set<() => void>();
      master.onPublic((message) => {
        got.push(message);
        for (const listener of listeners) listener();
      });
      master.publish('public', 'early-1');
      master.publish('public', 'early-2');
      await master.ready();
      await waitFor(
        (l) => {
          listeners.add(l);
          return () => listeners.delete(l);
        },
        () => (got.length >= 2 ? true : undefined),
        'the two messages published before ready()',
      );
      expect(got.map((m) => m.data)).toEqual(['early-1', 'early-2']);
      await master.close();
      await master.close();
      expect(() => master.publish('public', 'late')).toThrowError(
        expect.objectContaining({ code: 'ERR_CLUSTR_CLOSED' }),
      );
    });
  });
}
