import type { ClustrError, ClustrErrorCode } from '@clustr/protocol';
import { ReportThrottle } from '@clustr/protocol/internal';

/** Reports about frames from outside (a Redis channel, an adopted child), throttled per source. */
export interface FrameReports {
  /**
   * Reports `error` for `source` (`redis channel "clustr:public"`, `child <workerId>`): the first
   * of each code per source per second at once, the rest summed up in one report with a count.
   */
  add(source: string, error: ClustrError): void;
  /** Sums up what is held back now (on close). */
  flush(): void;
}

/**
 * One {@link ReportThrottle} per error code, so a source that sends both garbage and forged
 * frames gets a summary of each, each with its own code — not one lumped under the first.
 */
export function createFrameReports(report: (error: ClustrError) => void): FrameReports {
  const throttles = new Map<ClustrErrorCode, ReportThrottle>();
  return {
    add(source, error) {
      let throttle = throttles.get(error.code);
      if (throttle === undefined) {
        throttle = new ReportThrottle(report);
        throttles.set(error.code, throttle);
      }
      throttle.add(source, error);
    },
    flush() {
      for (const throttle of throttles.values()) throttle.flush();
    },
  };
}
