import { afterAll } from 'vitest';
import type { Figure } from './report.js';

/**
 * Prints `fig` once the scenario's `describe` is done, with whether its tests passed: call it
 * inside the `describe`. The one place that knows how vitest hands a suite to `afterAll`.
 */
export function printFigureAfterAll(fig: Figure): void {
  // vitest parses a hook's first parameter for fixtures: it must be a destructuring pattern.
  // biome-ignore lint/correctness/noEmptyPattern: the suite is the second parameter
  afterAll(({}, suite) => fig.print(suite));
}
