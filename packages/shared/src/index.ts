export * from './config.js';
export * from './jobs.js';
export * from './logger.js';
export * from './materials.js';
export * from './quote.js';
export * from './redis.js';
