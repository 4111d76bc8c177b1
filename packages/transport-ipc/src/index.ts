export type { IpcLinkStats, IpcTransportStats } from './ipc-stats.js';
export { createIpcTransport, restoreTransport } from './ipc-transport.js';
export type { IpcTransportOptions } from './ipc-transport-options.js';
export {
  DEFAULT_ACK_TIMEOUT_MS,
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_MAX_BATCH_BYTES,
  DEFAULT_MAX_QUEUE_BYTES,
  DEFAULT_MAX_SUBSCRIPTIONS_PER_LINK,
} from './ipc-transport-options.js';
export type { IpcTransport } from './ipc-transport-type.js';
