import {
  type ChildLink,
  ClustrError,
  type EncodedMeta,
  type Envelope,
  type Transport,
  type TransportDescriptor,
  type TransportSelf,
} from '@clustr/protocol';

/**
 * An in-memory transport for the core's unit tests (the transports have their own suites and
 * the conformance suite runs the real ones): loops every publish back to this process when it
 * subscribes, asynchronously, in order.
 */
export class FakeTransport implements Transport {
  readonly name = 'fake';
  readonly published: { channel: string; meta: EncodedMeta; dataJson: string }[] = [];
  readonly subscribed = new Set<string>();
  self: TransportSelf | undefined;
  isClosed = false;
  #connectGate: Promise<void> = Promise.resolve();
  #markClosed: () => void = () => undefined;
  readonly #closed = new Promise<void>((resolve) => {
    this.#markClosed = resolve;
  });
  #messageHandlers = new Set<(channel: string, envelope: Envelope) => void>();
  #errorHandlers = new Set<(error: ClustrError) => void>();

  /** Makes `connect()` wait for `gate`. */
  holdConnect(gate: Promise<void>): void {
    this.#connectGate = gate;
  }

  async connect(self: TransportSelf): Promise<void> {
    this.self = self;
    // Like the real transports, closing ends a connect in progress.
    await Promise.race([
      this.#connectGate,
      this.#closed.then(() => {
        throw new ClustrError('ERR_CLUSTR_CLOSED', 'the fake transport closed while connecting');
      }),
    ]);
  }
  async subscribe(channel: string): Promise<void> {
    this.subscribed.add(channel);
  }
  async unsubscribe(channel: string): Promise<void> {
    this.subscribed.delete(channel);
  }
  publish(channel: string, meta: EncodedMeta, dataJson: string): void {
    this.published.push({ channel, meta, dataJson });
    if (!this.subscribed.has(channel)) return;
    const envelope = { meta: meta.meta, data: JSON.parse(dataJson) as unknown };
    setImmediate(() => this.inject(channel, envelope));
  }
  /** Delivers a message as if it came from elsewhere in the cluster. */
  inject(channel: string, envelope: Envelope): void {
    for (const handler of this.#messageHandlers) handler(channel, envelope);
  }
  /** Reports an error as the transport would. */
  fail(error: ClustrError): void {
    for (const handler of this.#errorHandlers) handler(error);
  }
  onMessage(handler: (channel: string, envelope: Envelope) => void): () => void {
    this.#messageHandlers.add(handler);
    return () => this.#messageHandlers.delete(handler);
  }
  onError(handler: (error: ClustrError) => void): () => void {
    this.#errorHandlers.add(handler);
    return () => this.#errorHandlers.delete(handler);
  }
  describe(): TransportDescriptor {
    return { name: 'fake', module: 'fake-module', options: {} };
  }
  adopt(_child: ChildLink): void {}
  async close(): Promise<void> {
    this.isClosed = true;
    this.#markClosed();
  }
}
