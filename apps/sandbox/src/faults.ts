import { randomInt } from 'node:crypto';
import { SandboxError } from './errors.js';

/**
 * Injected faults, for tests of clients (`--faults SPEC`, `--faults-seed N`). SPEC is
 * comma-separated `kind:probability` (0 to 1), e.g. `error5xx:0.1,reset-after:0.05`.
 *
 * | kind | when | what the client sees | stored? | counted? |
 * | --- | --- | --- | --- | --- |
 * | `reset-before` | after the body is read, before it is handled | the connection dropped, no answer | no | no |
 * | `quota-early` | at the quota check | 429 + `Retry-After` + 42900 though the quota is not spent | no | no |
 * | `error5xx` | instead of handling | 500, 502, 503 or 504 with an XML 50000 answer | no | yes |
 * | `html5xx` | instead of handling | 500, 502, 503 or 504 with an HTML error page | no | yes |
 * | `reset-after` | after the request is handled | the connection dropped, no answer | yes | yes |
 * | `slow-after` | after the request is handled | the answer held back (default 10 minutes) | yes | yes |
 *
 * Every authenticated API request draws one number per kind, in the order above, plus one for the
 * 5xx status, whatever fires; the first kind whose draw falls under its probability applies. So
 * with the same seed and the same requests in the same order, the same faults happen.
 */
export const FAULT_KINDS = ['reset-before', 'quota-early', 'error5xx', 'html5xx', 'reset-after', 'slow-after'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export type FaultSpec = Partial<Record<FaultKind, number>>;

const STATUSES_5XX = [500, 502, 503, 504] as const;

export interface FaultDraw {
  kind: FaultKind | undefined;
  /** The status a 5xx fault answers with. */
  status: number;
}

export interface FaultRoller {
  draw(): FaultDraw;
  readonly seed: number;
}

function isFaultKind(text: string): text is FaultKind {
  return (FAULT_KINDS as readonly string[]).includes(text);
}

/** Reads a SPEC; throws SandboxError('bad-faults') naming the bad part. */
export function parseFaults(spec: string): FaultSpec {
  const faults: FaultSpec = {};
  for (const part of spec.split(',').map((item) => item.trim()).filter((item) => item !== '')) {
    const [kind, probability, extra] = part.split(':').map((item) => item.trim());
    const value = probability === undefined || !/^(?:0|1|0?\.\d+|1\.0+)$/.test(probability) ? NaN : Number(probability);
    if (kind === undefined || !isFaultKind(kind) || extra !== undefined || !(value >= 0 && value <= 1)) {
      throw new SandboxError('bad-faults', `[faults] '${part}' is not kind:probability with kind one of ${FAULT_KINDS.join(', ')} and probability from 0 to 1`, {
        where: part,
      });
    }
    faults[kind] = value;
  }
  return faults;
}

/** mulberry32: a small, fast, well-known 32-bit generator; plenty for fault draws. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function createFaultRoller(spec: FaultSpec, seed: number = randomInt(0, 2 ** 31)): FaultRoller {
  const next = mulberry32(seed);
  return {
    seed,
    draw() {
      let kind: FaultKind | undefined;
      for (const candidate of FAULT_KINDS) {
        const roll = next();
        if (kind === undefined && roll < (spec[candidate] ?? 0)) kind = candidate;
      }
      const status = STATUSES_5XX[Math.floor(next() * STATUSES_5XX.length)] ?? 500;
      return { kind, status };
    },
  };
}
