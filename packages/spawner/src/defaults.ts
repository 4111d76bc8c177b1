import { DEFAULT_MAX_FRAME_BYTES } from '@clustr/protocol';

/** The restart policy of a spawn spec that names none: restart after a non-zero exit or a signal. */
export const DEFAULT_RESTART_POLICY = 'on-failure';
/** Delay before the first restart after a failure; doubles with each consecutive failure. */
export const DEFAULT_RESTART_INITIAL_DELAY_MS = 100;
/** The cap of the exponential restart backoff. */
export const DEFAULT_RESTART_MAX_DELAY_MS = 5_000;
/** A worker that stayed up this long before it exited restarts with the initial delay again. */
export const DEFAULT_RESTART_RESET_AFTER_MS = 10_000;
/** Most restarts within {@link DEFAULT_RESTART_WINDOW_MS}; one more failure and the handle gives up. */
export const DEFAULT_MAX_RESTARTS = 10;
/** The sliding window in which {@link DEFAULT_MAX_RESTARTS} is counted. */
export const DEFAULT_RESTART_WINDOW_MS = 60_000;
/** Grace between the stop signal and SIGKILL. */
export const DEFAULT_STOP_TIMEOUT_MS = 5_000;
/** The signal `stop()` sends first. */
export const DEFAULT_STOP_SIGNAL = 'SIGTERM';
/** What happens to a child's stdout and stderr: they go to the parent's, untouched. */
export const DEFAULT_STDIO = 'inherit';
/** Longest line a child may write to its IPC fd (bytes, without the newline); longer is bad input. */
export const DEFAULT_MAX_LINE_BYTES = DEFAULT_MAX_FRAME_BYTES;
/**
 * Most frames a child link holds while no `onFrame` handler is registered (e.g. before the
 * transport adopts the link). They go, in order, to the first handler registered; past this
 * bound further frames are dropped and one `ERR_CLUSTR_QUEUE_FULL` is reported per overflow.
 */
export const DEFAULT_MAX_BUFFERED_FRAMES = 10_000;
/**
 * The fd of a spawned child's Node IPC channel (`$NODE_CHANNEL_FD`): a Node child's
 * `process.send` traffic travels there, and a non-Node child writes its frames there.
 */
export const CHILD_CHANNEL_FD = 3;
/** The fd of a spawned child's clustr link (`$CLUSTR_LINK_FD`): clustr frames, both ways. */
export const CHILD_LINK_FD = 4;
/**
 * The fd on which the shim of a non-Node child (`command`) watches its parent: the read end of a
 * pipe whose other end only the parent holds. The shim closes it before it runs the command, so
 * the command itself never sees it.
 */
export const PARENT_WATCH_FD = 5;
/**
 * Once a non-Node child's parent is gone (or the child exited), its watch sends SIGTERM to the
 * child's process group, then SIGKILL after this grace: nothing of the group lives past it.
 */
export const FOREIGN_GROUP_KILL_GRACE_MS = 500;
/**
 * Variables of the parent's environment no child receives. A master may read its Redis signing
 * secret from `CLUSTR_SECRET`; its children get what they need through the handshake.
 */
export const WITHHELD_ENV: readonly string[] = ['CLUSTR_SECRET'];
/**
 * The exit code of a child whose parent's handshake (the `welcome` frame) was malformed; its
 * parent reports it once through the handle (`EX_CONFIG` of sysexits.h).
 */
export const EXIT_BAD_HANDSHAKE = 78;

/**
 * Names of the environment variables the spawner sets in every child. None holds a secret:
 * what a child needs from its parent beyond these (the transport, with any credentials) comes
 * over its link in the `welcome` frame.
 */
export const CLUSTR_ENV = {
  /** The child's workerId, stable across restarts of its spawn slot. */
  workerId: 'CLUSTR_WORKER_ID',
  /** The spawning process's workerId, or `master`. */
  parentId: 'CLUSTR_PARENT_ID',
  /** The fd of the child's clustr link (always `4`). */
  linkFd: 'CLUSTR_LINK_FD',
} as const;
