export * from './manifest.js';
export * from './queuescaler.js';
export * from './reasons.js';
export type { CelRule, OpenApiSchema, Validation } from './schema.js';
