import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateSpawnSpecs } from './validate-spawn-specs.js';
import type { StopOptions } from './worker-handle.js';
import { WorkerSlot } from './worker-slot.js';

describe('WorkerHandle.stop with invalid options', () => {
  function slot(): WorkerSlot {
    const [spec] = validateSpawnSpecs([{ file: fileURLToPath(import.meta.url) }]);
    // Never started: stop() must refuse bad options before it looks at any run.
    return new WorkerSlot(
      spec!,
      { workerId: 'w1', parentId: 'master', transport: { name: 't', module: 'file:///t.js', options: {} } },
      undefined,
    );
  }

  it.each<[string, unknown]>([
    ['null', null],
    ['a string', 'SIGKILL'],
    ['a bad signal', { signal: 'SIGNOPE' }],
    ['a bad timeout', { timeoutMs: -5 }],
  ])(
    'returns a promise rejected with ERR_CLUSTR_INVALID_OPTION for %s, and stops nothing',
    async (_name, options) => {
      const handle = slot();
      let result: Promise<unknown> | undefined;
      expect(() => {
        result = handle.stop(options as StopOptions);
      }).not.toThrow();
      await expect(result).rejects.toMatchObject({ code: 'ERR_CLUSTR_INVALID_OPTION' });
      expect(handle.state).toBe('starting');
      // the refused call left the handle as it was: a valid stop still works
      await expect(handle.stop({ signal: 'SIGKILL', timeoutMs: 0 })).resolves.toEqual({
        code: null,
        signal: null,
      });
      expect(handle.state).toBe('stopped');
      // and the options are still checked once it is stopped
      await expect(handle.stop(options as StopOptions)).rejects.toMatchObject({
        code: 'ERR_CLUSTR_INVALID_OPTION',
      });
    },
  );
});
