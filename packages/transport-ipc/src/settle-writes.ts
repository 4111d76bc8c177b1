import type { Link } from '@clustr/protocol';

/**
 * Resolves once every link took what was written to it (its socket drained or it closed), or
 * after `timeoutMs`: `close()` waits so that a process may exit right after.
 */
export function settleWrites(links: Iterable<Link>, timeoutMs: number): Promise<void> {
  const pending: Promise<void>[] = [];
  // Every listener this adds, removed at the end however it ends (a timeout included).
  const offs: (() => void)[] = [];
  for (const link of links) {
    if (link.isClosed || link.writableLength === 0) continue;
    pending.push(
      new Promise<void>((resolve) => {
        offs.push(link.onDrain(resolve), link.onClose(resolve));
      }),
    );
  }
  if (pending.length === 0) return Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  return Promise.race([Promise.all(pending).then(() => undefined), timeout]).finally(() => {
    clearTimeout(timer);
    for (const off of offs) off();
  });
}
