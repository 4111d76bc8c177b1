import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The master of the process tree (run by the test with `fork`, so the test can SIGKILL it). */
export const TREE_MASTER = join(here, '..', 'fixtures', 'tree-master.ts');
/** A node of the process tree: spawns its own children from its spec. */
export const TREE_NODE = join(here, '..', 'fixtures', 'tree-node.ts');

/** A node's children, each given by its own children: `[]` is a leaf. */
export type TreeSpec = TreeSpec[];

/** What tree processes report up to the test. */
export type TreeReport =
  | { report: 'node'; workerId: string; pid: number; ppid: number; depth: number }
  | { report: 'master'; pid: number };

/** True when a message is a {@link TreeReport}. */
export function isTreeReport(value: unknown): value is TreeReport {
  const report = (value as { report?: unknown } | null)?.report;
  return report === 'node' || report === 'master';
}

/** How many processes a spec makes (without its root). */
export function treeSize(spec: TreeSpec): number {
  return spec.reduce((sum, children) => sum + 1 + treeSize(children), 0);
}
