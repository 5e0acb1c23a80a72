import type { StlWarning } from '@printq/shared';
import { StlError } from './errors.js';
import type { Mesh } from './mesh.js';
import { classifyStoredNormal, emptyNormalStats } from './normals.js';

/**
 * ASCII STL as exporters really write it: any mix of spaces, tabs, CR/LF; keywords in any
 * case; names with spaces or none; numbers in plain or scientific notation. Several
 * `solid … endsolid` blocks are merged into one mesh (some CAD tools write one per body).
 * A missing final `endsolid` and a mismatched end name are tolerated with a warning.
 */
export function parseAsciiStl(buffer: Buffer): Mesh {
  return new AsciiStlParser(buffer).parse();
}

const CHAR = {
  lf: 0x0a,
  cr: 0x0d,
  space: 0x20,
  tab: 0x09,
  vt: 0x0b,
  ff: 0x0c,
  nul: 0x00,
  plus: 0x2b,
  minus: 0x2d,
  dot: 0x2e,
  zero: 0x30,
  nine: 0x39,
  lowerE: 0x65,
} as const;

/** Average bytes per facet of typical exporters; only sizes the first allocation. */
const TYPICAL_FACET_BYTES = 250;
/** Significant digits that still fit exactly in a double's 53-bit mantissa. */
const EXACT_DIGITS = 15;
/** Powers of ten exactly representable as doubles (10^0 … 10^22). */
const EXACT_POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);
const MAX_TOKEN_IN_MESSAGE = 24;
/** Where a `facet normal` starts inside a line (latin1, so string index = byte offset). */
const FACET_IN_LINE = /(?<=^|[ \t\r])facet[ \t]+normal(?=[ \t\r])/i;

function keyword(word: string): Uint8Array {
  return new Uint8Array(Buffer.from(word, 'latin1'));
}

const KW = {
  solid: keyword('solid'),
  endsolid: keyword('endsolid'),
  facet: keyword('facet'),
  normal: keyword('normal'),
  outer: keyword('outer'),
  loop: keyword('loop'),
  vertex: keyword('vertex'),
  endloop: keyword('endloop'),
  endfacet: keyword('endfacet'),
} as const;

class AsciiStlParser {
  private readonly buffer: Buffer;
  private readonly length: number;
  private pos = 0;
  private line = 1;
  private tokenStart = 0;
  private tokenEnd = 0;
  private tokenLine = 1;

  private positions: Float32Array;
  private readonly normals = emptyNormalStats();
  private triangleCount = 0;
  private readonly warnings: StlWarning[] = [];
  /** Scratch for the vertices of the facet being read (never more than three are kept). */
  private readonly facetVertices = new Float64Array(9);

  constructor(buffer: Buffer) {
    this.buffer = buffer;
    this.length = buffer.byteLength;
    const capacity = Math.max(16, Math.ceil(buffer.byteLength / TYPICAL_FACET_BYTES));
    this.positions = new Float32Array(capacity * 9);
  }

  parse(): Mesh {
    this.skipBom();
    const solidName = this.readSolidHeader();
    let currentName = solidName;
    for (;;) {
      const ended = this.readSolidBody(currentName);
      if (!ended) break;
      if (!this.nextToken()) break;
      if (!this.tokenIs(KW.solid)) {
        throw this.error(
          'trailing_data',
          `unexpected ${this.describeToken()} after endsolid at line ${this.tokenLine}; ` +
            'only whitespace or another solid may follow',
        );
      }
      currentName = this.restOfLine();
      this.warn('multiple_solids', `another solid starts at line ${this.tokenLine}; merged`);
    }
    return {
      format: 'ascii',
      solidName,
      triangleCount: this.triangleCount,
      positions: this.positions.subarray(0, this.triangleCount * 9),
      normals: this.normals,
      warnings: this.warnings,
    };
  }

