/** The shape of a mixed tree (`fixtures/mixed-tree.ts`): what one of its Node workers starts. */
export interface TreeShape {
  /** Set as `SUBTREE_MARK` in this worker's environment, so its whole subtree can be found. */
  readonly mark?: string;
  /** Node workers below this one, each with its own shape. */
  readonly nodes?: readonly TreeShape[];
  /** How many bash workers (`fixtures/sleepers.sh`, two `sleep`s each) to start. */
  readonly sleepers?: number;
  /** One clustr-unaware Node program (`fixtures/plain-node.cjs`) per entry, run with that `command`. */
  readonly nodeCommands?: readonly string[];
}

/** What a worker of a mixed tree reports: itself and what it started. */
export interface TreeReport {
  readonly kind: 'node' | 'bash' | 'sleep' | 'node-command';
  readonly pid: number;
  readonly children: readonly TreeReport[];
}

/** The variable that marks a whole tree in the environment of all its processes. */
export const TREE_MARK = 'ORPHAN_TEST_TREE';
/** The variable that marks a subtree (`TreeShape.mark`). */
export const SUBTREE_MARK = 'ORPHAN_TEST_SUBTREE';

/** Every pid of a report, depth first. */
export function reportedPids(report: TreeReport): number[] {
  return [report.pid, ...report.children.flatMap(reportedPids)];
}
