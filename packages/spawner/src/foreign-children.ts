import type { ChildProcess } from 'node:child_process';

/** The signals after which the parent ends its non-Node children (SIGHUP: a closed terminal or session). */
const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/** The children tracked and the listeners installed for them, one set per process. */
interface Registry {
  readonly live: Set<ChildProcess>;
  readonly endAll: () => void;
  readonly onSignal: (signal: NodeJS.Signals) => void;
}

/**
 * Kept on a `Symbol.for` global: with two copies of this module in a process (ESM and CJS, or the
 * copy bundled into `clustr-node`), one listener per signal still sees every child, and the
 * "no one else handles it" test below stays right.
 */
const REGISTRY = Symbol.for('clustr.foreignChildren');

/**
 * Sends `signal` to a non-Node child and everything it started: such children run in their own
 * process group (spawned `detached`), so a bash worker's `sleep` ends with it.
 */
export function signalProcessGroup(child: ChildProcess, signal: NodeJS.Signals): boolean {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return false;
  try {
    process.kill(-child.pid, signal);
    return true;
  } catch {
    return child.kill(signal);
  }
}

function createRegistry(): Registry {
  const live = new Set<ChildProcess>();
  const endAll = (): void => {
    for (const child of live) signalProcessGroup(child, 'SIGTERM');
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    const isOnlyListener = process.listenerCount(signal) === 1;
    // A program's own SIGHUP listener usually means "reload": the program lives on, and so do
    // its children. A SIGTERM or SIGINT listener means a shutdown on its way: end them now.
    if (signal === 'SIGHUP' && !isOnlyListener) return;
    endAll();
    // Our listener replaced Node's default (die on the signal); when no one else handles it, die
    // as the default would have, so the parent's exit status stays what its user expects.
    if (isOnlyListener) {
      uninstall(registry);
      process.kill(process.pid, signal);
    }
  };
  const registry: Registry = { live, endAll, onSignal };
  return registry;
}

function shared(): Registry {
  const store = globalThis as Record<symbol, Registry | undefined>;
  store[REGISTRY] ??= createRegistry();
  return store[REGISTRY];
}

function install({ endAll, onSignal }: Registry): void {
  process.on('exit', endAll);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstall({ endAll, onSignal }: Registry): void {
  process.removeListener('exit', endAll);
  for (const signal of SIGNALS) process.removeListener(signal, onSignal);
}

/**
 * Tracks a non-Node child until it exits: Node children notice their parent's death through
 * the IPC channel, other programs do not, so the parent ends them (SIGTERM to their groups) on
 * its graceful exit, SIGTERM, SIGINT, and a SIGHUP it dies of. Process listeners exist only while
 * such a child lives. A parent that dies without running them (SIGKILL) is covered by each
 * child's shim (`parent-watch-shim.ts`).
 */
export function trackForeignChild(child: ChildProcess): void {
  if (child.pid === undefined) return;
  const registry = shared();
  registry.live.add(child);
  if (registry.live.size === 1) install(registry);
  child.once('exit', () => {
    if (!registry.live.delete(child)) return;
    if (registry.live.size === 0) uninstall(registry);
  });
}
