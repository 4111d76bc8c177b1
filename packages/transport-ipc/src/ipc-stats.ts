/** Counters of one link (a child, or the parent channel), as `stats()` reports them. */
export interface IpcLinkStats {
  /** Messages and control frames written to the peer (each message of a run counts once). */
  framesSent: number;
  /** Characters of JSON written to the peer (bytes for ASCII text). */
  bytesSent: number;
  /** Writes to the peer (normally one per event-loop turn with traffic). */
  writes: number;
  /** Messages and control frames received from the peer that passed validation (each message of a run counts once). */
  framesReceived: number;
  /** Input from the peer that was dropped as bad (`ERR_CLUSTR_BAD_FRAME`). */
  badFrames: number;
  /**
   * Frames, joins and subscriptions from the peer refused by a trust rule (`ERR_CLUSTR_FORBIDDEN`):
   * a child speaking for a process outside its subtree, or subscribing beyond it.
   */
  forbidden: number;
  /**
   * Messages for the peer that were never written: dropped because its queue was full
   * (`ERR_CLUSTR_QUEUE_FULL`) or because the link was already closed when they were due.
   */
  dropped: number;
  /** Characters queued for the peer right now, not yet written. */
  queuedBytes: number;
  /** True while the peer's pipe is full and the queue waits for it to drain. */
  isBlocked: boolean;
}

/** What `IpcTransport.stats()` returns: a snapshot, safe to keep. */
export interface IpcTransportStats {
  /** The link to the parent process; absent unless the transport was restored in a child. */
  parent?: IpcLinkStats;
  /** One entry per adopted child link, by workerId. */
  children: Record<string, IpcLinkStats>;
  /** Messages this process published. */
  published: number;
  /** Messages handed to this process's `onMessage` handlers. */
  delivered: number;
  /** Bad input over every link, including links that are gone. */
  badFrames: number;
  /** Refusals by a trust rule over every link, including links that are gone (`ERR_CLUSTR_FORBIDDEN`). */
  forbidden: number;
  /**
   * Messages and frames dropped over every link, including links that are gone: every link's
   * `dropped`, plus frames still queued for a link when it closed or the parent disconnected,
   * messages refused as larger than `maxFrameBytes`, and publishes after `close()`.
   */
  dropped: number;
}

/** Mutable counters behind {@link IpcLinkStats}. */
export interface LinkCounters {
  framesSent: number;
  bytesSent: number;
  writes: number;
  framesReceived: number;
  badFrames: number;
  forbidden: number;
  dropped: number;
}

/** Fresh zeroed counters. */
export function createLinkCounters(): LinkCounters {
  return {
    framesSent: 0,
    bytesSent: 0,
    writes: 0,
    framesReceived: 0,
    badFrames: 0,
    forbidden: 0,
    dropped: 0,
  };
}
