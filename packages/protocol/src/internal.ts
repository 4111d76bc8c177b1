// `@clustr/protocol/internal`: what the other clustr packages share but users and transport
// authors never write. Not covered by semver: any release may change or remove these names.
export { encodeControlFrame, encodeDataFrame, reencodeDataFrame } from './codec.js';
export { describeValue } from './describe-value.js';
export type { BatchFrame } from './frames.js';
export { FRAME_TAG, FRAME_VERSION } from './frames.js';
export {
  assertExitCode,
  assertGroupName,
  assertUserChannel,
  assertWorkerId,
  CONFIRMATION_CHANNEL,
  isWorkerId,
  killChannel,
  MASTER_CHANNEL,
  PUBLIC_CHANNEL,
} from './names.js';
export { reportToEmitter } from './report-to-handlers.js';
export { MAX_BATCH_FRAMES } from './validate-frame.js';
