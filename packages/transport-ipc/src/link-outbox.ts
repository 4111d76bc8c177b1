import type { ChildLink } from '@clustr/protocol';
import { Outbox, type OutboxHost } from './outbox.js';

const BATCH_OPEN = '{"clustr":1,"type":"batch","frames":[';
const BATCH_CLOSE = ']}\n';

/**
 * The last batch line built in the current flush, so that links receiving the very same frames
 * in one turn (a fan-out) share one line instead of joining the frames again per link.
 */
export interface BatchCache {
  items: readonly string[] | undefined;
  start: number;
  end: number;
  line: string;
}

/** A fresh, empty {@link BatchCache}. */
export function createBatchCache(): BatchCache {
  return { items: undefined, start: 0, end: 0, line: '' };
}

/**
 * The outbox of a child link. Items are encoded frame lines without their newline, shared by
 * every link a frame goes to: a frame is serialized once however many links it travels.
 */
export class LinkOutbox extends Outbox<string> {
  constructor(
    host: OutboxHost,
    label: string,
    private readonly link: ChildLink,
    private readonly cache: BatchCache,
  ) {
    super(host, label);
  }

  protected write(start: number, end: number): boolean {
    const line = end - start === 1 ? `${this.items[start]}\n` : this.batchLine(start, end);
    this.countWrite(end - start, line.length);
    return this.link.write(line);
  }

  private batchLine(start: number, end: number): string {
    const { cache, items } = this;
    const count = end - start;
    const other = cache.items;
    if (other !== undefined && cache.end - cache.start === count) {
      let i = 0;
      while (i < count && other[cache.start + i] === items[start + i]) i++;
      if (i === count) return cache.line;
    }
    const frames = start === 0 && end === items.length ? items : items.slice(start, end);
    const line = BATCH_OPEN + frames.join(',') + BATCH_CLOSE;
    cache.items = items;
    cache.start = start;
    cache.end = end;
    cache.line = line;
    return line;
  }
}
