import { readdirSync, readFileSync } from 'node:fs';

/** State and parent of a process from `/proc/<pid>/stat`, or undefined when it is gone. */
export function procStat(pid: number): { state: string; ppid: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name may hold spaces and parentheses: fields start after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '?', ppid: Number(fields[1]) };
}

/** True while `pid` is a living process (a zombie has exited: it counts as gone). */
export function isAlive(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

/** Every living descendant of `root`, read from `/proc`. */
export function descendantsOf(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = procStat(pid);
    if (stat === undefined || !isAlive(pid)) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(pid);
    children.set(stat.ppid, list);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/**
 * Polls `/proc` until none of `pids` is alive or `deadlineMs` passed; returns those still
 * alive and how long it took. Polling with a deadline is the measurement itself here.
 */
export async function waitGone(
  pids: readonly number[],
  deadlineMs: number,
): Promise<{ remaining: number[]; elapsedMs: number }> {
  const start = performance.now();
  for (;;) {
    const remaining = pids.filter(isAlive);
    const elapsedMs = performance.now() - start;
    if (remaining.length === 0 || elapsedMs >= deadlineMs) return { remaining, elapsedMs };
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
