import { ClustrError, type RestoreContext } from '@clustr/protocol';
import { IpcRouter } from './ipc-router.js';
import { type IpcTransportOptions, resolveIpcOptions } from './ipc-transport-options.js';
import type { IpcTransport } from './ipc-transport-type.js';

// The descriptor points at this module: it exports `restoreTransport` in source form, and in the
// build everything is bundled into dist/index.(c)js, which exports it too.
const MODULE_URL = import.meta.url;

/**
 * Creates the IPC transport, clustr's zero-setup default: frames travel over the links between a
 * process, its parent and its children, only towards subtrees that subscribe. Created this way
 * the process is the root of its tree (a master, or a standalone worker); spawned children
 * rebuild it through `describe()` and {@link restoreTransport}, over the link their parent gave
 * them: any other IPC channel (a test runner's fork, a user's own `fork`) is never taken for a
 * clustr parent.
 *
 * @example
 * const transport = createIpcTransport({ maxQueueBytes: 16 * 1024 * 1024 });
 * const master = Master.create({ transport });
 *
 * @throws ClustrError `ERR_CLUSTR_INVALID_OPTION` for an option out of range
 */
export function createIpcTransport(options?: IpcTransportOptions): IpcTransport {
  return new IpcRouter(resolveIpcOptions(options), MODULE_URL);
}

/**
 * Rebuilds the IPC transport in a child spawned by clustr, from the `options` of its parent's
 * `describe()`: the same options, routing over the child's link to its parent.
 *
 * @throws ClustrError `ERR_CLUSTR_INVALID_OPTION`; `ERR_CLUSTR_TRANSPORT` without a parent link
 */
export function restoreTransport(
  options: Readonly<Record<string, unknown>>,
  context?: RestoreContext,
): IpcTransport {
  const resolved = resolveIpcOptions(options);
  if (context?.parent === undefined) {
    throw new ClustrError(
      'ERR_CLUSTR_TRANSPORT',
      'the IPC transport can only be restored over a link to a clustr parent (this process was not spawned by clustr)',
    );
  }
  return new IpcRouter(resolved, MODULE_URL, context.parent);
}
