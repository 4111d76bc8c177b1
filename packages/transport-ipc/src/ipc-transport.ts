import { ClustrError } from '@clustr/protocol';
import { IpcRouter } from './ipc-router.js';
import { type IpcTransportOptions, resolveIpcOptions } from './ipc-transport-options.js';
import type { IpcTransport } from './ipc-transport-type.js';
import { createProcessParentPort } from './parent-port.js';

// The descriptor points at this module: it exports `restoreTransport` in source form, and in the
// build everything is bundled into dist/index.(c)js, which exports it too.
const MODULE_URL = import.meta.url;

/**
 * Creates the IPC transport, clustr's zero-setup default: frames travel over the IPC links
 * between a process, its parent and its children, only towards subtrees that subscribe.
 * Created this way the process is the root of its tree (a master, or a standalone worker);
 * spawned children rebuild it through `describe()` and {@link restoreTransport}.
 *
 * @example
 * const transport = createIpcTransport({ maxQueueBytes: 16 * 1024 * 1024 });
 * const master = Master.create({ transport });
 *
 * @throws ClustrError `ERR_CLUSTR_INVALID_OPTION` for an option out of range;
 *   `ERR_CLUSTR_TRANSPORT` when `parent: true` and the process has no IPC channel.
 */
export function createIpcTransport(options?: IpcTransportOptions): IpcTransport {
  const resolved = resolveIpcOptions(options);
  if (!resolved.parent) return new IpcRouter(resolved, MODULE_URL);
  const port = createProcessParentPort();
  if (port === undefined) {
    throw new ClustrError(
      'ERR_CLUSTR_TRANSPORT',
      'the IPC transport was asked to use the parent channel, but this process has no IPC channel (process.send is undefined): it must be spawned by clustr',
    );
  }
  return new IpcRouter(resolved, MODULE_URL, port);
}

/**
 * Rebuilds the IPC transport in a child spawned by clustr, from the `options` of its parent's
 * `describe()`: the same options, with this process's IPC channel as the link to the parent.
 *
 * @throws ClustrError `ERR_CLUSTR_INVALID_OPTION`, `ERR_CLUSTR_TRANSPORT` (no IPC channel).
 */
export function restoreTransport(options: Readonly<Record<string, unknown>>): IpcTransport {
  return createIpcTransport({ ...resolveIpcOptions(options), parent: true });
}
