export type { ErrorTally, PlanEntry, SummaryResult, WorkerCommand, WorkerReport } from './commands.js';
export { ChildLineJudge, isBadLine, isDeliverableEnvelope, type LineVerdict } from './frame-oracle.js';
export { fuzzIpcLines, fuzzPayloads } from './fuzz-frames.js';
export { checkOracle, type OracleCase, oracleEnvelopes, oracleLines } from './oracle-frames.js';
export { descendantsOf, isAlive, procStat, waitGone } from './proc-tree.js';
export { REL_WORKER, RelCluster } from './rel-cluster.js';
export { Figure, measuring, RESULTS_FILE } from './report.js';
export { type CheckTotals, checkOrderOnly, checkStreams, type Expectation } from './stream-check.js';
export { StreamRecorder, type StreamSummary } from './stream-recorder.js';
