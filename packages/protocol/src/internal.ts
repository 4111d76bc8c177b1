// `@clustr/protocol/internal`: what the other clustr packages share but users and transport
// authors never write. Not covered by semver: any release may change or remove these names.
export { decodeJson, encodeControlFrame, encodeDataFrame, encodeRunFrame } from './codec.js';
export { describeValue } from './describe-value.js';
export type { HelloFrame, JoinFrame, LeaveFrame, RetireFrame, WelcomeFrame } from './frames.js';
export { FRAME_TAG, FRAME_VERSION } from './frames.js';
export {
  assertExitCode,
  assertGroupName,
  assertOwnWorkerId,
  assertUserChannel,
  assertWorkerId,
  CONFIRMATION_CHANNEL,
  isGroupName,
  isOwnWorkerId,
  isWorkerId,
  KILL_CHANNEL_PREFIX,
  killChannel,
  MASTER_CHANNEL,
  ONE_CHANNEL_PREFIX,
  oneChannel,
  PRESENCE_CHANNEL,
  PUBLIC_CHANNEL,
  RPC_CHANNEL_PREFIX,
  rpcChannel,
} from './names.js';
export {
  checkBoolean,
  checkDuration,
  checkPositiveInteger,
  checkString,
  invalidOptionError,
  isOptionsObject,
  MAX_TIMER_MS,
  refuseUnknownKeys,
} from './option-checks.js';
export { randomId } from './random-id.js';
export { ReportThrottle } from './report-throttle.js';
export { reportToEmitter } from './report-to-handlers.js';
export type { TransportHandlers } from './transport-handlers.js';
export { createTransportHandlers } from './transport-handlers.js';
export { MAX_RUN_MESSAGES, nonCanonicalField, validateEnvelope } from './validate-frame.js';
