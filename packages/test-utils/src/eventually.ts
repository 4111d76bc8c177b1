/**
 * Polls a condition (sync or async) until it holds, failing after `timeoutMs` with a message that
 * names what was awaited. For conditions no event announces (a pid gone from /proc, a server's
 * counters); wait on events instead wherever there is one.
 */
export async function eventually(
  test: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
