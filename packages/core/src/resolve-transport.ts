import {
  ClustrError,
  type Envelope,
  type Link,
  RESTORE_TRANSPORT_EXPORT,
  type RestoreTransport,
  type Transport,
  type TransportDescriptor,
  toClustrError,
} from '@clustr/protocol';
import { describeValue } from '@clustr/protocol/internal';
import type { ParentConnection } from '@clustr/spawner';
import type { ClusterProcessOptions } from './cluster-process-options.js';
import { invalidDefaultTransport } from './process-errors.js';
import type { TrafficCounters } from './process-stats.js';

/**
 * Where a process's transport comes from: the `transport` option; else its parent's, described
 * in the welcome (`inherited`); else `defaultTransport()`. `given` is still to be checked.
 * @throws ClustrError `ERR_CLUSTR_INVALID_OPTION` for a `defaultTransport` that is not a function
 */
export function chooseTransport(
  options: ClusterProcessOptions,
  parent: ParentConnection | undefined,
): { given?: unknown; inherited?: Promise<TransportDescriptor> } {
  if (options.transport !== undefined) return { given: options.transport };
  if (parent !== undefined) return { inherited: parent.welcome.then((welcome) => welcome.transport) };
  if (typeof options.defaultTransport === 'function') return { given: options.defaultTransport() };
  if (options.defaultTransport !== undefined) throw invalidDefaultTransport(options.defaultTransport);
  return {};
}

/**
 * Rebuilds the transport a parent described in its welcome: imports its module and calls its
 * `restoreTransport` export with the options and the link to the parent. The core never imports
 * a concrete transport itself.
 */
export async function restoreTransport(descriptor: TransportDescriptor, parent: Link): Promise<Transport> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(descriptor.module)) as Record<string, unknown>;
  } catch (error) {
    throw toClustrError(
      error,
      'ERR_CLUSTR_NO_TRANSPORT',
      `cannot load the "${descriptor.name}" transport inherited from the parent (module ${descriptor.module})`,
    );
  }
  const restore = mod[RESTORE_TRANSPORT_EXPORT];
  if (typeof restore !== 'function') {
    throw new ClustrError(
      'ERR_CLUSTR_NO_TRANSPORT',
      `module ${descriptor.module} of the "${descriptor.name}" transport has no ${RESTORE_TRANSPORT_EXPORT}() export`,
    );
  }
  try {
    return (restore as RestoreTransport)(descriptor.options, { parent });
  } catch (error) {
    throw toClustrError(
      error,
      'ERR_CLUSTR_NO_TRANSPORT',
      `cannot restore the "${descriptor.name}" transport`,
    );
  }
}

const TRANSPORT_METHODS = [
  'connect',
  'subscribe',
  'unsubscribe',
  'publish',
  'onMessage',
  'onError',
  'describe',
  'adopt',
  'close',
] as const;

/**
 * Throws `ERR_CLUSTR_INVALID_OPTION` unless `value` has every method of a {@link Transport}, so a
 * wrong `transport` option fails at `create()` with a clear message, not deep inside.
 */
export function assertTransport(value: unknown): asserts value is Transport {
  const missing =
    typeof value === 'object' && value !== null
      ? TRANSPORT_METHODS.filter((method) => typeof (value as Record<string, unknown>)[method] !== 'function')
      : TRANSPORT_METHODS;
  if (missing.length === 0) return;
  throw new ClustrError(
    'ERR_CLUSTR_INVALID_OPTION',
    `transport ${describeValue(value)} is not a transport (missing ${missing.join(', ')}; pass e.g. createIpcTransport() or createRedisTransport({ url }))`,
  );
}

/** Where the messages of one channel go in a process. */
export type Dispatch = (envelope: Envelope) => void;

/**
 * Checks a transport and listens to it: each message counted and dispatched by its channel
 * (channels without a route are dropped), each error reported. Returns it.
 * @throws ClustrError `ERR_CLUSTR_INVALID_OPTION` for what is not a transport
 */
export function listenTo(
  transport: unknown,
  counters: TrafficCounters,
  routes: ReadonlyMap<string, Dispatch>,
  report: (error: ClustrError) => void,
): Transport {
  assertTransport(transport);
  transport.onMessage((channel, envelope) => {
    counters.messagesIn++;
    routes.get(channel)?.(envelope);
  });
  transport.onError(report);
  return transport;
}
