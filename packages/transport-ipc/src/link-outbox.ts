import type { Link } from '@clustr/protocol';
import { Outbox, type OutboxHost } from './outbox.js';
import type { Run } from './run.js';

/**
 * The last joined write built in the current flush, so that links receiving the very same frames
 * in one turn (a fan-out) share one string instead of joining the lines again per link.
 */
export interface WriteCache {
  items: readonly (string | Run)[] | undefined;
  start: number;
  end: number;
  text: string;
}

/** A fresh, empty {@link WriteCache}. */
export function createWriteCache(): WriteCache {
  return { items: undefined, start: 0, end: 0, text: '' };
}

/**
 * The outbox of one link (a child, or the parent: the link is the same both ways). Items are
 * frame lines without their newline, shared by every link a frame goes to: a frame is encoded
 * once however many links it travels, and a relayed frame is the line that arrived.
 */
export class LinkOutbox extends Outbox {
  constructor(
    host: OutboxHost,
    label: string,
    private readonly link: Link,
    private readonly cache: WriteCache,
  ) {
    super(host, label);
  }

  /** Bytes written to the link that the peer has not taken yet. */
  get writableLength(): number {
    return this.link.writableLength;
  }

  protected write(start: number, end: number, bytes: number): boolean {
    if (this.link.isClosed) {
      this.countDropped(this.messagesIn(start, end));
      return true;
    }
    const text = end - start === 1 ? `${lineOf(this.items[start]!)}\n` : this.joined(start, end);
    this.countWrite(this.messagesIn(start, end), bytes + (end - start));
    return this.link.write(text);
  }

  private joined(start: number, end: number): string {
    const { cache, items } = this;
    const count = end - start;
    const other = cache.items;
    if (other !== undefined && cache.end - cache.start === count) {
      let i = 0;
      while (i < count && other[cache.start + i] === items[start + i]) i++;
      if (i === count) return cache.text;
    }
    let text = '';
    for (let i = start; i < end; i++) text += `${lineOf(items[i]!)}\n`;
    cache.items = items;
    cache.start = start;
    cache.end = end;
    cache.text = text;
    return text;
  }
}

function lineOf(item: string | Run): string {
  return typeof item === 'string' ? item : item.toLine();
}
