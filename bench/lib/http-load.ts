import autocannon from 'autocannon';

/** One HTTP load measurement at fixed concurrency. */
export interface HttpLoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
}

/**
 * Runs autocannon twice with the same options: a warm-up whose numbers are dropped (JIT,
 * connection pools, caches), then the measured run.
 */
export async function measureHttpLoad(
  options: autocannon.Options,
  seconds: { warmup: number; measure: number },
): Promise<HttpLoadResult> {
  await autocannon({ ...options, duration: seconds.warmup });
  const result = await autocannon({ ...options, duration: seconds.measure });
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}
