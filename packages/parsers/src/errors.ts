import type { FormatId } from '@optimo-import/workout';

/**
 * | code                | meaning                                                        |
 * | ------------------- | -------------------------------------------------------------- |
 * | unknown-format      | no parser recognises the content                               |
 * | corrupt             | the content contradicts its format (bad header, bad XML, ...)  |
 * | truncated           | the file ends before its structure does                        |
 * | no-data             | well-formed, but holds no usable workout                       |
 * | unsupported-variant | a real variant of the format we do not import (course, DTD...) |
 * | too-large           | over a size cap (file, archive entry, decompressed bytes)      |
 */
export type ParseErrorCode = 'unknown-format' | 'corrupt' | 'truncated' | 'no-data' | 'unsupported-variant' | 'too-large';

export interface ParseErrorInit {
  code: ParseErrorCode;
  /** What is wrong, without the context prefix. */
  message: string;
  format?: FormatId | 'gzip' | 'zip';
  file?: string;
  /** Byte offset in the (decompressed) file where the problem was found. */
  offset?: number;
  /** 1-based line for text formats. */
  line?: number;
  cause?: unknown;
  /** True when a parser failed in an unexpected way (a bug), not because of the content. */
  internal?: boolean;
}

/** The one error class of the parsers: a code, the file, the format and where. */
export class ParseError extends Error {
  override readonly name = 'ParseError';
  readonly code: ParseErrorCode;
  readonly detail: string;
  readonly format?: ParseErrorInit['format'];
  readonly file?: string;
  readonly offset?: number;
  readonly line?: number;
  readonly internal?: boolean;

  constructor(init: ParseErrorInit) {
    super(formatMessage(init), init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.detail = init.message;
    if (init.format !== undefined) this.format = init.format;
    if (init.file !== undefined) this.file = init.file;
    if (init.offset !== undefined) this.offset = init.offset;
    if (init.line !== undefined) this.line = init.line;
    if (init.internal) this.internal = true;
  }

  /** The same error, naming the file (used by the registry when a parser did not know it). */
  withFile(file: string | undefined): ParseError {
    if (file === undefined || this.file !== undefined) return this;
    return new ParseError({ ...this.init(), file });
  }

  init(): ParseErrorInit {
    return { code: this.code, message: this.detail, format: this.format, file: this.file, offset: this.offset, line: this.line, cause: this.cause, internal: this.internal };
  }
}

function formatMessage(init: ParseErrorInit): string {
  const where = init.line !== undefined ? ` line ${init.line}` : init.offset !== undefined ? ` byte ${init.offset}` : '';
  const prefix = `${init.format ? `[${init.format}] ` : ''}${init.file ?? ''}${where}`.trim();
  return prefix ? `${prefix}: ${init.message}` : init.message;
}

/** Type guard by name, so that two installed copies of this package still match. */
export function isParseError(error: unknown): error is ParseError {
  return error instanceof Error && error.name === 'ParseError' && typeof (error as ParseError).code === 'string';
}
