import type { WorkerHandle } from '@clustr/core';

/**
 * The SIGKILL rounds of the worker-fault scenarios: one worker, another one, then the first
 * again (its backoff's attempt 2) together with a third, both at once. The workers are taken in
 * a shuffled order: random victims.
 */
export function faultRounds(handles: readonly WorkerHandle[]): WorkerHandle[][] {
  const order = handles
    .map((h) => ({ h, key: Math.random() }))
    .sort((x, y) => x.key - y.key)
    .map((x) => x.h);
  const [a, b, c] = order as [WorkerHandle, WorkerHandle, WorkerHandle];
  return [[a], [b], [a, c]];
}
