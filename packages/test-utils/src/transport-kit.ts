import type { ClustrErrorCode, Transport } from '@clustr/protocol';
import { afterEach, describe } from 'vitest';
import { closeCases } from './kit-close-cases.js';
import { deliveryCases } from './kit-delivery-cases.js';
import { inputCases } from './kit-input-cases.js';

/** A transport made for the kit together with what else must go when the test ends (a server). */
export interface KitInstance {
  readonly transport: Transport;
  /** Called after the transport was closed. */
  dispose(): Promise<void>;
}

/** Makes a fresh root transport (not yet connected) for one test. */
export type TransportKitFactory = () => Transport | KitInstance | Promise<Transport | KitInstance>;

/** What the kit needs to know about the transport under test. */
export interface TransportKitOptions {
  /**
   * The largest message the factory's transports send, as the factory configured it (e.g.
   * `maxPayloadBytes`, `maxFrameBytes`). The size cases publish one message at half of it and
   * one at twice it. Required: every transport has a limit.
   */
  readonly maxMessageBytes: number;
  /** The code a message over {@link TransportKitOptions.maxMessageBytes} is reported with. @default 'ERR_CLUSTR_INVALID_DATA' */
  readonly tooLargeCode?: ClustrErrorCode;
  /**
   * True when two transports from the factory reach each other (a shared bus, one Redis
   * namespace): the kit then also checks delivery between two of them. @default false
   */
  readonly isShared?: boolean;
  /** Bound of every wait for an event. @default 5000 */
  readonly timeoutMs?: number;
  /** Messages of the ordering case. @default 2000 */
  readonly orderCount?: number;
}

/** The resolved options plus a way to make transports that are closed when the test ends. */
export interface KitContext extends Required<TransportKitOptions> {
  /** A fresh transport from the factory, closed (and disposed) after the test. */
  make(): Promise<Transport>;
}

/**
 * Registers the transport test kit: one vitest suite that every transport passes — delivery,
 * unsubscribe, the reject-vs-throw rule, size limits, per-sender order, close, and error
 * reporting. Call it at the top level of a test file.
 *
 * @example
 * testTransport('memory', () => createMemoryTransport({ bus, maxMessageBytes: 4096 }), {
 *   maxMessageBytes: 4096,
 *   isShared: true,
 * });
 */
export function testTransport(
  name: string,
  factory: TransportKitFactory,
  options: TransportKitOptions,
): void {
  const made: KitInstance[] = [];
  const context: KitContext = {
    tooLargeCode: 'ERR_CLUSTR_INVALID_DATA',
    isShared: false,
    timeoutMs: 5_000,
    orderCount: 2_000,
    ...options,
    async make() {
      const result = await factory();
      const instance = 'dispose' in result ? result : { transport: result, dispose: async () => {} };
      made.push(instance);
      return instance.transport;
    },
  };
  describe(`transport kit: ${name}`, () => {
    afterEach(async () => {
      for (const instance of made.splice(0).reverse()) {
        await instance.transport.close();
        await instance.dispose();
      }
    });
    deliveryCases(context);
    inputCases(context);
    closeCases(context);
  });
}
