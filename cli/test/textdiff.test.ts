import { unifiedDiff } from '../src/textdiff.js';

const labels = { before: 'live/x', after: 'printq/x' };

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', labels)).toBe('');
  });

  it('shows a changed line with three lines of context and diff(1) hunk ranges', () => {
    const before = ['1', '2', '3', '4', 'image: app:v1', '6', '7', '8', '9'].join('\n') + '\n';
    const after = before.replace('app:v1', 'app:v2');
    expect(unifiedDiff(before, after, labels)).toBe(
      [
        '--- live/x',
        '+++ printq/x',
        '@@ -2,7 +2,7 @@',
        ' 2',
        ' 3',
        ' 4',
        '-image: app:v1',
        '+image: app:v2',
        ' 6',
        ' 7',
        ' 8',
        '',
      ].join('\n'),
    );
  });

  it('splits distant changes into separate hunks and merges close ones', () => {
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i}`);
    const changed = [...lines];
    changed[2] = 'changed 2';
    changed[5] = 'changed 5';
    changed[25] = 'changed 25';
    const text = unifiedDiff(lines.join('\n'), changed.join('\n'), labels);
    expect(text.match(/^@@/gm)).toHaveLength(2);
    expect(text).toContain('@@ -1,9 +1,9 @@');
  });

  it('renders a creation as additions against an empty file', () => {
    expect(unifiedDiff('', 'a: 1\nb: 2\n', { before: '/dev/null', after: 'printq/x' })).toBe(
      '--- /dev/null\n+++ printq/x\n@@ -0,0 +1,2 @@\n+a: 1\n+b: 2\n',
    );
  });

  it('handles insertions and deletions in the middle', () => {
    const text = unifiedDiff('a\nb\nc\n', 'a\nc\nd\n', labels);
    expect(text).toContain('-b');
    expect(text).toContain('+d');
    expect(text).toContain('@@ -1,3 +1,3 @@');
  });
});
