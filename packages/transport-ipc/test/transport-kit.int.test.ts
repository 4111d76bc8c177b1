import { testTransport } from '@clustr-internal/test-utils';
import { createIpcTransport } from '../src/index.js';

const MAX_BYTES = 64 * 1024;

// A root router (no parent): two of them share nothing, so only single-transport cases run.
testTransport('ipc (root router)', () => createIpcTransport({ maxFrameBytes: MAX_BYTES }), {
  maxMessageBytes: MAX_BYTES,
});
