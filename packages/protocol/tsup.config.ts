import { defineConfig } from 'tsup';
import { baseConfig } from '../../tsup.base.ts';

// Two entries share one copy of each module (splitting), so `ClustrError` is one class.
export default defineConfig({ ...baseConfig, entry: ['src/index.ts', 'src/internal.ts'], splitting: true });
