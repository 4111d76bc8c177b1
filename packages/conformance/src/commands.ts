import type { Envelope } from '@clustr/protocol';

/** What the test sends an agent (over the user's own IPC traffic, not through clustr). */
export type AgentCommand =
  | { cmd: 'publish'; id: number; channel: string; data: unknown }
  | { cmd: 'publish-many'; id: number; channel: string; count: number; tag: string }
  | { cmd: 'spawn'; id: number; group: string; count: number }
  | { cmd: 'kill'; id: number; target: string; code: number }
  | { cmd: 'off'; id: number; kind: MessageKind }
  | { cmd: 'members'; id: number }
  | { cmd: 'await-members'; id: number; ids: string[] }
  | { cmd: 'request'; id: number; target: string; method: string; data: unknown; timeoutMs?: number }
  | { cmd: 'handled'; id: number }
  | { cmd: 'close'; id: number }
  | { cmd: 'forward'; to: string; command: AgentCommand };

/**
 * The request methods every agent answers (registered before it joins, so its first heartbeat
 * lists them): `echo` returns the data; `whoami` its workerId; `fail` throws an error with
 * `data` as its code; `hang` never answers, and reports `handling` when it starts.
 */
export const AGENT_METHODS = ['echo', 'whoami', 'fail', 'hang'] as const;

/** How an agent's `request` command settled: the reply's data, or the failure's code and message. */
export type RequestOutcome =
  | { ok: unknown }
  | { code: string; message: string; details?: Readonly<Record<string, unknown>> };

/** The handler a message arrived on. */
export type MessageKind = 'public' | 'group' | 'private';

/** What an agent reports upward; parents relay their children's reports unchanged. */
export type AgentReport =
  | { report: 'reply'; origin: string; id: number; result?: unknown; error?: string }
  | { report: 'ready'; origin: string; parent: string; group: string; pid: number }
  | { report: 'message'; origin: string; kind: MessageKind; message: Envelope }
  | { report: 'child-exit'; origin: string; child: string; code: number | null; signal: string | null }
  | { report: 'child-restart'; origin: string; child: string }
  | { report: 'handling'; origin: string; method: string };

/** True when a user IPC message is an agent report. */
export function isAgentReport(value: unknown): value is AgentReport {
  return (
    typeof value === 'object' && value !== null && typeof (value as { report?: unknown }).report === 'string'
  );
}

/** True when a user IPC message is an agent command. */
export function isAgentCommand(value: unknown): value is AgentCommand {
  return typeof value === 'object' && value !== null && typeof (value as { cmd?: unknown }).cmd === 'string';
}
