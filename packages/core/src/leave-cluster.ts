import type { Transport } from '@clustr/protocol';
import type { ProcessPresence } from './presence-of-process.js';
import type { Requests } from './requests.js';
import type { ShutdownReason } from './shutdown-types.js';

/** What a process gives up when it leaves, once its hooks are over. */
export interface Leaving {
  /** Its transport, if it got one. */
  readonly transport: Transport | undefined;
  /** The channels to unsubscribe from first (none when it never joined). */
  readonly channels: readonly string[];
  readonly presence: ProcessPresence;
  readonly requests: Requests;
  /** Its join, settled or not: awaited last, so that nothing of it outlives the leave. */
  readonly joined: Promise<void>;
}

/**
 * The last steps of a shutdown: unsubscribe (on IPC a parent then routes a workerId's private
 * messages to its next incarnation; what was routed here before arrived first), say goodbye for
 * `reason` while the transport still carries it, end the requests, then close the transport,
 * whose close also ends a connect still in progress.
 */
export async function leaveCluster(reason: ShutdownReason, leaving: Leaving): Promise<void> {
  const { transport } = leaving;
  if (transport !== undefined) {
    await Promise.allSettled(leaving.channels.map((channel) => transport.unsubscribe(channel)));
  }
  leaving.presence.stop(reason);
  leaving.requests.close();
  await transport?.close();
  await leaving.joined.catch(() => undefined);
}
