import { ClustrError } from './clustr-error.js';

/** Most sources a throttle tracks at once; past it, new sources share one aggregate entry. */
const MAX_SOURCES = 1024;
/** The key every source past {@link MAX_SOURCES} shares. */
const OVERFLOW_SOURCE = '(other sources)';

interface Window {
  /** Reports suppressed since the window opened. */
  suppressed: number;
  /** The first suppressed report of the window: its code and wording stand for the rest. */
  first: ClustrError | undefined;
}

/**
 * Aggregates reports per source per window, so that a hostile peer sending 10,000 bad frames
 * makes one report a second, not 10,000: the first report of a source in a window goes out at
 * once, the others are counted and summed up in one report when the window closes. Nothing is
 * silently lost (every report is counted) and nothing a peer sends can flood the log.
 */
export class ReportThrottle {
  private readonly windows = new Map<string, Window>();
  private timer: NodeJS.Timeout | undefined;

  /** `report` is where reports go (an `onError` registry, an emitter); `windowMs` the window. */
  constructor(
    private readonly report: (error: ClustrError) => void,
    private readonly windowMs = 1000,
  ) {}

  /** Reports `error` from `source` (a child's workerId, a Redis channel), throttled. */
  add(source: string, error: ClustrError): void {
    let key = source;
    let window = this.windows.get(key);
    if (window === undefined && this.windows.size >= MAX_SOURCES) {
      key = OVERFLOW_SOURCE;
      window = this.windows.get(key);
    }
    if (window !== undefined) {
      window.suppressed++;
      window.first ??= error;
      return;
    }
    this.windows.set(key, { suppressed: 0, first: undefined });
    this.timer ??= setTimeout(() => this.flush(), this.windowMs).unref();
    this.report(error);
  }

  /** Ends the window now: sums up what was suppressed (on close, in tests). */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const windows = [...this.windows];
    this.windows.clear();
    for (const [source, { suppressed, first }] of windows) {
      if (suppressed === 0 || first === undefined) continue;
      this.report(
        new ClustrError(
          first.code,
          `${suppressed} more like this from ${source} in the last ${this.windowMs} ms: ${first.message}`,
          { details: { ...first.details, source, count: suppressed } },
        ),
      );
    }
  }
}
