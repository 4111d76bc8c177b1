export type { ClustrErrorCode, ClustrErrorOptions } from './clustr-error.js';
export { ClustrError, isClustrError, toClustrError } from './clustr-error.js';
export {
  DEFAULT_MAX_FRAME_BYTES,
  decodeEnvelope,
  decodeFrame,
  encodeControlFrame,
  encodeData,
  encodeDataFrame,
  encodeEnvelope,
  encodeRunFrame,
} from './codec.js';
export { describeValue } from './describe-value.js';
export type { EncodedMeta, Envelope, JsonValue, Meta } from './envelope.js';
export { encodeMeta } from './envelope.js';
export type {
  AckFrame,
  ControlFrame,
  ControlFrameType,
  DataFrame,
  Frame,
  HelloFrame,
  ReadyFrame,
  RunFrame,
  SubscribeFrame,
  UnsubscribeFrame,
  WelcomeFrame,
} from './frames.js';
export { FRAME_TAG, FRAME_VERSION } from './frames.js';
export {
  assertExitCode,
  assertGroupName,
  assertUserChannel,
  assertWorkerId,
  CHANNEL_PATTERN,
  CONFIRMATION_CHANNEL,
  EXTERNAL_GROUP,
  GROUP_PATTERN,
  isChannelName,
  isControlChannel,
  isGroupName,
  isWorkerId,
  KILL_CHANNEL_PREFIX,
  killChannel,
  MASTER_CHANNEL,
  PUBLIC_CHANNEL,
  RESERVED_NAMES,
  WORKER_ID_PATTERN,
} from './names.js';
// ---- For transport and spawner authors: the one copy of each option rule. Not for programs
// using clustr-node; moves to `@clustr/protocol/internal` once that entry exists. ----
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
export { reportToHandlers } from './report-to-handlers.js';
export type {
  ChildLink,
  Link,
  RestoreContext,
  RestoreTransport,
  Transport,
  TransportDescriptor,
  TransportSelf,
} from './transport.js';
export { RESTORE_TRANSPORT_EXPORT } from './transport.js';
export {
  isTaggedFrame,
  MAX_RUN_MESSAGES,
  MAX_SUBSCRIPTION_CHANNELS,
  validateEnvelope,
  validateFrame,
} from './validate-frame.js';
