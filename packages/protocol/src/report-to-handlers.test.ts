import { EventEmitter, once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ClustrError } from './clustr-error.js';
import { reportToEmitter, reportToHandlers } from './report-to-handlers.js';

const error = new ClustrError('ERR_CLUSTR_BAD_FRAME', 'bad frame: test', { cause: new Error('not JSON') });

/** The next process warning, as a `process.on('warning')` listener sees it. */
function nextWarning(): Promise<Error & { code?: string; detail?: string }> {
  return once(process, 'warning').then(([warning]) => warning);
}

describe('reportToHandlers', () => {
  it('hands the error to every handler, in a Set or an array', () => {
    const seen: string[] = [];
    reportToHandlers(new Set([(e: ClustrError) => seen.push(`set ${e.code}`)]), error);
    reportToHandlers([(e: ClustrError) => seen.push(`array ${e.code}`)], error);
    expect(seen).toEqual(['set ERR_CLUSTR_BAD_FRAME', 'array ERR_CLUSTR_BAD_FRAME']);
  });

  it('falls back to a ClustrWarning with the code and the cause when there is no handler', async () => {
    const warning = nextWarning();
    reportToHandlers([], error);
    expect(await warning).toMatchObject({
      name: 'ClustrWarning',
      code: 'ERR_CLUSTR_BAD_FRAME',
      message: 'bad frame: test',
      detail: 'cause: not JSON',
    });
  });

  it('turns a throwing handler into a ClustrWarning and still calls the others', async () => {
    const warning = nextWarning();
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
    expect(await warning).toMatchObject({
      name: 'ClustrWarning',
      code: 'ERR_CLUSTR_TRANSPORT',
      message: 'an error handler threw: handler bug',
    });
  });
});

describe('reportToEmitter', () => {
  it("emits 'error' on the emitter when it has listeners", () => {
    const emitter = new EventEmitter();
    const seen: unknown[] = [];
    emitter.on('error', (e) => seen.push(e));
    reportToEmitter(emitter, error);
    expect(seen).toEqual([error]);
  });

  it("falls back to a ClustrWarning with the code when nobody listens for 'error'", async () => {
    const warning = nextWarning();
    reportToEmitter(new EventEmitter(), new ClustrError('ERR_CLUSTR_SPAWN_FAILED', 'spawn failed: test'));
    expect(await warning).toMatchObject({ name: 'ClustrWarning', code: 'ERR_CLUSTR_SPAWN_FAILED' });
  });
});
