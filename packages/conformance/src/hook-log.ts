import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One line of an agent's shutdown log (see `AGENT_HOOK_LOG` in the agent). */
export interface HookEvent {
  readonly event: 'ready' | 'hook-start' | 'hook-done' | 'error' | 'exit' | 'private';
  readonly origin: string;
  /** The parent's workerId, or `master`. */
  readonly parent: string;
  readonly pid: number;
  /** Epoch ms. */
  readonly at: number;
  readonly reason?: { kind: string; code?: number; signal?: string };
  readonly code?: number | string;
  readonly message?: string;
  /** A private message's data. */
  readonly data?: unknown;
}

/** A fresh file for agents to log their shutdowns to; `read()` parses what is there so far. */
export class HookLog {
  readonly path: string;

  constructor() {
    this.path = join(mkdtempSync(join(tmpdir(), 'clustr-hooks-')), 'hooks.jsonl');
  }

  read(): HookEvent[] {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as HookEvent);
  }

  /** The events of one worker (by its workerId, or its pid: one incarnation), in order. */
  of(who: string | number): HookEvent[] {
    return this.read().filter((event) => event.origin === who || event.pid === who);
  }

  /** The first event of `who` named `event`, or undefined. */
  find(who: string | number, event: HookEvent['event']): HookEvent | undefined {
    return this.of(who).find((line) => line.event === event);
  }
}
