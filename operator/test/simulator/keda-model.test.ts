import { KedaHpaController, parseTrace } from '../../src/simulator/index.js';
import type { ClusterView } from '../../src/simulator/index.js';

const keda = parseTrace(
  {
    name: 'k',
    description: '',
    durationSeconds: 10,
    workload: { serviceTimeSeconds: 1, workerConcurrency: 1, podStartSeconds: 0 },
    arrivals: {},
    scaler: { maxReplicas: 100, targetJobsPerReplica: 5 },
    keda: { pollOffsetSeconds: 0, hpaSyncOffsetSeconds: 0 },
  },
  'k',
).keda;

function view(nowSeconds: number, replicas: number, backlog: number): ClusterView {
  return {
    nowMs: nowSeconds * 1000,
    backlog,
    active: 0,
    addedTotal: 0,
    replicas,
    readyPods: replicas,
  };
}

describe('KEDA + HPA model', () => {
  it('skips changes within the HPA 10 % tolerance', () => {
    const controller = new KedaHpaController(keda, 100);
    // 52 waiting on 10 replicas at 5 per replica: ratio 1.04.
    expect(controller.tick(view(0, 10, 52))).toBe(10);
    // 60 waiting: ratio 1.2 → ceil(60 / 5) = 12.
    expect(controller.tick(view(15, 10, 60))).toBe(12);
  });

  it('only syncs every 15 s and only polls activity every 30 s', () => {
    const controller = new KedaHpaController(keda, 100);
    expect(controller.tick(view(0, 0, 0))).toBe(0);
    expect(controller.tick(view(1, 0, 500))).toBe(0);
    expect(controller.tick(view(29, 0, 500))).toBe(0);
    expect(controller.tick(view(30, 0, 500))).toBe(5); // KEDA 0 → 1, HPA sync 1 → 5
  });

  it('holds the highest recommendation of 300 s before scaling down, then to 0 after cooldown', () => {
    const controller = new KedaHpaController(keda, 100);
    expect(controller.tick(view(0, 20, 100))).toBe(20);
    expect(controller.tick(view(15, 20, 0))).toBe(20);
    expect(controller.tick(view(30, 20, 10))).toBe(20); // last active poll; recommends 2
    expect(controller.tick(view(285, 20, 0))).toBe(20); // the 20 of t=0 is still in the window
    expect(controller.tick(view(300, 20, 0))).toBe(2); // highest left in the window: 2
    expect(controller.tick(view(330, 2, 0))).toBe(0); // 300 s cooldown since t=30
  });
});
