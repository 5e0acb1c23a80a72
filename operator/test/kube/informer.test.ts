import type { KubernetesObject } from '@kubernetes/client-node';
import { pino } from 'pino';
import { ResilientInformer } from '../../src/kube/informer.js';
import { VirtualClock } from '../support/virtual-clock.js';

// client-node's informer cannot be made to fail or go silent on demand, so these cases use a
// scripted stand-in with the same event interface. The real informer's recovery from an
// apiserver restart is tested in test/e2e/operator-scaling.test.ts.
type Callback = (arg?: unknown) => void;

class ScriptedInformer {
  starts = 0;
  stops = 0;
  private callbacks = new Map<string, Callback[]>();
  on(verb: string, callback: Callback): void {
    this.callbacks.set(verb, [...(this.callbacks.get(verb) ?? []), callback]);
  }
  off(): void {}
  async start(): Promise<void> {
    this.starts += 1;
    this.emit('connect');
  }
  async stop(): Promise<void> {
    this.stops += 1;
  }
  get(): undefined {
    return undefined;
  }
  list(): KubernetesObject[] {
    return [];
  }
  emit(verb: string, arg?: unknown): void {
    for (const callback of this.callbacks.get(verb) ?? []) callback(arg);
  }
}

function setup(staleAfterMs = 60_000) {
  const clock = new VirtualClock();
  const scripted = new ScriptedInformer();
  const seen: string[] = [];
  const informer = new ResilientInformer<KubernetesObject>(
    'test',
    () => scripted as never,
    {
      onUpsert: (object) => seen.push(`upsert ${object.metadata?.name}`),
      onDelete: (object) => seen.push(`delete ${object.metadata?.name}`),
    },
    pino({ level: 'silent' }),
    { staleAfterMs, restartBaseMs: 1000, restartMaxMs: 8000, clock },
  );
  return { clock, scripted, seen, informer };
}

describe('ResilientInformer', () => {
  it('restarts after any error with a backoff and keeps delivering events', async () => {
    const { clock, scripted, seen, informer } = setup();
    await informer.start();
    scripted.emit('error', new Error('watch failed: 500'));
    expect(scripted.starts).toBe(1);
    await clock.advance(1000);
    expect(scripted.stops).toBe(1);
    expect(scripted.starts).toBe(2);
    scripted.emit('add', { metadata: { name: 'a' } });
    scripted.emit('delete', { metadata: { name: 'a' } });
    expect(seen).toEqual(['upsert a', 'delete a']);
    await informer.stop();
  });

  it('backs off longer on repeated failures, up to the cap', async () => {
    const { clock, scripted, informer } = setup();
    await informer.start();
    for (let i = 0; i < 6; i += 1) {
      const before = clock.pendingDelaysMs().length;
      scripted.emit('error', new Error('connection refused'));
      const delay = clock.pendingDelaysMs()[before];
      expect(delay).toBeLessThanOrEqual(Math.min(8000, 1000 * 2 ** i));
      expect(delay).toBeGreaterThanOrEqual(Math.min(8000, 1000 * 2 ** i) / 2);
      await clock.advance(delay ?? 0);
    }
    expect(scripted.starts).toBe(7);
    await informer.stop();
  });

  it('starts over from the base delay after a long healthy stretch', async () => {
    const { clock, scripted, informer } = setup(600_000);
    await informer.start();
    for (let i = 0; i < 4; i += 1) {
      scripted.emit('error', new Error('flapping'));
      await clock.advance(8000);
    }
    await clock.advance(60_000);
    const before = clock.pendingDelaysMs().length;
    scripted.emit('error', new Error('once, much later'));
    expect(clock.pendingDelaysMs()[before]).toBeLessThanOrEqual(1000);
    await informer.stop();
  });

  it('restarts a watch that stayed silent past the staleness bound', async () => {
    const { clock, scripted, informer } = setup(60_000);
    await informer.start();
    expect(informer.isFresh()).toBe(true);
    await clock.advance(59_000);
    expect(scripted.starts).toBe(1);
    await clock.advance(20_000);
    expect(scripted.starts).toBe(2);
    expect(informer.restarts).toBe(1);
    await informer.stop();
  });

  it('is not fresh before its first successful start', () => {
    const { informer } = setup();
    expect(informer.isFresh()).toBe(false);
  });

  it('survives a handler that throws', async () => {
    const { scripted, seen, informer } = setup();
    let first = true;
    const throwing = new ResilientInformer<KubernetesObject>(
      'throwing',
      () => scripted as never,
      {
        onUpsert: (object) => {
          if (first) {
            first = false;
            throw new Error('bug');
          }
          seen.push(`upsert ${object.metadata?.name}`);
        },
        onDelete: () => undefined,
      },
      pino({ level: 'silent' }),
    );
    await throwing.start();
    scripted.emit('add', { metadata: { name: 'x' } });
    scripted.emit('add', { metadata: { name: 'y' } });
    expect(seen).toEqual(['upsert y']);
    await throwing.stop();
    await informer.stop();
  });
});
