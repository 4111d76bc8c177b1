import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClustrError } from './clustr-error.js';
import { reportToHandlers } from './report-to-handlers.js';

const error = new ClustrError('ERR_CLUSTR_BAD_FRAME', 'bad frame: test');

afterEach(() => {
  vi.restoreAllMocks();
});

describe('reportToHandlers', () => {
  it('hands the error to every handler, in a Set or an array', () => {
    const seen: string[] = [];
    reportToHandlers(new Set([(e: ClustrError) => seen.push(`set ${e.code}`)]), error);
    reportToHandlers([(e: ClustrError) => seen.push(`array ${e.code}`)], error);
    expect(seen).toEqual(['set ERR_CLUSTR_BAD_FRAME', 'array ERR_CLUSTR_BAD_FRAME']);
  });

  it('falls back to a process warning when there is no handler', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    reportToHandlers([], error);
    expect(warn).toHaveBeenCalledWith(error);
  });

  it('turns a throwing handler into a warning and still calls the others', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    let reached = false;
    reportToHandlers(
      [
        () => {
          throw new Error('handler bug');
        },
        () => {
          reached = true;
        },
      ],
      error,
    );
    expect(reached).toBe(true);
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({
        code: 'ERR_CLUSTR_TRANSPORT',
        message: 'an error handler threw: handler bug',
      }),
    );
  });
});
