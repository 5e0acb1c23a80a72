export * from './config.js';
export * from './problems.js';
export * from './producer.js';
export { buildApp, type PrintqApp } from './server.js';
