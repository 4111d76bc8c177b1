import { ClustrError, type TransportDescriptor } from '@clustr/protocol';
import { describeValue, FRAME_TAG, FRAME_VERSION, isWorkerId } from '@clustr/protocol/internal';
import { CLUSTR_ENV } from './defaults.js';

/** What a spawned child learns from its environment. */
export interface ChildEnvironment {
  /** This process's workerId, assigned by its parent. */
  readonly workerId: string;
  /** The parent's workerId, or `master`. */
  readonly parentId: string;
  /** How to rebuild the parent's transport, when the parent named one. */
  readonly transport?: TransportDescriptor;
}

let cached: { value: ChildEnvironment | undefined } | undefined;

function isDescriptor(value: unknown): value is TransportDescriptor {
  if (typeof value !== 'object' || value === null) return false;
  const { name, module, options } = value as Record<string, unknown>;
  return (
    typeof name === 'string' &&
    typeof module === 'string' &&
    typeof options === 'object' &&
    options !== null &&
    !Array.isArray(options)
  );
}

function parseTransport(text: string | undefined): TransportDescriptor | undefined {
  if (text === undefined || text === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    value = error;
  }
  if (isDescriptor(value)) return value;
  throw new ClustrError(
    'ERR_CLUSTR_INVALID_OPTION',
    `${CLUSTR_ENV.transport} ${describeValue(text)} is not a transport descriptor (allowed: JSON {"name","module","options"})`,
    { details: { value: text } },
  );
}

/**
 * Reads, once, what the spawning parent told this child through `CLUSTR_*` environment
 * variables, then removes them from `process.env` so that processes this child starts by other
 * means do not inherit them. Returns undefined in a process not spawned by clustr.
 *
 * @throws ClustrError `ERR_CLUSTR_INVALID_WORKER_ID` / `ERR_CLUSTR_INVALID_OPTION` on malformed variables
 * @example
 * const env = readChildEnvironment();
 * if (env) console.log(`I am ${env.workerId}, child of ${env.parentId}`);
 */
export function readChildEnvironment(): ChildEnvironment | undefined {
  if (cached !== undefined) return cached.value;
  const workerId = process.env[CLUSTR_ENV.workerId];
  if (workerId === undefined) {
    cached = { value: undefined };
    return undefined;
  }
  if (!isWorkerId(workerId)) {
    throw new ClustrError(
      'ERR_CLUSTR_INVALID_WORKER_ID',
      `${CLUSTR_ENV.workerId} ${describeValue(workerId)} is not a workerId`,
      {
        details: { value: workerId },
      },
    );
  }
  const parentId = process.env[CLUSTR_ENV.parentId] || 'master';
  const transport = parseTransport(process.env[CLUSTR_ENV.transport]);
  for (const name of Object.values(CLUSTR_ENV)) delete process.env[name];
  const value: ChildEnvironment = Object.freeze(
    transport === undefined ? { workerId, parentId } : { workerId, parentId, transport },
  );
  cached = { value };
  return value;
}

/**
 * Tells the parent this child is ready: writes `{"clustr":1,"type":"ready"}` to the IPC channel.
 * The parent's handle then resolves `ready` and emits `'ready'`. Does nothing without a channel.
 */
export function signalReady(): void {
  if (typeof process.send !== 'function' || !process.connected) return;
  process.send({ [FRAME_TAG]: FRAME_VERSION, type: 'ready' });
}
