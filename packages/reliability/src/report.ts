import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** Where every scenario's figures land, keyed by scenario name. */
export const RESULTS_FILE = join(here, '..', 'reliability-results.json');

/** What `print` reads of a vitest suite: its tests' final states. */
export interface ScenarioSuite {
  readonly tasks: readonly { readonly result?: { readonly state?: string } }[];
}

/**
 * The one figure line of a scenario. Set it as soon as the figures are known (before the
 * assertions), print it from `afterAll`: exactly one line per scenario, also when it failed.
 */
export class Figure {
  #line: string | undefined;
  #data: Record<string, unknown> = {};
  #failure: string | undefined;

  constructor(readonly name: string) {}

  /** Records the figures. */
  set(line: string, data: Record<string, unknown> = {}): void {
    this.#line = `${this.name}: ${line}`;
    this.#data = data;
  }

  /** Records why the scenario stopped before its figures were known. */
  fail(error: unknown): void {
    this.#failure ??= error instanceof Error ? error.message : String(error);
  }

  /**
   * Prints the line to stdout and stores it with its data in {@link RESULTS_FILE}, with whether
   * every test of `suite` (the scenario's `describe`, as `afterAll` hands it) passed.
   */
  print(suite: ScenarioSuite): void {
    const line = this.#line ?? `${this.name}: DID NOT COMPLETE (${this.#failure ?? 'no figures'})`;
    console.log(line);
    let all: Record<string, unknown> = {};
    try {
      all = JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as Record<string, unknown>;
    } catch {
      all = {};
    }
    all[this.name] = {
      line,
      at: new Date().toISOString(),
      complete: this.#line !== undefined,
      passed: suite.tasks.length > 0 && suite.tasks.every((task) => task.result?.state === 'pass'),
      cores: availableParallelism(),
      ...this.#data,
    };
    writeFileSync(RESULTS_FILE, `${JSON.stringify(all, null, 2)}\n`);
  }
}

/** Runs `body`, recording a thrown error on the figure before rethrowing it. */
export async function measuring<T>(fig: Figure, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    fig.fail(error);
    throw error;
  }
}
