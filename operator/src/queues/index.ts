export * from './bullmq.js';
export * from './connection.js';
export * from './redis-list.js';
export * from './types.js';
