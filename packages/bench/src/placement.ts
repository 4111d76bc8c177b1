import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

/** Where the bench's processes run. */
export interface Placement {
  readonly isPinned: boolean;
  /** One sentence for the report and the JSON file. */
  readonly description: string;
  /** Pins a child (all its threads) to the children's core; a no-op when unpinned. */
  placeChild(pid: number | undefined): void;
}

const PARENT_CORE = 0;
const CHILD_CORE = 1;

function taskset(core: number, pid: number): void {
  // -a: every thread of the process (libuv and V8 threads exist already when a child is placed).
  execFileSync('taskset', ['-a', '-p', '-c', String(core), String(pid)], { stdio: 'ignore' });
}

/**
 * Unpinned (the default, as in the reference figures): the OS schedules every process
 * on any core. Pinned: this process on core 0, every child and redis-server on core 1, set with
 * `taskset -a -p -c` right after each child starts, the same way for clustr and baselines.
 */
export function createPlacement(isPinned: boolean): Placement {
  const cores = availableParallelism();
  if (!isPinned) {
    return {
      isPinned,
      description: `unpinned: every process may run on any of the ${cores} cores (OS scheduler; the machine is shared with other work)`,
      placeChild() {},
    };
  }
  if (cores < 2) throw new Error(`--pin needs 2 cores, this machine has ${cores}`);
  taskset(PARENT_CORE, process.pid);
  return {
    isPinned,
    description: `pinned with taskset: the bench process (sender/master) on core ${PARENT_CORE}; every child and redis-server on core ${CHILD_CORE} (spawn-to-ready children start on core ${PARENT_CORE}, inherited, and are not moved)`,
    placeChild(pid) {
      if (pid !== undefined) taskset(CHILD_CORE, pid);
    },
  };
}
