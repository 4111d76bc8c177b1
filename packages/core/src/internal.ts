// `@clustr/core/internal`: what the `clustr` command (in `clustr-node`) shares with the core — the
// control socket's client and wire, and the watch that turns heartbeats into rates. Not covered
// by semver: any release may change or remove these names.
export type { LocalCluster, SilentCluster } from './control-client.js';
export { ControlClient, findLocalClusters } from './control-client.js';
export { checkControlDir, controlDir } from './control-dir.js';
export type { ClusterInfo, ControlReply, ControlRequest, MembersAnswer } from './control-wire.js';
export { CONTROL_PROTOCOL, MAX_REPLY_LENGTH, MAX_REQUEST_LENGTH } from './control-wire.js';
export type { LeftMember, MemberRates, MemberView } from './member-watch.js';
export { LEFT_RETENTION_MS, MemberWatch } from './member-watch.js';
export type { PresenceMessage } from './presence-wire.js';
export { readPresenceMessage } from './presence-wire.js';
