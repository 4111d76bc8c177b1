import { isDeepStrictEqual } from 'node:util';
import { type ClustrError, type Envelope, encodeData, encodeMeta, type Transport } from '@clustr/protocol';

/** A message as a transport handed it to `onMessage`. */
export interface ProbedMessage {
  readonly channel: string;
  readonly envelope: Envelope;
}

/** Records what a transport delivers and reports, and waits on it with bounded waits. */
export interface Probe {
  readonly messages: readonly ProbedMessage[];
  readonly errors: readonly ClustrError[];
  /** The data of the messages received on `channel`, in arrival order. */
  dataOn(channel: string): unknown[];
  /** Resolves once a message on `channel` whose data deep-equals `data` has arrived. */
  message(channel: string, data: unknown): Promise<ProbedMessage>;
  /** Resolves with the first reported error that `test` accepts. */
  error(test: (error: ClustrError) => boolean, what: string): Promise<ClustrError>;
  /** Removes the probe's handlers. */
  stop(): void;
}

interface Waiter {
  check(): boolean;
}

/**
 * Attaches a probe to `transport`. Every wait fails after `timeoutMs` with a message naming what
 * was awaited: there are no sleeps, only waits on the transport's own events.
 */
export function probe(transport: Transport, timeoutMs: number): Probe {
  const messages: ProbedMessage[] = [];
  const errors: ClustrError[] = [];
  const waiters = new Set<Waiter>();
  const wake = () => {
    for (const waiter of waiters) if (waiter.check()) waiters.delete(waiter);
  };
  const offMessage = transport.onMessage((channel, envelope) => {
    messages.push({ channel, envelope });
    wake();
  });
  const offError = transport.onError((error) => {
    errors.push(error);
    wake();
  });

  function waitFor<T>(find: () => T | undefined, what: string): Promise<T> {
    const found = find();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`${transport.name}: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const waiter: Waiter = {
        check() {
          const value = find();
          if (value === undefined) return false;
          clearTimeout(timer);
          resolve(value);
          return true;
        },
      };
      waiters.add(waiter);
    });
  }

  return {
    messages,
    errors,
    dataOn: (channel) => messages.filter((m) => m.channel === channel).map((m) => m.envelope.data),
    message: (channel, data) =>
      waitFor(
        () => messages.find((m) => m.channel === channel && isDeepStrictEqual(m.envelope.data, data)),
        `a message ${JSON.stringify(data)} on "${channel}"`,
      ),
    error: (test, what) => waitFor(() => errors.find(test), what),
    stop() {
      offMessage();
      offError();
    },
  };
}

/** The meta every kit message carries: a master-like sender. */
export const KIT_META = encodeMeta({ group: 'kit' });

let channels = 0;

/** A channel name no earlier kit test used, so a late message of one test never counts in another. */
export function freshChannel(label: string): string {
  return `kit-${process.pid}-${++channels}-${label}`;
}

/** Publishes `data` on `channel` as the core would: meta and data encoded once. */
export function send(transport: Transport, channel: string, data: unknown, meta = KIT_META): void {
  transport.publish(channel, meta, encodeData(data));
}

/** A transport from the kit's factory, connected as `self`, subscribed to `channels`, probed. */
export async function openProbed(
  kit: { make(): Promise<Transport>; readonly timeoutMs: number },
  channelsToSubscribe: readonly string[],
  self: { workerId?: string; group: string } = { group: 'kit' },
): Promise<{ transport: Transport; probe: Probe }> {
  const transport = await kit.make();
  const watch = probe(transport, kit.timeoutMs);
  await transport.connect(self);
  await Promise.all(channelsToSubscribe.map((channel) => transport.subscribe(channel)));
  return { transport, probe: watch };
}
