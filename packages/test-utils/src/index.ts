export * from './eventually.js';
export type { Probe, ProbedMessage } from './kit-probe.js';
export { probe } from './kit-probe.js';
export * from './memory-bus.js';
export * from './memory-transport.js';
export * from './redis-cluster.js';
export * from './redis-server.js';
export * from './transport-kit.js';
