export * from './config.js';
export * from './failures.js';
export { createProcessor, type JobProcessor, type ProcessorDeps } from './processor.js';
export { startQuoteWorker, type DrainOutcome, type QuoteWorker } from './runtime.js';
export { runSimulateJob } from './simulate.js';