  private skipBom(): void {
    if (this.buffer[0] === 0xef && this.buffer[1] === 0xbb && this.buffer[2] === 0xbf) {
      this.pos = 3;
    }
  }

  private readSolidHeader(): string | null {
    if (!this.nextToken() || !this.tokenIs(KW.solid)) {
      throw this.error('bad_header', 'ASCII STL must start with the keyword "solid"');
    }
    return this.restOfLine();
  }

  /** Reads facets up to `endsolid`; false when the file ends without one. */
  private readSolidBody(name: string | null): boolean {
    for (;;) {
      if (!this.nextToken()) {
        this.warn('missing_endsolid', `the file ends at line ${this.line} without "endsolid"`);
        return false;
      }
      if (this.tokenIs(KW.facet)) {
        this.readFacet();
      } else if (this.tokenIs(KW.endsolid)) {
        this.checkEndName(name);
        return true;
      } else {
        throw this.unexpected('"facet" or "endsolid"');
      }
    }
  }

  private checkEndName(name: string | null): void {
    const line = this.tokenLine;
    const endName = this.restOfLine();
    if (endName !== null && name !== null && endName !== name) {
      this.warn(
        'solid_name_mismatch',
        `endsolid at line ${line} names "${endName}" but the solid is "${name}"`,
      );
    }
  }

  private readFacet(): void {
    const facetLine = this.tokenLine;
    const triangle = this.triangleCount;
    this.expect(KW.normal, facetLine);
    const nx = this.readNumber(facetLine);
    const ny = this.readNumber(facetLine);
    const nz = this.readNumber(facetLine);
    this.expect(KW.outer, facetLine);
    this.expect(KW.loop, facetLine);

    let vertexCount = 0;
    for (;;) {
      this.nextTokenInFacet(facetLine, '"vertex" or "endloop"');
      if (this.tokenIs(KW.endloop)) break;
      if (!this.tokenIs(KW.vertex)) throw this.unexpected('"vertex" or "endloop"');
      this.readVertex(vertexCount, triangle, facetLine);
      vertexCount++;
    }
    if (vertexCount !== 3) {
      throw new StlError(
        'vertex_count',
        `facet ${triangle} starting at line ${facetLine} has ${vertexCount} vertices; ` +
          'STL facets are triangles with exactly 3',
        { line: facetLine, triangle },
      );
    }
    this.expect(KW.endfacet, facetLine);
    this.storeTriangle(nx, ny, nz);
  }

