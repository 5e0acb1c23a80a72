/**
 * Every way an STL file can be refused, in one catalog. Codes are stable (clients and
 * tests match on them); titles are short human summaries for problem details. A bad file
 * never gets better on retry, so every StlError is permanent.
 */
export const STL_ERROR_CODES = {
  empty: 'The file is empty',
  bad_header: 'The file is neither ASCII STL nor binary STL',
  truncated: 'The file ends before the STL data is complete',
  triangle_count_mismatch: 'The binary triangle count does not match the file size',
  unexpected_token: 'The ASCII STL has a syntax error',
  bad_number: 'A number in the ASCII STL cannot be read',
  vertex_count: 'A facet does not have exactly three vertices',
  non_finite: 'A vertex coordinate is NaN or infinite',
  trailing_data: 'The file has data after the end of the solid',
  no_facets: 'The file contains no triangles',
} as const;

export type StlErrorCode = keyof typeof STL_ERROR_CODES;

/** Where in the file a problem is: a 1-based line (ASCII) or a triangle and byte offset. */
export interface StlErrorLocation {
  line?: number;
  /** 0-based triangle index. */
  triangle?: number;
  byteOffset?: number;
}

export class StlError extends Error {
  override readonly name = 'StlError';
  /** Bad input stays bad: never retry. */
  readonly permanent = true;
  readonly code: StlErrorCode;
  readonly location: StlErrorLocation;

  constructor(code: StlErrorCode, message: string, location: StlErrorLocation = {}) {
    super(message);
    this.code = code;
    this.location = location;
  }

  /** The catalog's short summary of {@link code}. */
  get title(): string {
    return STL_ERROR_CODES[this.code];
  }
}

export function isStlError(error: unknown): error is StlError {
  return error instanceof StlError;
}
