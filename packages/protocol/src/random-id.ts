/**
 * A random UUID (v4) for a new workerId. Web Crypto's global `crypto` is loaded on first use,
 * where a static `import 'node:crypto'` costs every process ~5 ms at start-up, spawned workers
 * included, which never need it.
 */
export function randomId(): string {
  return globalThis.crypto.randomUUID();
}
