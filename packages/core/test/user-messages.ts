import type { createMemoryTransport } from '@clustr-internal/test-utils';

/** What a memory transport carried for the user: everything but presence's heartbeats and hellos. */
export function userMessages(transport: ReturnType<typeof createMemoryTransport>) {
  return transport.published.filter((message) => message.channel !== 'presence:all');
}
