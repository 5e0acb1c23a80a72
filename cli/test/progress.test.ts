import { createProgress } from '../src/progress.js';

function buffer(isTTY: boolean) {
  const chunks: string[] = [];
  return { isTTY, write: (text: string) => chunks.push(text), text: () => chunks.join('') };
}

describe('progress', () => {
  it('prints a plain line per change when not a terminal, and nothing for repeats', () => {
    const out = buffer(false);
    const progress = createProgress(out);
    progress.update([
      { label: 'Deployment printq/app', state: 'waiting', message: '0 of 1 replicas updated' },
    ]);
    progress.update([
      { label: 'Deployment printq/app', state: 'waiting', message: '0 of 1 replicas updated' },
    ]);
    progress.update([{ label: 'Deployment printq/app', state: 'ready', message: '1/1 available' }]);
    expect(out.text()).toBe(
      '  … Deployment printq/app: 0 of 1 replicas updated\n  ✓ Deployment printq/app: 1/1 available\n',
    );
    expect(out.text()).not.toContain('\x1b');
  });

  it('redraws rows in place on a terminal', () => {
    const out = buffer(true);
    const progress = createProgress(out);
    progress.update([
      { label: 'a', state: 'waiting', message: 'x' },
      { label: 'b', state: 'waiting', message: 'y' },
    ]);
    progress.update([
      { label: 'a', state: 'ready', message: 'x' },
      { label: 'b', state: 'waiting', message: 'y' },
    ]);
    expect(out.text()).toContain('\x1b[2A');
    expect(out.text().split('\x1b[2K')).toHaveLength(5);
  });
});
