import type { Member } from '../src/presence-types.js';

/** A presence record of a ready node worker, for unit tests; `fields` override or add to it. */
export function memberRecord(id: string, fields: Partial<Member> = {}): Member {
  return {
    id,
    workerId: id,
    group: 'web',
    host: 'h',
    pid: 1,
    command: 'node',
    file: 'w.js',
    startedAt: 0,
    restarts: 0,
    state: 'ready',
    ...fields,
  };
}
