import { describeValue, isGroupName, isWorkerId, RPC_CHANNEL_PREFIX } from '@clustr/protocol/internal';
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

/** What arrives on a process's `rpc:<id>` channel, read from the message's data. */
export type RpcMessage =
  | { readonly kind: 'req'; readonly id: number; readonly method: string; readonly replyTo: string }
  | { readonly kind: 'res'; readonly id: number }
  | { readonly kind: 'err'; readonly id: number; readonly error: RemoteErrorInfo }
  | { readonly kind: 'one'; readonly group: string };

/** Longest error name or message a reply may carry; longer ones are cut. */
const MAX_ERROR_TEXT = 4096;
/** Longest stack a reply may carry. */
const MAX_STACK = 16_384;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isId = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** True for a channel a reply may go to: `rpc:<id>`, never another kind of channel. */
export function isReplyChannel(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.startsWith(RPC_CHANNEL_PREFIX) &&
    isWorkerId(value.slice(RPC_CHANNEL_PREFIX.length))
  );
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

/** `{"one":"<group>","data":…}` around data that is already JSON. */
export function encodeOne(group: string, dataJson: string): string {
  return `{"one":"${group}","data":${dataJson}}`;
}

/** Reads what came on an rpc channel; undefined when it is none of the four (reported by the caller). */
export function readRpcMessage(data: unknown): RpcMessage | undefined {
  if (!isRecord(data)) return undefined;
  const { req, res, one } = data;
  if (isRecord(req)) {
    const { id, method, replyTo } = req;
    if (!isId(id) || !isMethodName(method) || !isReplyChannel(replyTo) || !('data' in data)) return undefined;
    return { kind: 'req', id, method, replyTo };
  }
  if (isRecord(res)) {
    if (!isId(res.id)) return undefined;
    if (res.error === undefined) return 'data' in data ? { kind: 'res', id: res.id } : undefined;
    const error = readRemoteError(res.error);
    return error === undefined ? undefined : { kind: 'err', id: res.id, error };
  }
  if (typeof one === 'string' && isGroupName(one) && 'data' in data) return { kind: 'one', group: one };
  return undefined;
}

function readRemoteError(value: unknown): RemoteErrorInfo | undefined {
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
