import type { Snapshot } from './member-table.js';

/** A cluster the command looks at and acts on: a local master's socket, or a Redis namespace. */
export interface ClusterSource {
  /** What is shown, in a line: `cluster shop · master pid 4242 on box · ipc`. */
  readonly title: string;
  /** Epoch milliseconds since when the master runs, when there is one master to ask. */
  readonly startedAt: number | undefined;
  /** The members now, with their rates, and those that left lately. */
  snapshot(): Promise<Snapshot>;
  /** `killWorker(workerId, code)`, as a member would. */
  kill(workerId: string, code: number): Promise<void>;
  /** `publish(channel, data)`, as a member would. */
  publish(channel: string, data: unknown): Promise<void>;
  close(): Promise<void>;
}
