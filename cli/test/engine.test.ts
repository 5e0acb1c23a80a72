import { liveInventory } from '../src/engine.js';
import type { ReleaseRecord, ReleaseStatus } from '../src/release.js';

const ref = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'printq', name });

function record(revision: number, status: ReleaseStatus, names: string[]): ReleaseRecord {
  return {
    name: 'printq',
    revision,
    status,
    profile: 'kind',
    overrides: {},
    description: '',
    createdAt: '',
    inventory: names.map(ref),
    manifest: [],
  };
}

describe('liveInventory', () => {
  it('is the inventory of the newest deployed revision', () => {
    const history = [record(1, 'superseded', ['a', 'b']), record(2, 'deployed', ['a'])];
    expect(liveInventory(history).map((r) => r.name)).toEqual(['a']);
  });

  it('adds what later failed revisions may have created', () => {
    const history = [
      record(1, 'superseded', ['a']),
      record(2, 'deployed', ['a', 'b']),
      record(3, 'failed', ['a', 'c']),
    ];
    expect(liveInventory(history).map((r) => r.name)).toEqual(['a', 'b', 'c']);
  });

  it('covers every revision when none is deployed', () => {
    const history = [record(1, 'superseded', ['a']), record(2, 'failed', ['b'])];
    expect(liveInventory(history).map((r) => r.name)).toEqual(['a', 'b']);
  });
});
