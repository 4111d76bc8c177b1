import { ClustrError, type ClustrErrorCode } from '@clustr/protocol';
import { describeValue } from '@clustr/protocol/internal';
import type { ReloadSummary } from './master-reload.js';
import type { LeftMember, MemberView } from './member-watch.js';

/** The version of the control socket's protocol, in every `info` answer. */
export const CONTROL_PROTOCOL = 1;
/** Longest request line a master reads, in characters: a `publish` with its data fits. */
export const MAX_REQUEST_LENGTH = 1024 * 1024;
/** Longest answer line a client reads, in characters: the members of a large cluster fit. */
export const MAX_REPLY_LENGTH = 64 * 1024 * 1024;

/** What a client asks a master, one JSON line each. */
export type ControlRequest =
  /** Who the master is: {@link ClusterInfo}. */
  | { op: 'info' }
  /** Its members with their rates, and those that left lately. */
  | { op: 'members' }
  /** `killWorker(workerId, code)` as the master. */
  | { op: 'kill'; workerId: string; code: number }
  /** `publish(channel, data)` as the master. */
  | { op: 'publish'; channel: string; data: unknown }
  /** `reload({ group })` of the master: answered when the reload is over. */
  | { op: 'reload'; group?: string };

/** A master, as its control socket describes it. */
export interface ClusterInfo {
  protocol: number;
  /** The master's `name` option. */
  name: string;
  pid: number;
  host: string;
  /** The master's member id. */
  id: string;
  /** Epoch milliseconds when the master was created. */
  startedAt: number;
  /** The transport's name, once known (`ipc`, `redis`). */
  transport: string | undefined;
  /** How many members it knows, itself included. */
  members: number;
}

/** What a master knows of its members, as `members` answers. */
export interface MembersAnswer {
  members: MemberView[];
  left: LeftMember[];
}

/** One answer line: for every request, in order. */
export type ControlReply =
  | { ok: true; info: ClusterInfo }
  | ({ ok: true } & MembersAnswer)
  /** What `reload` did. */
  | { ok: true; reload: ReloadSummary }
  /** `kill` and `publish` were done. */
  | { ok: true }
  | { ok: false; error: { code: ClustrErrorCode; message: string } };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function badRequest(message: string, value: unknown): ClustrError {
  return new ClustrError('ERR_CLUSTR_BAD_FRAME', `${message} (got ${describeValue(value)})`);
}

/**
 * Reads one request line. What is not a request becomes the error its answer carries: a client
 * cannot make the master throw. Unknown fields are ignored, so a newer client can add some.
 */
export function readRequest(line: string): ControlRequest | ClustrError {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return badRequest('a control request must be one line of JSON', line.slice(0, 80));
  }
  if (!isRecord(value)) return badRequest('a control request must be a JSON object', value);
  switch (value.op) {
    case 'info':
    case 'members':
      return { op: value.op };
    case 'kill': {
      const { workerId, code = 0 } = value;
      if (typeof workerId !== 'string') return badRequest('"kill" needs a string "workerId"', workerId);
      if (typeof code !== 'number') return badRequest('"kill" takes a number "code"', code);
      return { op: 'kill', workerId, code };
    }
    case 'publish':
      if (typeof value.channel !== 'string') {
        return badRequest('"publish" needs a string "channel"', value.channel);
      }
      if (!Object.hasOwn(value, 'data')) return badRequest('"publish" needs "data"', value);
      return { op: 'publish', channel: value.channel, data: value.data };
    case 'reload':
      if (value.group !== undefined && typeof value.group !== 'string')
        return badRequest('"reload" takes a string "group"', value.group);
      return value.group === undefined ? { op: 'reload' } : { op: 'reload', group: value.group };
    default:
      return badRequest('"op" must be "info", "members", "kill", "publish" or "reload"', value.op);
  }
}

/** The answer that carries an error. */
export function failure(error: ClustrError): ControlReply {
  return { ok: false, error: { code: error.code, message: error.message } };
}

/**
 * Cuts a text stream into lines, holding at most `maxLength` characters of an unfinished line:
 * a peer that never writes a newline cannot grow it. (The spawner's `LineReader` does this for
 * links, on bytes; it is not exported, and a control socket reads text it decodes itself.)
 */
export class LineSplitter {
  /** The unfinished line, in the chunks it came in: a long line is joined once, not per chunk. */
  private parts: string[] = [];
  private length = 0;

  constructor(private readonly maxLength: number) {}

  /** The lines this chunk completes; `undefined` once a line is longer than the limit. */
  push(chunk: string): string[] | undefined {
    if (!chunk.includes('\n')) {
      this.parts.push(chunk);
      this.length += chunk.length;
      return this.length > this.maxLength ? this.overflow() : [];
    }
    const lines = chunk.split('\n');
    lines[0] = this.parts.join('') + lines[0];
    const rest = lines.pop() ?? '';
    this.parts = rest === '' ? [] : [rest];
    this.length = rest.length;
    if (this.length > this.maxLength || lines.some((line) => line.length > this.maxLength)) {
      return this.overflow();
    }
    return lines;
  }

  private overflow(): undefined {
    this.parts = [];
    this.length = 0;
    return undefined;
  }
}
