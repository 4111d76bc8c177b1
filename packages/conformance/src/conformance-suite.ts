import type { Transport } from '@clustr/protocol';
import { afterAll, beforeAll, describe } from 'vitest';
import { channelTests } from './channel-tests.js';
import { killTests } from './kill-tests.js';
import { lifecycleTests } from './lifecycle-tests.js';
import { presenceTests } from './presence-tests.js';
import { reloadTests } from './reload-tests.js';
import { requestTests } from './request-tests.js';
import { shutdownTests } from './shutdown-tests.js';

/** A transport under test: how to make one, and what to set up around the suite. */
export interface ConformanceTarget {
  /** The transport's name in test titles. */
  name: string;
  /** Prepares what the transport needs (e.g. starts a redis-server); returns its factory. */
  setup(): Promise<{ createTransport(): Transport; teardown?(): Promise<void> }>;
}

/** Holds the factory while a suite runs. */
export interface SuiteContext {
  /** The transport's name (bounds that differ per transport are chosen by it). */
  readonly name: string;
  createTransport(): Transport;
}

/**
 * The one behaviour suite: every row of the channel table (nested to depth 3), ordering,
 * queued-before-ready, confirmations, kill from every direction, unsubscribing, presence,
 * request/reply, one-of-group delivery, shutdown hooks and rolling reloads. Run it once
 * per transport; each transport must pass it unchanged.
 */
export function conformanceSuite(target: ConformanceTarget): void {
  describe(`conformance: ${target.name}`, () => {
    let teardown: (() => Promise<void>) | undefined;
    const context: SuiteContext = {
      name: target.name,
      createTransport: () => {
        throw new Error('the conformance target was not set up');
      },
    };
    beforeAll(async () => {
      const prepared = await target.setup();
      context.createTransport = () => prepared.createTransport();
      teardown = prepared.teardown;
    });
    afterAll(async () => {
      await teardown?.();
    });
    channelTests(context);
    lifecycleTests(context);
    killTests(context);
    presenceTests(context);
    requestTests(context);
    shutdownTests(context);
    reloadTests(context);
  });
}
