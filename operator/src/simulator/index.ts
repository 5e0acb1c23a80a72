export { Cluster } from './cluster.js';
export type { ClusterView } from './cluster.js';
export {
  AlwaysMaxController,
  KedaHpaController,
  PrintqController,
  printqSpec,
  standardControllers,
} from './controllers.js';
export type { Controller } from './controllers.js';
export { generateJobs, seededRandom } from './jobs.js';
export type { Job } from './jobs.js';
export { plotResults } from './plot.js';
export { Raster, crc32 } from './png.js';
export { compare, markdownReport } from './report.js';
export type { Comparison } from './report.js';
export { runTrace, writeReport } from './run.js';
export type { TraceRun } from './run.js';
export { quantile, simulate } from './simulate.js';
export type { Sample, SimulationResult, Summary } from './simulate.js';
export { loadTrace, parseTrace, rateAt, TraceError, traceSchema } from './trace.js';
export type { Trace, TraceInput } from './trace.js';
