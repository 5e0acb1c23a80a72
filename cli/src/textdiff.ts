type Edit = { op: ' ' | '-' | '+'; line: string };

/**
 * Line edits from an LCS table. Manifests are a few hundred lines per object, so the O(n·m)
 * table stays small; common prefix and suffix are trimmed first to keep it smaller still.
 */
export function lineEdits(before: readonly string[], after: readonly string[]): Edit[] {
  let prefix = 0;
  while (prefix < before.length && prefix < after.length && before[prefix] === after[prefix]) {
    prefix++;
  }
  let suffix = 0;
  while (
    suffix < before.length - prefix &&
    suffix < after.length - prefix &&
    before[before.length - 1 - suffix] === after[after.length - 1 - suffix]
  ) {
    suffix++;
  }
  const a = before.slice(prefix, before.length - suffix);
  const b = after.slice(prefix, after.length - suffix);
  const middle = lcsEdits(a, b);
  return [
    ...before.slice(0, prefix).map((line): Edit => ({ op: ' ', line })),
    ...middle,
    ...before.slice(before.length - suffix).map((line): Edit => ({ op: ' ', line })),
  ];
}

function lcsEdits(a: readonly string[], b: readonly string[]): Edit[] {
  const width = b.length + 1;
  const table = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      table[i * width + j] =
        a[i] === b[j]
          ? (table[(i + 1) * width + j + 1] ?? 0) + 1
          : Math.max(table[(i + 1) * width + j] ?? 0, table[i * width + j + 1] ?? 0);
    }
  }
  const edits: Edit[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      edits.push({ op: ' ', line: a[i++] ?? '' });
      j++;
    } else if ((table[(i + 1) * width + j] ?? 0) >= (table[i * width + j + 1] ?? 0)) {
      edits.push({ op: '-', line: a[i++] ?? '' });
    } else {
      edits.push({ op: '+', line: b[j++] ?? '' });
    }
  }
  while (i < a.length) edits.push({ op: '-', line: a[i++] ?? '' });
  while (j < b.length) edits.push({ op: '+', line: b[j++] ?? '' });
  return edits;
}

/**
 * A unified diff (`---`/`+++` headers, `@@` hunks with `contextLines` lines of context) of two
 * texts; the empty string when they are equal.
 */
export function unifiedDiff(
  beforeText: string,
  afterText: string,
  labels: { before: string; after: string },
  contextLines = 3,
): string {
  const edits = lineEdits(splitLines(beforeText), splitLines(afterText));
  if (edits.every((edit) => edit.op === ' ')) return '';
  const out = [`--- ${labels.before}`, `+++ ${labels.after}`];
  for (const hunk of hunksOf(edits, contextLines)) out.push(...hunk);
  return out.join('\n') + '\n';
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function hunksOf(edits: readonly Edit[], contextLines: number): string[][] {
  const changed = edits.flatMap((edit, index) => (edit.op === ' ' ? [] : [index]));
  const hunks: string[][] = [];
  let cursor = 0;
  while (cursor < changed.length) {
    const start = Math.max(0, (changed[cursor] ?? 0) - contextLines);
    let end = (changed[cursor] ?? 0) + contextLines + 1;
    // Merge changes whose context windows touch into one hunk.
    while (cursor + 1 < changed.length && (changed[cursor + 1] ?? 0) - contextLines <= end) {
      cursor++;
      end = (changed[cursor] ?? 0) + contextLines + 1;
    }
    end = Math.min(end, edits.length);
    hunks.push(renderHunk(edits, start, end));
    cursor++;
  }
  return hunks;
}

function renderHunk(edits: readonly Edit[], start: number, end: number): string[] {
  let beforeLine = 1;
  let afterLine = 1;
  for (const edit of edits.slice(0, start)) {
    if (edit.op !== '+') beforeLine++;
    if (edit.op !== '-') afterLine++;
  }
  const body = edits.slice(start, end);
  const beforeCount = body.filter((edit) => edit.op !== '+').length;
  const afterCount = body.filter((edit) => edit.op !== '-').length;
  const header = `@@ -${range(beforeLine, beforeCount)} +${range(afterLine, afterCount)} @@`;
  return [header, ...body.map((edit) => `${edit.op}${edit.line}`)];
}

function range(firstLine: number, count: number): string {
  // An empty side is reported at the line before it, as diff(1) does.
  if (count === 0) return `${firstLine - 1},0`;
  return count === 1 ? `${firstLine}` : `${firstLine},${count}`;
}
