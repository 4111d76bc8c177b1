import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Master, type MasterOptions } from '@clustr/core';
import type { Envelope, Transport } from '@clustr/protocol';
import type { WorkerHandle } from '@clustr/spawner';
import { type AgentCommand, type AgentReport, isAgentReport, type MessageKind } from './commands.js';
import { waitFor } from './wait-for.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The agent worker every conformance test drives. */
export const AGENT_FILE = join(here, '..', 'fixtures', 'agent.ts');
const tsxLoader = join(
  dirname(createRequire(import.meta.url).resolve('tsx/package.json')),
  'dist',
  'loader.mjs',
);
/** Node flags that let a child run the TypeScript fixtures against workspace sources. */
export const FIXTURE_EXEC_ARGV: readonly string[] = ['--import', tsxLoader, '--conditions=@clustr/source'];

/** A worker of the test cluster, as the test knows it. */
export interface Agent {
  readonly workerId: string;
  readonly group: string;
  /** The workerId of the agent that spawned it; `undefined` when the master did. */
  readonly parent: string | undefined;
  /** The spawn handle, for agents the master spawned. */
  readonly handle: WorkerHandle | undefined;
}

/**
 * A master in the test process plus agents in real child processes (nested to any depth),
 * driven by commands and observed through their reports — no sleeps anywhere.
 */
export class TestCluster implements AsyncDisposable {
  readonly master: Master;
  readonly reports: AgentReport[] = [];
  /** What the master's own handlers received. */
  readonly masterMessages: Record<'public' | 'private', Envelope[]> = { public: [], private: [] };
  readonly #listeners = new Set<() => void>();
  readonly #agents = new Map<string, Agent>();
  #nextId = 1;

  private constructor(master: Master) {
    this.master = master;
    master.onPublic((message) => this.#record(() => this.masterMessages.public.push(message)));
    master.onPrivate((message) => this.#record(() => this.masterMessages.private.push(message)));
  }

  /** Starts a master on the given transport and waits until it is ready. */
  static async start(
    transport: Transport,
    options: Omit<MasterOptions, 'transport'> = {},
  ): Promise<TestCluster> {
    const cluster = new TestCluster(Master.create({ ...options, transport }));
    await cluster.master.ready();
    return cluster;
  }

  /** Records a report the test itself observed (e.g. a handle's exit) and wakes the waiters. */
  note(report: AgentReport): void {
    this.#record(() => this.reports.push(report));
  }

  /** Wakes the waiters after a change the cluster cannot see (e.g. a callback of the test's own). */
  touch(): void {
    this.#record(() => undefined);
  }

  /** Calls back on every change the cluster observed; returns the unsubscriber. */
  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /**
   * Spawns `count` agents of `group` from the master and waits until each is ready. `env` goes
   * to each agent's environment (e.g. `AGENT_HOOK_LOG`, see the agent).
   */
  async spawn(group: string, count = 1, env: Record<string, string> = {}): Promise<Agent[]> {
    const handles = this.master.spawn(
      Array.from({ length: count }, () => ({
        file: AGENT_FILE,
        args: [group],
        execArgv: [...FIXTURE_EXEC_ARGV],
        env,
      })),
    );
    for (const handle of handles) {
      handle.on('message', (message) => {
        if (isAgentReport(message)) this.#record(() => this.reports.push(message));
      });
    }
    const ids = handles.map((handle) => handle.workerId);
    await this.#readyOf(ids, `${count} "${group}" agents spawned by the master`);
    return handles.map((handle) =>
      this.#remember({ workerId: handle.workerId, group, parent: undefined, handle }),
    );
  }

  /** Makes `parent` spawn `count` agents of `group` and waits until each is ready. */
  async spawnUnder(parent: Agent, group: string, count = 1): Promise<Agent[]> {
    const ids = (await this.command(parent, { cmd: 'spawn', id: 0, group, count })) as string[];
    await this.#readyOf(ids, `${count} "${group}" agents spawned by ${parent.workerId}`);
    return ids.map((workerId) =>
      this.#remember({ workerId, group, parent: parent.workerId, handle: undefined }),
    );
  }

  /** Sends a command to an agent (through its ancestors) and waits for its reply. */
  async command(agent: Agent, command: AgentCommand): Promise<unknown> {
    const id = this.#nextId++;
    const numbered = { ...command, id } as AgentCommand;
    this.#topHandleOf(agent).send({ cmd: 'forward', to: agent.workerId, command: numbered });
    const reply = await waitFor(
      this.subscribe,
      () => this.reports.find((r) => r.report === 'reply' && r.origin === agent.workerId && r.id === id),
      `the reply of ${agent.workerId} to "${command.cmd}"`,
    );
    if (reply.report === 'reply' && reply.error !== undefined)
      throw new Error(`agent ${agent.workerId}: ${reply.error}`);
    return reply.report === 'reply' ? reply.result : undefined;
  }

  /** The messages an agent received, optionally only those of one kind. */
  received(agent: Agent, kind?: MessageKind): Envelope[] {
    const out: Envelope[] = [];
    for (const r of this.reports) {
      if (r.report === 'message' && r.origin === agent.workerId && (kind === undefined || r.kind === kind))
        out.push(r.message);
    }
    return out;
  }

  /** Waits until `check` holds, re-checking on every report; fails naming `what`. */
  until<T>(check: () => T | undefined, what: string, timeoutMs?: number): Promise<T> {
    return waitFor(this.subscribe, check, what, timeoutMs);
  }

  /** Waits until `agent` received at least `count` messages of `kind`; returns them. */
  receivedAtLeast(agent: Agent, kind: MessageKind, count: number, what?: string): Promise<Envelope[]> {
    return this.until(() => {
      const got = this.received(agent, kind);
      return got.length >= count ? got : undefined;
    }, what ?? `${count} ${kind} message(s) at ${agent.group} agent ${agent.workerId}`);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.master.close();
  }

  #remember(agent: Agent): Agent {
    this.#agents.set(agent.workerId, agent);
    return agent;
  }

  #record(change: () => void): void {
    change();
    for (const listener of [...this.#listeners]) listener();
  }

  #readyOf(ids: string[], what: string): Promise<void> {
    return this.until(() => {
      const ready = new Set(this.reports.flatMap((r) => (r.report === 'ready' ? [r.origin] : [])));
      return ids.every((id) => ready.has(id)) ? true : undefined;
    }, what).then(() => undefined);
  }

  #topHandleOf(agent: Agent): WorkerHandle {
    let top: Agent | undefined = agent;
    while (top?.parent !== undefined) top = this.#agents.get(top.parent);
    if (top?.handle === undefined) throw new Error(`no top-level agent leads to ${agent.workerId}`);
    return top.handle;
  }
}
