export { decide, initialPolicyState } from './decide.js';
export { RATE_TIME_CONSTANT_MS } from './estimators.js';
export { scaleDownLimit, scaleUpLimit } from './rate-limit.js';
export type * from './types.js';
