/**
 * The sandbox's one error class. API failures are not errors (they are answers); SandboxError is
 * for the operator's mistakes: a bad option, a bad seed file, a port that cannot be opened.
 */
export type SandboxErrorCode = 'bad-option' | 'bad-seed' | 'bad-faults' | 'listen-failed' | 'bad-data-file';

export interface SandboxErrorContext {
  /** The option, seed path (`accounts[0].staff[1].token`) or file the problem is about. */
  where?: string;
  cause?: unknown;
}

export class SandboxError extends Error {
  override readonly name = 'SandboxError';
  readonly code: SandboxErrorCode;
  readonly where: string | undefined;

  constructor(code: SandboxErrorCode, message: string, context: SandboxErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.code = code;
    this.where = context.where;
  }
}

/** True for a SandboxError, also one from another installed copy of this package (matched by name). */
export function isSandboxError(value: unknown): value is SandboxError {
  return value instanceof Error && value.name === 'SandboxError' && typeof (value as { code?: unknown }).code === 'string';
}
