import { closeSync, openSync, writeSync } from 'node:fs';
import type { FaultKind } from './faults.js';

/**
 * The request log (`--log FILE`): one JSON object per line per API request, written as the answer
 * goes out (or the connection is dropped), so a test can count lines right after a response.
 * It never holds a token: the account is named, the staff member is not.
 */
export interface RequestLogEntry {
  /** ISO 8601 UTC, from the sandbox clock. */
  time: string;
  /** Account name; null when no token was accepted (401, plain HTTP). */
  account: string | null;
  /** The `method` attribute; null when the body was not read or not XML. */
  method: string | null;
  /** HTTP status; null when the connection was dropped (a reset fault). */
  status: number | null;
  /** The `<code>` of a fail answer; null for ok answers and drops. */
  code: number | null;
  /** Request body bytes received. */
  bytes: number;
  /** Faults applied to this request. */
  faults: FaultKind[];
}

export interface RequestLog {
  write(entry: RequestLogEntry): void;
  close(): void;
}

export function createRequestLog(file: string | undefined, onEntry?: (entry: RequestLogEntry) => void): RequestLog {
  const fd = file === undefined ? undefined : openSync(file, 'a');
  let closed = false;
  return {
    write(entry) {
      onEntry?.(entry);
      if (fd !== undefined && !closed) writeSync(fd, `${JSON.stringify(entry)}\n`);
    },
    close() {
      if (fd !== undefined && !closed) closeSync(fd);
      closed = true;
    },
  };
}
