// Imported by path, not by package name: this package does not list @clustr-internal/test-utils
// among its devDependencies yet (its package.json is outside this change).
import { testTransport } from '../../test-utils/src/index.js';
import { createIpcTransport } from '../src/index.js';

const MAX_BYTES = 64 * 1024;

// A root router (no parent): two of them share nothing, so only single-transport cases run.
testTransport('ipc (root router)', () => createIpcTransport({ maxFrameBytes: MAX_BYTES }), {
  maxMessageBytes: MAX_BYTES,
});
