import { setImmediate as yieldToEventLoop, setTimeout as sleep } from 'node:timers/promises';
import type { SimulateJobData, SimulateResult } from '@printq/shared';

/**
 * CPU is burnt in slices with the event loop served in between, so lock renewals and
 * health probes keep running during a long simulated job, as they do during a real quote.
 */
const CPU_SLICE_MS = 20;

/** A job with a fixed cost: `cpuMs` of busy CPU, then `sleepMs` idle. */
export async function runSimulateJob(data: SimulateJobData): Promise<SimulateResult> {
  await burnCpu(data.cpuMs);
  if (data.sleepMs > 0) await sleep(data.sleepMs);
  return { kind: 'simulate', cpuMs: data.cpuMs, sleepMs: data.sleepMs, workerPid: process.pid };
}

async function burnCpu(cpuMs: number): Promise<void> {
  const end = performance.now() + cpuMs;
  while (performance.now() < end) {
    const sliceEnd = Math.min(end, performance.now() + CPU_SLICE_MS);
    while (performance.now() < sliceEnd) {
      // Deliberately busy: this job exists to cost CPU.
    }
    await yieldToEventLoop();
  }
}
