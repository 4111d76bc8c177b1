import type { EncodedMeta } from '@clustr/protocol';
import type { Outbox } from './outbox.js';
import { Run } from './run.js';

/** A link a published message is queued for. */
interface Target {
  readonly out: Outbox;
}

/**
 * Queues this process's publishes for their links as runs: a message that continues the open
 * run (same channel and sender, nothing else in between, room in the run and in every queue it
 * waits in) joins it, so a burst leaves as one line; any other starts a new run.
 */
export class RunWriter {
  /**
   * The run the next publish may join: the last one, while nothing else happened since (a frame
   * arrived, a subscription changed) and it was not written yet.
   */
  private open: Run | undefined;

  /** `maxRunChars`: most characters a run grows to. */
  constructor(private readonly maxRunChars: number) {}

  /** Something else happened (a frame, a subscription change, a link gone): the next publish starts a run. */
  interrupt(): void {
    this.open = undefined;
  }

  /** Queues one message of `size` characters for `links` and the parent's queue `up`. */
  write(
    channel: string,
    meta: EncodedMeta,
    dataJson: string,
    size: number,
    links: readonly Target[] | undefined,
    up: Outbox | undefined,
  ): void {
    if (this.join(channel, meta, dataJson, links, up)) return;
    const run = new Run(channel, meta.json, dataJson);
    let isEverywhere = up === undefined || up.push(run, size);
    if (links !== undefined) {
      for (let i = 0; i < links.length; i++) isEverywhere = links[i]!.out.push(run, size) && isEverywhere;
    }
    // A run some full queue refused is not the last item of every queue: later messages
    // cannot join it.
    this.open = isEverywhere ? run : undefined;
  }

  private join(
    channel: string,
    meta: EncodedMeta,
    dataJson: string,
    links: readonly Target[] | undefined,
    up: Outbox | undefined,
  ): boolean {
    const run = this.open;
    if (run === undefined || run.channel !== channel || run.metaJson !== meta.json) return false;
    // A comma, the data, and on the first join the `]` that turns `"data":d` into `"run":[d,…]`.
    const bytes = dataJson.length + (run.data.length === 1 ? 2 : 1);
    if (!run.canGrow(bytes, this.maxRunChars)) return false;
    const count = links === undefined ? 0 : links.length;
    for (let i = 0; i < count; i++) if (!links![i]!.out.canTake(bytes)) return false;
    if (up !== undefined && !up.canTake(bytes)) return false;
    run.append(dataJson, bytes);
    for (let i = 0; i < count; i++) links![i]!.out.grow(bytes);
    up?.grow(bytes);
    return true;
  }
}
