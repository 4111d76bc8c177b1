export * from './eventually.js';
export * from './redis-server.js';