  private readVertex(index: number, triangle: number, facetLine: number): void {
    const vertexLine = this.tokenLine;
    const x = this.readNumber(facetLine);
    const y = this.readNumber(facetLine);
    const z = this.readNumber(facetLine);
    if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(z)) {
      throw new StlError(
        'non_finite',
        `vertex at line ${vertexLine} (triangle ${triangle}) has a NaN or infinite coordinate`,
        { line: vertexLine, triangle },
      );
    }
    if (index < 3) {
      this.facetVertices[index * 3] = x;
      this.facetVertices[index * 3 + 1] = y;
      this.facetVertices[index * 3 + 2] = z;
    }
  }

  private storeTriangle(nx: number, ny: number, nz: number): void {
    if ((this.triangleCount + 1) * 9 > this.positions.length) this.grow();
    const t = this.triangleCount;
    this.positions.set(this.facetVertices, t * 9);
    classifyStoredNormal(this.normals, this.positions, t, nx, ny, nz);
    this.triangleCount = t + 1;
  }

  private grow(): void {
    const positions = new Float32Array(this.positions.length * 2);
    positions.set(this.positions);
    this.positions = positions;
  }

  // ---- tokens ----------------------------------------------------------------------------

  /** Advances to the next whitespace-separated token; false at the end of the input. */
  private nextToken(): boolean {
    const buffer = this.buffer;
    let pos = this.pos;
    while (pos < this.length) {
      const kind = BYTE_KIND[buffer[pos] as number];
      if (kind === TOKEN) break;
      if (kind === NEWLINE) this.line++;
      pos++;
    }
    if (pos >= this.length) {
      this.pos = pos;
      return false;
    }
    this.tokenStart = pos;
    this.tokenLine = this.line;
    while (pos < this.length && BYTE_KIND[buffer[pos] as number] === TOKEN) pos++;
    this.tokenEnd = pos;
    this.pos = pos;
    return true;
  }

  private nextTokenInFacet(facetLine: number, expected: string): void {
    if (!this.nextToken()) {
      throw new StlError(
        'truncated',
        `the file ends at line ${this.line} inside the facet starting at line ${facetLine} ` +
          `(expected ${expected})`,
        { line: this.line, triangle: this.triangleCount },
      );
    }
  }

  /** Case-insensitive keyword match: OR-ing 0x20 lowercases ASCII letters. */
  private tokenIs(word: Uint8Array): boolean {
    if (this.tokenEnd - this.tokenStart !== word.length) return false;
    for (let k = 0; k < word.length; k++) {
      if (((this.buffer[this.tokenStart + k] as number) | 0x20) !== word[k]) return false;
    }
    return true;
  }

  private expect(word: Uint8Array, facetLine: number): void {
    const expected = `"${Buffer.from(word).toString('latin1')}"`;
    this.nextTokenInFacet(facetLine, expected);
    if (!this.tokenIs(word)) throw this.unexpected(expected);
  }

  /** The rest of the current line, trimmed (a solid's name); null when blank. */
  private restOfLine(): string | null {
    const start = this.pos;
    let end = start;
    while (end < this.length && this.buffer[end] !== CHAR.lf) end++;
    // Some tools write the whole solid on one line: the name then ends at the first facet.
    const firstFacet = this.buffer.toString('latin1', start, end).search(FACET_IN_LINE);
    if (firstFacet >= 0) end = start + firstFacet;
    this.pos = end;
    const text = this.buffer.toString('utf8', start, end).trim();
    return text === '' ? null : text;
  }

  private readNumber(facetLine: number): number {
    this.nextTokenInFacet(facetLine, 'a number');
    const value = parseNumberToken(this.buffer, this.tokenStart, this.tokenEnd);
    if (value === undefined) {
      throw this.error(
        'bad_number',
        `expected a number at line ${this.tokenLine} (facet starting at line ${facetLine}), ` +
          `found ${this.describeToken()}`,
      );
    }
    return value;
  }

  // ---- errors and warnings ---------------------------------------------------------------

  private describeToken(): string {
    const end = Math.min(this.tokenEnd, this.tokenStart + MAX_TOKEN_IN_MESSAGE);
    const text = this.buffer.toString('latin1', this.tokenStart, end);
    return JSON.stringify(text) + (end < this.tokenEnd ? '…' : '');
  }

  private unexpected(expected: string): StlError {
    return this.error(
      'unexpected_token',
      `expected ${expected} at line ${this.tokenLine}, found ${this.describeToken()}`,
    );
  }

  private error(
    code: 'bad_header' | 'bad_number' | 'unexpected_token' | 'trailing_data',
    message: string,
  ): StlError {
    return new StlError(code, message, { line: this.tokenLine, triangle: this.triangleCount });
  }

  private warn(code: StlWarning['code'], message: string): void {
    this.warnings.push({ code, message });
  }
}

const TOKEN = 0;
const BLANK = 1;
const NEWLINE = 2;
/** Byte → TOKEN, BLANK (space, tab, CR, VT, FF, NUL padding) or NEWLINE: one load a byte. */
const BYTE_KIND = new Uint8Array(256);
for (const blank of [CHAR.space, CHAR.tab, CHAR.cr, CHAR.vt, CHAR.ff, CHAR.nul]) {
  BYTE_KIND[blank] = BLANK;
}
BYTE_KIND[CHAR.lf] = NEWLINE;

function isDigit(c: number): boolean {
  return c >= CHAR.zero && c <= CHAR.nine;
}

