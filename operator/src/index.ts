export * from './config.js';
export * from './errors.js';
export * from './operator.js';
export * from './queues/index.js';
