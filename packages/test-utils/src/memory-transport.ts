import {
  type ChildLink,
  ClustrError,
  DEFAULT_MAX_FRAME_BYTES,
  type EncodedMeta,
  type Envelope,
  isChannelName,
  type Meta,
  type Transport,
  type TransportDescriptor,
  type TransportSelf,
} from '@clustr/protocol';
import { createTransportHandlers, describeValue } from '@clustr/protocol/internal';
import { createMemoryBus, type MemoryBus, type MemoryBusMember } from './memory-bus.js';

/** Options of {@link createMemoryTransport}. */
export interface MemoryTransportOptions {
  /** The bus shared with other in-memory "processes". @default a bus of its own */
  bus?: MemoryBus;
  /** Largest `meta` plus `data` JSON, in UTF-8 bytes; larger messages are dropped and reported. @default 16 MiB */
  maxMessageBytes?: number;
}

/** One `publish()` call as the transport saw it, for assertions. */
export interface PublishedMessage {
  readonly channel: string;
  readonly meta: EncodedMeta;
  readonly dataJson: string;
}

/** An in-memory {@link Transport} plus what a test needs to drive and inspect it. */
export interface MemoryTransport extends Transport, AsyncDisposable {
  readonly name: 'memory';
  /** Every `publish()` before close, delivered or not. */
  readonly published: readonly PublishedMessage[];
  /** Channels this transport subscribes to. */
  readonly subscribed: ReadonlySet<string>;
  /** What `connect()` was called with. */
  readonly self: TransportSelf | undefined;
  /** True once `close()` was called. */
  readonly isClosed: boolean;
  /** Makes `connect()` wait for `gate` (closing still ends the wait). */
  holdConnect(gate: Promise<void>): void;
  /** Delivers a message at once, as if it came from elsewhere in the cluster. */
  inject(channel: string, envelope: Envelope): void;
  /** Reports an error as a transport would. */
  fail(error: ClustrError): void;
}

/**
 * Creates a transport that moves messages in memory: between instances sharing a
 * {@link MemoryBus}, a macrotask after `publish`, in publish order. For the core's unit tests
 * and as the reference the transport test kit runs against; it follows the same contract as
 * the real transports (see the kit's README section).
 *
 * @example
 * const bus = createMemoryBus();
 * const master = Master.create({ transport: createMemoryTransport({ bus }) });
 */
export function createMemoryTransport(options: MemoryTransportOptions = {}): MemoryTransport {
  const bus = options.bus ?? createMemoryBus();
  const maxBytes = options.maxMessageBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const published: PublishedMessage[] = [];
  const subscribed = new Set<string>();
  const handlers = createTransportHandlers();
  const { deliver, report } = handlers;
  let self: TransportSelf | undefined;
  let gate: Promise<void> = Promise.resolve();
  let markClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });
  let isClosed = false;
  const closedError = (what: string) =>
    new ClustrError('ERR_CLUSTR_CLOSED', `${what} failed: the memory transport is closed`);

  const member: MemoryBusMember = {
    receive(channel, metaJson, dataJson) {
      if (isClosed || !subscribed.has(channel)) return;
      let envelope: Envelope;
      try {
        // Parsed per receiver: each gets its own copy, as over a real wire.
        envelope = { meta: JSON.parse(metaJson) as Meta, data: JSON.parse(dataJson) as unknown };
      } catch (error) {
        report(
          new ClustrError('ERR_CLUSTR_BAD_FRAME', `dropped a message on "${channel}": its data is not JSON`, {
            cause: error,
            details: { channel },
          }),
        );
        return;
      }
      deliver(channel, envelope);
    },
  };

  function send(channel: string, meta: EncodedMeta, dataJson: string): void {
    const bytes = Buffer.byteLength(meta.json) + Buffer.byteLength(dataJson);
    if (bytes > maxBytes) {
      report(
        new ClustrError(
          'ERR_CLUSTR_INVALID_DATA',
          `message of ${bytes} bytes on channel "${channel}" was not sent: larger than maxMessageBytes (${maxBytes})`,
          { details: { channel, bytes, maxMessageBytes: maxBytes } },
        ),
      );
      return;
    }
    bus.send(channel, meta.json, dataJson);
  }

  const transport: MemoryTransport = {
    name: 'memory',
    published,
    subscribed,
    get self() {
      return self;
    },
    get isClosed() {
      return isClosed;
    },
    holdConnect(next) {
      gate = next;
    },
    async connect(who) {
      if (isClosed) throw closedError('connect');
      self = who;
      await Promise.race([gate, closed.then(() => Promise.reject(closedError('connect')))]);
    },
    async subscribe(channel) {
      if (isClosed) throw closedError(`subscribe to ${describeValue(channel)}`);
      if (!isChannelName(channel)) {
        throw new ClustrError(
          'ERR_CLUSTR_INVALID_CHANNEL',
          `cannot subscribe to ${describeValue(channel)}: not a channel name`,
        );
      }
      subscribed.add(channel);
      bus.join(channel, member);
    },
    async unsubscribe(channel) {
      if (!subscribed.delete(channel)) return;
      bus.leave(channel, member);
    },
    publish(channel, meta, dataJson) {
      if (isClosed) return;
      published.push({ channel, meta, dataJson });
      send(channel, meta, dataJson);
    },
    inject: deliver,
    fail: report,
    onMessage: handlers.onMessage,
    onError: handlers.onError,
    describe(): TransportDescriptor {
      return { name: 'memory', module: import.meta.url, options: {} };
    },
    adopt(_child: ChildLink) {},
    async close() {
      if (isClosed) return;
      isClosed = true;
      for (const channel of subscribed) bus.leave(channel, member);
      markClosed();
    },
    [Symbol.asyncDispose]: () => transport.close(),
  };
  return transport;
}
