/** The troubles the publisher reports once per episode instead of once per message. */
export type Episode =
  /** The queue of a disconnected publisher is full (`maxQueuedMessages`). */
  | 'queue-full'
  /** Too many messages wait for the server's replies (`maxInFlightMessages`). */
  | 'in-flight-full'
  /** PUBLISH commands in flight were lost with a connection (once per outage). */
  | 'loss';

/**
 * Which episodes are going on: one value instead of a boolean per kind of trouble, so a report
 * is made when an episode begins and not again until it has ended.
 */
export class Episodes {
  readonly #ongoing = new Set<Episode>();

  /** Starts `episode`; true when it was not already going on (report it then). */
  begin(episode: Episode): boolean {
    if (this.#ongoing.has(episode)) return false;
    this.#ongoing.add(episode);
    return true;
  }

  /** Ends `episode`: the next trouble of that kind is reported again. */
  end(episode: Episode): void {
    this.#ongoing.delete(episode);
  }

  /** True while `episode` is going on. */
  has(episode: Episode): boolean {
    return this.#ongoing.has(episode);
  }
}
