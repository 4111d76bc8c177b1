import { readFileSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { basename } from 'node:path';
import type { SpawnSpec, WorkerHandle } from '@clustr/spawner';
import type { Member } from './presence-types.js';
import { StatsSampler, type TrafficCounters } from './process-stats.js';

/** Who this process is, for its own presence record. */
export interface SelfFacts {
  readonly workerId: string | undefined;
  readonly group: string;
  /** The parent's workerId (`master` for a child of a master), when clustr spawned this process. */
  readonly parentWorkerId: string | undefined;
  readonly restarts: number;
}

/** What a record says about requests: where they go, and the methods the process answers. */
export interface RequestOffer {
  readonly rpc: string;
  /** Sorted; undefined when there are none. */
  readonly methods: string[] | undefined;
}

const HOST = hostname();

/** The member id of a master: its host and pid, so that masters sharing a namespace never collide. */
export function masterMemberId(host: string, pid: number): string {
  return `master@${host}:${pid}`;
}

/** The core this process is pinned to (Linux: one allowed CPU of several), or undefined. */
function pinnedCpu(): number | undefined {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const allowed = /^Cpus_allowed_list:\s*(\d+)\s*$/m.exec(status);
    return allowed !== null && availableParallelism() > 1 ? Number(allowed[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Builds this process's member record, and those of the foreign children it announces. */
export class MemberRecords {
  private readonly base: Omit<Member, 'state' | 'stats'>;
  private readonly sampler: StatsSampler;
  /** Foreign children (a `command` other than node) with their spec: announced by this process. */
  private readonly foreign = new Map<
    WorkerHandle,
    { spec: SpawnSpec; startedAt: number; restarts: number }
  >();

  constructor(facts: SelfFacts, counters: TrafficCounters, transportStats: () => unknown) {
    const id = facts.workerId ?? masterMemberId(HOST, process.pid);
    const parentId =
      facts.parentWorkerId === undefined
        ? undefined
        : facts.parentWorkerId === 'master'
          ? masterMemberId(HOST, process.ppid)
          : facts.parentWorkerId;
    this.base = {
      id,
      workerId: facts.workerId ?? 'master',
      group: facts.group,
      host: HOST,
      pid: process.pid,
      command: 'node',
      file: process.argv[1] ?? '',
      startedAt: Date.now(),
      restarts: facts.restarts,
      ...(parentId === undefined ? {} : { parentId }),
    };
    const cpu = pinnedCpu();
    if (cpu !== undefined) this.base.cpu = cpu;
    this.sampler = new StatsSampler(counters, transportStats);
  }

  /** What the parent's welcome told: this incarnation's number and the core it pinned it to. */
  welcomed(restarts: number | undefined, cpu: number | undefined): void {
    if (restarts !== undefined) this.base.restarts = restarts;
    if (cpu !== undefined) this.base.cpu = cpu;
  }

  /** This process's id in presence. */
  get id(): string {
    return this.base.id;
  }

  self(state: Member['state'], offer: RequestOffer): Member {
    const member: Member = { ...this.base, state, stats: this.sampler.sample(), rpc: offer.rpc };
    if (offer.methods !== undefined) member.methods = offer.methods;
    return member;
  }

  /** Remembers the children of a spawn whose command is not node: this process announces them. */
  spawned(specs: readonly SpawnSpec[], handles: readonly WorkerHandle[]): void {
    handles.forEach((handle, i) => {
      const spec = specs[i]!;
      if (spec.command === undefined || /^node(js)?(\.exe)?$/.test(basename(spec.command))) return;
      const entry = { spec, startedAt: Date.now(), restarts: handle.restarts };
      this.foreign.set(handle, entry);
      handle.on('exit', () => {
        entry.startedAt = Date.now();
      });
      void handle.exited.then(() => this.foreign.delete(handle));
    });
  }

  /** The foreign children running now. */
  announced(): Member[] {
    const list: Member[] = [];
    for (const [handle, { spec, startedAt }] of this.foreign) {
      if (handle.pid === undefined || handle.state !== 'running') continue;
      const member: Member = {
        id: handle.workerId,
        workerId: handle.workerId,
        group: basename(spec.command!),
        parentId: this.base.id,
        host: HOST,
        pid: handle.pid,
        command: spec.command!,
        file: String(spec.file),
        startedAt,
        restarts: handle.restarts,
        state: 'ready',
      };
      if (spec.cpu !== undefined) member.cpu = spec.cpu;
      list.push(member);
    }
    return list;
  }

  stop(): void {
    this.sampler.stop();
  }
}
