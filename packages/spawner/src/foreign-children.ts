import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();
const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

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

function endAll(): void {
  for (const child of live) signalProcessGroup(child, 'SIGTERM');
}

function onSignal(signal: NodeJS.Signals): void {
  endAll();
  // Our listener replaced Node's default (die on the signal); when no one else handles it, die
  // as the default would have, so the parent's exit status stays what its user expects.
  if (process.listenerCount(signal) === 1) {
    uninstall();
    process.kill(process.pid, signal);
  }
}

function install(): void {
  process.on('exit', endAll);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstall(): void {
  process.removeListener('exit', endAll);
  for (const signal of SIGNALS) process.removeListener(signal, onSignal);
}

/**
 * Tracks a non-Node child until it exits: Node children notice their parent's death through
 * the IPC channel, other programs do not, so the parent ends them on its graceful exit,
 * SIGTERM or SIGINT. Process listeners exist only while such a child lives.
 */
export function trackForeignChild(child: ChildProcess): void {
  if (child.pid === undefined) return;
  live.add(child);
  if (live.size === 1) install();
  child.once('exit', () => {
    if (!live.delete(child)) return;
    if (live.size === 0) uninstall();
  });
}
