/** Polls a condition with a bounded wait; the failure names what was awaited. */
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

export function clientIds(list: string, namePrefix: string): string[] {
  return list
    .split('\n')
    .filter((line) => new RegExp(`name=${namePrefix}\\S*`).test(line))
    .map((line) => /id=(\d+)/.exec(line)?.[1] ?? '');
}
