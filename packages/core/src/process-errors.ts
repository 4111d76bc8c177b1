import { ClustrError } from '@clustr/protocol';
import { describeValue } from '@clustr/protocol/internal';

/** What `operation` throws once `close()` was called. */
export function closedError(operation: string): ClustrError {
  return new ClustrError(
    'ERR_CLUSTR_CLOSED',
    `cannot ${operation}: this process has left the cluster (close() was called)`,
  );
}

/** Why `ready()` rejects when `close()` came before the process joined. */
export function closedBeforeJoining(): ClustrError {
  return new ClustrError('ERR_CLUSTR_CLOSED', 'closed before it joined the cluster');
}

/** What `publish` throws once joining failed for `reason`: the reason, not a queue that never drains. */
export function failedBefore(reason: ClustrError): ClustrError {
  return new ClustrError(reason.code, `cannot publish: ${reason.message}`, { cause: reason });
}

/** What `create()` throws for options that are not an object. */
export function invalidOptions(options: unknown): ClustrError {
  return new ClustrError(
    'ERR_CLUSTR_INVALID_OPTION',
    `options ${describeValue(options)} are not valid (an object)`,
  );
}

/** What `create()` throws for a `defaultTransport` that is not a function. */
export function invalidDefaultTransport(value: unknown): ClustrError {
  return new ClustrError(
    'ERR_CLUSTR_INVALID_OPTION',
    `defaultTransport ${describeValue(value)} is not valid (a function returning a transport)`,
  );
}

/** Why `ready()` rejects for a process that was given no transport and inherits none. */
export function noTransport(): ClustrError {
  return new ClustrError(
    'ERR_CLUSTR_NO_TRANSPORT',
    'no transport: pass { transport } (e.g. createIpcTransport()) or use the clustr-node package, which defaults to IPC',
  );
}

/** What a handler registration throws for a handler that is not a function. */
export function invalidHandler(method: string, handler: unknown): ClustrError {
  return new ClustrError(
    'ERR_CLUSTR_INVALID_OPTION',
    `${method} handler ${describeValue(handler)} is not a function`,
  );
}

/** What is reported for a kill order whose exit code is not one. */
export function badKillOrder(data: unknown): ClustrError {
  return new ClustrError(
    'ERR_CLUSTR_BAD_FRAME',
    `kill order with exit code ${describeValue(data)} ignored (an integer from 0 to 255)`,
  );
}

/** What `spawn()` throws before this process has a transport to describe to its children. */
export function cannotSpawn(): ClustrError {
  return new ClustrError('ERR_CLUSTR_NO_TRANSPORT', 'cannot spawn: this process has no transport');
}