/**
 * Parses `[+-]digits[.digits][e[+-]digits]` (and nan/inf/infinity) straight from bytes.
 * With at most 15 significant digits and a power of ten ≤ 22 the result is one exact
 * integer times or divided by one exact power, hence correctly rounded like `Number()`;
 * anything longer goes through `Number()` itself. Returns undefined for anything else.
 */
export function parseNumberToken(
  buffer: Uint8Array,
  start: number,
  end: number,
): number | undefined {
  let i = start;
  let negative = false;
  if (buffer[i] === CHAR.minus || buffer[i] === CHAR.plus) {
    negative = buffer[i] === CHAR.minus;
    i++;
  }
  if (i < end && !isDigit(buffer[i] as number) && buffer[i] !== CHAR.dot) {
    const special = nonFiniteWord(buffer, i, end);
    if (special === undefined) return undefined;
    return negative ? -special : special;
  }

  let mantissa = 0;
  let significantDigits = 0;
  let exponent10 = 0;
  let digits = 0;
  while (i < end && isDigit(buffer[i] as number)) {
    if (significantDigits > 0 || buffer[i] !== CHAR.zero) {
      if (significantDigits < EXACT_DIGITS)
        mantissa = mantissa * 10 + ((buffer[i] as number) - CHAR.zero);
      else exponent10++;
      significantDigits++;
    }
    digits++;
    i++;
  }
  if (i < end && buffer[i] === CHAR.dot) {
    i++;
    while (i < end && isDigit(buffer[i] as number)) {
      if (significantDigits > 0 || buffer[i] !== CHAR.zero) {
        if (significantDigits < EXACT_DIGITS) {
          mantissa = mantissa * 10 + ((buffer[i] as number) - CHAR.zero);
          exponent10--;
        }
        significantDigits++;
      } else {
        exponent10--;
      }
      digits++;
      i++;
    }
  }
  if (digits === 0) return undefined;
  if (i < end && ((buffer[i] as number) | 0x20) === CHAR.lowerE) {
    i++;
    let exponentNegative = false;
    if (buffer[i] === CHAR.minus || buffer[i] === CHAR.plus) {
      exponentNegative = buffer[i] === CHAR.minus;
      i++;
    }
    let exponent = 0;
    let exponentDigits = 0;
    while (i < end && isDigit(buffer[i] as number)) {
      if (exponent < 100_000) exponent = exponent * 10 + ((buffer[i] as number) - CHAR.zero);
      exponentDigits++;
      i++;
    }
    if (exponentDigits === 0) return undefined;
    exponent10 += exponentNegative ? -exponent : exponent;
  }
  if (i !== end) return undefined;

  let value: number;
  if (significantDigits > EXACT_DIGITS || exponent10 > 22 || exponent10 < -22) {
    value = Math.abs(
      Number(Buffer.from(buffer.buffer, buffer.byteOffset + start, end - start).toString('latin1')),
    );
  } else if (exponent10 < 0) {
    value = mantissa / (EXACT_POWERS_OF_TEN[-exponent10] as number);
  } else {
    value = mantissa * (EXACT_POWERS_OF_TEN[exponent10] as number);
  }
  return negative ? -value : value;
}

const NON_FINITE_WORDS: ReadonlyArray<[Uint8Array, number]> = [
  [keyword('nan'), Number.NaN],
  [keyword('inf'), Number.POSITIVE_INFINITY],
  [keyword('infinity'), Number.POSITIVE_INFINITY],
];

function nonFiniteWord(buffer: Uint8Array, start: number, end: number): number | undefined {
  for (const [word, value] of NON_FINITE_WORDS) {
    if (end - start !== word.length) continue;
    let same = true;
    for (let k = 0; k < word.length && same; k++) {
      same = ((buffer[start + k] as number) | 0x20) === word[k];
    }
    if (same) return value;
  }
  return undefined;
}
