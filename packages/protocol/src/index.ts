export type { ClustrErrorCode, ClustrErrorOptions } from './clustr-error.js';
export { ClustrError, isClustrError, toClustrError } from './clustr-error.js';
export { DEFAULT_MAX_FRAME_BYTES, decodeEnvelope, encodeData, encodeEnvelope } from './codec.js';
export type { EncodedMeta, Envelope, JsonValue, Meta } from './envelope.js';
export { encodeMeta } from './envelope.js';
export type { DataFrame, Frame, RunFrame } from './frames.js';
export type { JsonData } from './json-data.js';
export { EXTERNAL_GROUP, isChannelName, KILL_CHANNEL_PREFIX } from './names.js';
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
export { isTaggedFrame, validateFrame } from './validate-frame.js';
