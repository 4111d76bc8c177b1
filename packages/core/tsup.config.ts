import { defineConfig } from 'tsup';
import { baseConfig } from '../../tsup.base.ts';

// Two entries share one copy of each module (splitting), so each class exists once.
export default defineConfig({ ...baseConfig, entry: ['src/index.ts', 'src/internal.ts'], splitting: true });
