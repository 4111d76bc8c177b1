import { ClustrError } from '@clustr/protocol';
import { EXIT_BAD_HANDSHAKE } from './defaults.js';
import type { ExitInfo } from './restart-backoff.js';

/** What a run that exits with `EXIT_BAD_HANDSHAKE` before it was ever ready is reported as (once per slot). */
export function refusedHandshake(workerId: string, file: string, info: ExitInfo): ClustrError {
  return new ClustrError(
    'ERR_CLUSTR_SPAWN_FAILED',
    `worker ${workerId} (${file}) refused its parent's handshake (exit code ${EXIT_BAD_HANDSHAKE}; its stderr says why)`,
    { details: { workerId, ...info } },
  );
}

/** What `ready` rejects with when the slot ends for good (`state`) before any run was ready. */
export function endedBeforeReady(workerId: string, file: string, state: string, info: ExitInfo): ClustrError {
  const how = info.signal === null ? `exit code ${info.code}` : `signal ${info.signal}`;
  return new ClustrError(
    'ERR_CLUSTR_SPAWN_FAILED',
    `worker ${workerId} (${file}) ended (${state}, ${how}) before it was ready`,
    { details: { workerId, ...info } },
  );
}

/** What a run whose child could not be created is reported as. */
export function notStarted(workerId: string, file: string, reason: string, cause: unknown): ClustrError {
  return new ClustrError(
    'ERR_CLUSTR_SPAWN_FAILED',
    `worker ${workerId} (${file}) could not be started: ${reason}`,
    {
      cause,
    },
  );
}
