import { describe, expect, it } from 'vitest';
import { createIpcTransport } from './ipc-transport.js';
import { resolveIpcOptions } from './ipc-transport-options.js';

const invalid = (message: RegExp) =>
  expect.objectContaining({ code: 'ERR_CLUSTR_INVALID_OPTION', message: expect.stringMatching(message) });

describe('createIpcTransport options', () => {
  it.each(['ackTimeoutMs', 'closeTimeoutMs'])(
    'refuses %s past the timer limit (Node would fire it after 1 ms)',
    (key) => {
      expect(() => createIpcTransport({ [key]: 2 ** 31 })).toThrow(
        invalid(new RegExp(`"${key}" 2147483648 is not valid \\(allowed: .* to 2147483647\\)`)),
      );
      expect(resolveIpcOptions({ [key]: 2 ** 31 - 1 })[key as 'ackTimeoutMs']).toBe(2 ** 31 - 1);
    },
  );

  it('refuses unknown options, naming them and the known ones', () => {
    expect(() => createIpcTransport({ url: 'redis://x' } as never)).toThrow(
      invalid(
        /IPC transport option url "redis:\/\/x" is not valid \(allowed: no such option; known: maxQueueBytes, /,
      ),
    );
  });

  it('keeps closeTimeoutMs 0 (give up on queued frames at once) and refuses ackTimeoutMs 0', () => {
    expect(resolveIpcOptions({ closeTimeoutMs: 0 }).closeTimeoutMs).toBe(0);
    expect(() => resolveIpcOptions({ ackTimeoutMs: 0 })).toThrow(invalid(/"ackTimeoutMs" 0/));
  });
});
