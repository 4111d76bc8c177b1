/**
 * The link to the parent process, seen from a child: Node's IPC channel. An interface so that
 * the router can be tested without a real parent.
 */
export interface ParentPort {
  /** False once the channel is closed. */
  readonly isConnected: boolean;
  /**
   * Sends one message object (serialized by Node as one JSON line). Returns false when the
   * channel's buffer is full; `done` runs once the message was written (or failed).
   */
  send(message: object, done: (error: Error | null) => void): boolean;
  /** Every message the parent sends (user traffic included: filter it). */
  onMessage(handler: (message: unknown) => void): () => void;
  /** The channel closed: the parent is gone. */
  onDisconnect(handler: () => void): () => void;
}

/**
 * This process's IPC channel to its parent (`process.send` / `process.on('message')`), or
 * undefined when the process has none. Listeners are removed by the returned functions: Node
 * refs the channel while `message` and `disconnect` listeners exist.
 */
export function createProcessParentPort(): ParentPort | undefined {
  if (typeof process.send !== 'function') return undefined;
  return {
    get isConnected(): boolean {
      return process.connected === true;
    },
    send(message: object, done: (error: Error | null) => void): boolean {
      return process.send?.(message, undefined, undefined, done) ?? false;
    },
    onMessage(handler: (message: unknown) => void): () => void {
      process.on('message', handler);
      return () => process.off('message', handler);
    },
    onDisconnect(handler: () => void): () => void {
      process.on('disconnect', handler);
      return () => process.off('disconnect', handler);
    },
  };
}
