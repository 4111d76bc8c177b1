import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap in use after a full garbage collection: what the process really holds. */
export function retainedHeap(): number {
  gc();
  return process.memoryUsage().heapUsed;
}
