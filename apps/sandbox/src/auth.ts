import { createHash, timingSafeEqual } from 'node:crypto';
import type { StaffRow } from './store.js';

/**
 * Tokens (optimo-api.md 1): HTTP basic auth with the token as user name and any password.
 * Tokens are compared in constant time: the presented token is hashed and compared with the hash
 * of every known token, all of them, whatever matches first.
 */
export interface TokenIndex {
  /** The staff member owning the token, or undefined. */
  find(token: string | undefined): StaffRow | undefined;
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function createTokenIndex(staff: readonly StaffRow[]): TokenIndex {
  const entries = staff.map((member) => ({ hash: digest(member.token), member }));
  return {
    find(token) {
      if (token === undefined || token === '') return undefined;
      const presented = digest(token);
      let found: StaffRow | undefined;
      for (const entry of entries) {
        if (timingSafeEqual(entry.hash, presented) && found === undefined) found = entry.member;
      }
      return found;
    },
  };
}

/** The user name of a `Basic` Authorization header (the token), or undefined. */
export function readBasicAuth(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (match?.[1] === undefined) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon === -1 ? decoded : decoded.slice(0, colon);
  return user === '' ? undefined : user;
}
