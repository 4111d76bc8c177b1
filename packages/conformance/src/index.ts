export type { AgentCommand, AgentReport, MessageKind } from './commands.js';
export type { ConformanceTarget, SuiteContext } from './conformance-suite.js';
export { conformanceSuite } from './conformance-suite.js';
export type { Agent } from './test-cluster.js';
export { AGENT_FILE, FIXTURE_EXEC_ARGV, TestCluster } from './test-cluster.js';
export { waitFor, within } from './wait-for.js';
