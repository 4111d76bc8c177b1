export * from './eventually.js';
export * from './memory-bus.js';
export * from './memory-transport.js';
export * from './redis-server.js';
