/** Where the CLI writes; a real process passes process.stdout/stderr, tests pass buffers. */
export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface Io {
  stdout: Output;
  stderr: Output;
}

export interface ProgressRow {
  label: string;
  state: 'waiting' | 'ready' | 'failed';
  message: string;
}

/** A live view of rollout progress. */
export interface Progress {
  update(rows: readonly ProgressRow[]): void;
  done(): void;
}

const SYMBOL: Record<ProgressRow['state'], string> = { waiting: '…', ready: '✓', failed: '✗' };

function formatRow(row: ProgressRow): string {
  return `  ${SYMBOL[row.state]} ${row.label}: ${row.message}`;
}

/**
 * On a terminal the rows are redrawn in place; otherwise (CI logs, pipes) a row is printed
 * only when its text changes, so logs show each transition once.
 */
export function createProgress(output: Output): Progress {
  return output.isTTY ? new TerminalProgress(output) : new LineProgress(output);
}

class TerminalProgress implements Progress {
  private drawnLines = 0;

  constructor(private readonly output: Output) {}

  update(rows: readonly ProgressRow[]): void {
    const up = this.drawnLines > 0 ? `\x1b[${this.drawnLines}A` : '';
    const body = rows.map((row) => `\x1b[2K${formatRow(row)}\n`).join('');
    this.output.write(up + body);
    this.drawnLines = rows.length;
  }

  done(): void {
    this.drawnLines = 0;
  }
}

class LineProgress implements Progress {
  private readonly last = new Map<string, string>();

  constructor(private readonly output: Output) {}

  update(rows: readonly ProgressRow[]): void {
    for (const row of rows) {
      const text = formatRow(row);
      if (this.last.get(row.label) === text) continue;
      this.last.set(row.label, text);
      this.output.write(`${text}\n`);
    }
  }

  done(): void {
    this.last.clear();
  }
}
