import { describeValue, isWorkerId, RPC_CHANNEL_PREFIX } from '@clustr/protocol/internal';
import { isMethodName } from './rpc-names.js';

/** The error a responder sends back when its handler threw or rejected. */
export interface RemoteErrorInfo {
  name: string;
  message: string;
  /** The thrown error's `code`, when it had a string or number one. */
  code?: string | number;
  /** Only when the responder registered the handler with `exposeStack: true`. */
  stack?: string;
}

/**
 * The data of a message on a process's `rpc:<id>` channel, by kind, once {@link rpcKind} has
 * checked it: a request, or a reply (`res` with `data`, or with an `error`). One-of-group
 * messages have their own channel, `one:<workerId>`, and no wrapper.
 */
export type RpcData =
  | {
      readonly req: { readonly id: number; readonly method: string; readonly replyTo: string };
      readonly data: unknown;
    }
  | { readonly res: { readonly id: number; readonly error?: unknown }; readonly data?: unknown };

/** The kinds of {@link RpcData}: `err` is a reply with an error. */
export type RpcKind = 'req' | 'res' | 'err';

/** Longest error name or message a reply may carry; longer ones are cut. */
const MAX_ERROR_TEXT = 4096;
/** Longest stack a reply may carry. */
const MAX_STACK = 16_384;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isId = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/**
 * Strings a check passed lately (reply channels, method names): the requests of a caller name
 * the same ones again and again, and a set lookup costs less than the regular expression.
 */
class Passed {
  readonly #seen = new Set<string>();
  constructor(private readonly check: (value: string) => boolean) {}
  test(value: unknown): value is string {
    if (typeof value !== 'string') return false;
    if (this.#seen.has(value)) return true;
    if (!this.check(value)) return false;
    if (this.#seen.size >= 4096) this.#seen.clear();
    this.#seen.add(value);
    return true;
  }
}

const replyChannels = new Passed(
  (value) => value.startsWith(RPC_CHANNEL_PREFIX) && isWorkerId(value.slice(RPC_CHANNEL_PREFIX.length)),
);
const methodNames = new Passed(isMethodName);

/** True for a channel a reply may go to: `rpc:<id>`, never another kind of channel. */
export function isReplyChannel(value: unknown): value is string {
  return replyChannels.test(value);
}

/**
 * The part of a request's wire after its id, for one method and one caller (cached per method:
 * the hot path only concatenates). Method names and channels never need escaping.
 */
export function requestTail(method: string, replyTo: string): string {
  return `,"method":"${method}","replyTo":"${replyTo}"},"data":`;
}

/** `{"req":{"id":…,"method":…,"replyTo":…},"data":…}` around data that is already JSON. */
export function encodeRequest(id: number, tail: string, dataJson: string): string {
  return `{"req":{"id":${id}${tail}${dataJson}}`;
}

/** `{"res":{"id":…},"data":…}` around data that is already JSON. */
export function encodeReply(id: number, dataJson: string): string {
  return `{"res":{"id":${id}},"data":${dataJson}}`;
}

/** `{"res":{"id":…,"error":{…}}}`: the handler failed (not the hot path: one stringify). */
export function encodeErrorReply(id: number, error: RemoteErrorInfo): string {
  return JSON.stringify({ res: { id, error } });
}

/**
 * Checks what came on an rpc channel and says which kind it is; undefined when it is none of
 * them (reported by the caller). Allocates nothing: the caller reads the fields of `data`.
 */
export function rpcKind(data: unknown): RpcKind | undefined {
  if (!isRecord(data)) return undefined;
  const { req, res } = data;
  if (isRecord(res)) {
    if (!isId(res.id)) return undefined;
    if (res.error === undefined) return 'data' in data ? 'res' : undefined;
    return 'err';
  }
  if (!isRecord(req) || !('data' in data)) return undefined;
  return isId(req.id) && methodNames.test(req.method) && replyChannels.test(req.replyTo) ? 'req' : undefined;
}

/** The error of an `err` reply, rebuilt from its known fields and cut to size; undefined if malformed. */
export function readRemoteError(value: unknown): RemoteErrorInfo | undefined {
  if (!isRecord(value)) return undefined;
  const { name, message, code, stack } = value;
  if (typeof name !== 'string' || typeof message !== 'string') return undefined;
  const error: RemoteErrorInfo = {
    name: name.slice(0, MAX_ERROR_TEXT),
    message: message.slice(0, MAX_ERROR_TEXT),
  };
  if (typeof code === 'string') error.code = code.slice(0, MAX_ERROR_TEXT);
  else if (typeof code === 'number' && Number.isFinite(code)) error.code = code;
  if (typeof stack === 'string') error.stack = stack.slice(0, MAX_STACK);
  return error;
}

/**
 * What a responder tells the requester about what its handler threw: name, message, code (a
 * string or number one), and the stack only when `exposeStack`. Never throws, whatever was thrown.
 */
export function describeThrown(value: unknown, exposeStack: boolean): RemoteErrorInfo {
  try {
    if (!(value instanceof Error)) {
      return { name: 'Error', message: typeof value === 'string' ? value : `threw ${describeValue(value)}` };
    }
    const name = typeof value.name === 'string' ? value.name : 'Error';
    const error: RemoteErrorInfo = { name, message: String(value.message) };
    const { code } = value as { code?: unknown };
    if (typeof code === 'string' || (typeof code === 'number' && Number.isFinite(code))) error.code = code;
    if (exposeStack && typeof value.stack === 'string') error.stack = value.stack.slice(0, MAX_STACK);
    return error;
  } catch {
    // A getter that throws (a revoked Proxy): say so rather than fail the reply.
    return { name: 'Error', message: 'the handler threw a value that cannot be read' };
  }
}
