import { describeValue } from './describe-value.js';

/**
 * Every stable error code clustr-node raises. Codes are part of the public API: they never
 * change meaning, so callers may branch on them.
 */
export type ClustrErrorCode =
  /** A `cpu` that is not an integer core of this machine. */
  | 'ERR_CLUSTR_INVALID_CPU'
  /** A group name that breaks the naming rule or is reserved. */
  | 'ERR_CLUSTR_INVALID_GROUP'
  /** A workerId that breaks the naming rule. */
  | 'ERR_CLUSTR_INVALID_WORKER_ID'
  /** A channel name that breaks the naming rule, or a control channel used by hand. */
  | 'ERR_CLUSTR_INVALID_CHANNEL'
  /** Message data that JSON cannot carry faithfully (BigInt, cycles, functions, `undefined`). */
  | 'ERR_CLUSTR_INVALID_DATA'
  /** An option of the wrong type or out of its allowed range. */
  | 'ERR_CLUSTR_INVALID_OPTION'
  /** An exit code that is not an integer from 0 to 255. */
  | 'ERR_CLUSTR_INVALID_EXIT_CODE'
  /** A spawn spec whose `file` does not exist. */
  | 'ERR_CLUSTR_FILE_NOT_FOUND'
  /** `cpu` was asked for where `taskset` or Linux is missing. */
  | 'ERR_CLUSTR_AFFINITY_UNSUPPORTED'
  /** A child process could not be started. */
  | 'ERR_CLUSTR_SPAWN_FAILED'
  /** Input from outside (a pipe, Redis) that is not a valid frame: dropped and counted. */
  | 'ERR_CLUSTR_BAD_FRAME'
  /** A transport could not connect, lost its connection, or failed to deliver. */
  | 'ERR_CLUSTR_TRANSPORT'
  /** A bounded queue is full: messages past the bound are refused, not buffered. */
  | 'ERR_CLUSTR_QUEUE_FULL'
  /** The process or transport was closed before the operation. */
  | 'ERR_CLUSTR_CLOSED'
  /** No transport was given and none could be inherited from a parent. */
  | 'ERR_CLUSTR_NO_TRANSPORT'
  /** A bounded wait ran out: a request's `timeoutMs`, a subscription's acknowledgement. */
  | 'ERR_CLUSTR_TIMEOUT'
  /**
   * Nobody can answer: no live member has a handler for the method (or, for `deliver: 'one'`,
   * the group has no live member), or the member a request went to left before it answered.
   */
  | 'ERR_CLUSTR_NO_RESPONDER'
  /**
   * A request's handler threw or rejected in the process that answered it; `details.remote`
   * holds that error's `name`, `message` and `code` (and `stack` if the responder shares it).
   */
  | 'ERR_CLUSTR_REMOTE'
  /** The caller gave up: the `signal` it passed was aborted. */
  | 'ERR_CLUSTR_ABORTED'
  /** A message handler registered by the user threw; the other handlers still ran. */
  | 'ERR_CLUSTR_HANDLER_FAILED'
  /**
   * A frame or a request broke a trust rule: a child spoke for a process outside its subtree or
   * subscribed to a channel its subtree may not receive, a Redis frame was unsigned, wrongly
   * signed or replayed, a peer went past a hard cap. Dropped, counted and reported.
   */
  | 'ERR_CLUSTR_FORBIDDEN'
  /**
   * Messages a sender numbered never arrived (a gap in its sequence on a channel: pub/sub lost
   * them, e.g. while this process's Redis subscriber was disconnected). `details`: `sender` (the
   * sender's incarnation id), `channel`, `count` (messages missing, exact). Reported once per
   * episode; counted in the transport's `stats()` and in presence.
   */
  | 'ERR_CLUSTR_MESSAGES_LOST'
  /**
   * A rolling reload stopped: a new incarnation of the worker it names did not get ready (it
   * exited, or `readyTimeoutMs` passed). The old incarnation kept running.
   */
  | 'ERR_CLUSTR_RELOAD_FAILED';

/** Options of {@link ClustrError} beyond its message. */
export interface ClustrErrorOptions {
  /** The error or value that caused this one. */
  cause?: unknown;
  /** Structured facts about the failure (the offending value, limits), for logs and tests. */
  details?: Readonly<Record<string, unknown>>;
}

/** The mark every copy of {@link ClustrError} puts on its prototype. */
const BRAND = Symbol.for('clustr.ClustrError');

/**
 * The one error type clustr-node throws and emits. Branch on `code`, read `message` for what
 * was wrong, the value, and what is allowed.
 *
 * @example
 * try { master.spawn([{ file: './web.js', cpu: 9 }]) }
 * catch (error) { if (isClustrError(error) && error.code === 'ERR_CLUSTR_INVALID_CPU') … }
 */
export class ClustrError extends Error {
  static {
    Object.defineProperty(ClustrError.prototype, BRAND, { value: true });
  }

  /**
   * `instanceof ClustrError` also holds for an error of another copy of this package in the
   * process (the copy bundled into `clustr-node`, a CJS next to an ESM one): every copy brands its
   * prototype with the same `Symbol.for` key. A subclass keeps the ordinary prototype check.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class asked about, maybe a subclass
    if (this !== ClustrError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  override readonly name = 'ClustrError';
  /** The stable code of this failure. */
  readonly code: ClustrErrorCode;
  /** Structured facts about the failure, when there are any. */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ClustrErrorCode, message: string, options: ClustrErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }
}

/** True when `value` is a {@link ClustrError} (also across copies of this package). */
export function isClustrError(value: unknown): value is ClustrError {
  return (
    value instanceof ClustrError ||
    (value instanceof Error &&
      value.name === 'ClustrError' &&
      String((value as Error & { code?: unknown }).code).startsWith('ERR_CLUSTR_'))
  );
}

/**
 * Wraps anything thrown at a boundary (a socket, a Redis client) into a {@link ClustrError}
 * once; a ClustrError passes through unchanged.
 */
export function toClustrError(value: unknown, code: ClustrErrorCode, context: string): ClustrError {
  if (isClustrError(value)) return value;
  // describeValue, not String(): String() throws on objects without a prototype.
  const reason =
    value instanceof Error ? value.message : typeof value === 'string' ? value : describeValue(value);
  return new ClustrError(code, `${context}: ${reason}`, { cause: value });
}
