import { describe, expect, it } from 'vitest';
import type { ApiClient, HttpsAnswer } from './https-client.js';
import { ID_DIGITS, makeCreateBodyTemplate, runCreateLoad } from './sandbox-load.js';

const PREFIX = 'bench-t-';
const BODY = `<?xml version="1.0" encoding="utf-8"?><request method="workout.create"><workout><athlete_id>1</athlete_id><external_id>${PREFIX}${'0'.repeat(ID_DIGITS)}</external_id><name>Ride é</name></workout></request>`;

/** A client that answers from a function of the external_id it was sent; records every id. */
function fakeClient(answer: (externalId: string, n: number) => HttpsAnswer | Error): ApiClient & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    post: async (body) => {
      const text = Buffer.isBuffer(body) ? body.toString('utf8') : body;
      const externalId = /<external_id>([^<]*)<\/external_id>/.exec(text)?.[1] ?? '';
      const n = sent.push(externalId);
      await new Promise((resolve) => setImmediate(resolve));
      const reply = answer(externalId, n);
      if (reply instanceof Error) throw reply;
      return reply;
    },
    close: () => undefined,
  };
}

const okWith = (id: string | number): HttpsAnswer => ({ status: 200, body: Buffer.from(`<?xml version="1.0" encoding="utf-8"?><response status="ok"><workout_id>${id}</workout_id></response>`), ms: 1 });

describe('makeCreateBodyTemplate', () => {
  it('finds the external_id digits by byte offset, after multi-byte text too', () => {
    const template = makeCreateBodyTemplate(BODY, PREFIX);
    expect(template.bytes.toString('latin1', template.digitsOffset, template.digitsOffset + ID_DIGITS)).toBe('0'.repeat(ID_DIGITS));
    const accented = makeCreateBodyTemplate(BODY.replace('<athlete_id>1</athlete_id>', '<name>é</name><athlete_id>1</athlete_id>'), PREFIX);
    expect(accented.bytes.toString('latin1', accented.digitsOffset, accented.digitsOffset + ID_DIGITS)).toBe('0'.repeat(ID_DIGITS));
  });

  it('refuses a body without the placeholder', () => {
    expect(() => makeCreateBodyTemplate(BODY, 'other-')).toThrow(/exactly once/);
  });
});

describe('runCreateLoad', () => {
  it('gives every request its own external_id and counts the ok answers', async () => {
    const client = fakeClient((_, n) => okWith(n));
    const outcome = await runCreateLoad(client, makeCreateBodyTemplate(BODY, PREFIX), { concurrency: 3, warmupRequests: 4, maxRequests: 20, maxSeconds: 60 });
    expect(outcome).toMatchObject({ requests: 20, ok: 20, failures: [], warmupRequests: 4, warmupFailures: [], stoppedBy: 'count' });
    expect(new Set(client.sent).size).toBe(24);
    expect(client.sent.every((id) => new RegExp(`^${PREFIX}\\d{${ID_DIGITS}}$`).test(id))).toBe(true);
    expect(outcome.latencyMs).toHaveLength(20);
    expect(outcome.bodyBytes).toBe(20 * Buffer.byteLength(BODY));
  });

  it('counts every kind of failure and never takes it for an ok answer', async () => {
    const client = fakeClient((_, n) => {
      if (n <= 2) return okWith(n); // warm-up
      switch (n % 6) {
        case 0:
          return new Error('socket hang up');
        case 1:
          return { status: 200, body: Buffer.from('<response status="fail"><error>bad</error><code>40030</code></response>'), ms: 1 };
        case 2:
          return { status: 502, body: Buffer.from('<html><body>Bad gateway</body></html>'), ms: 1 };
        case 3:
          return okWith(7); // the same id each time: only its first is new
        case 4:
          return { status: 200, body: Buffer.from('<response status="ok"></response>'), ms: 1 };
        default:
          return okWith(1000 + n);
      }
    });
    const outcome = await runCreateLoad(client, makeCreateBodyTemplate(BODY, PREFIX), { concurrency: 1, warmupRequests: 2, maxRequests: 12, maxSeconds: 60 });
    const byKind = Object.fromEntries(outcome.failures.map((f) => [f.kind, f.count]));
    expect(byKind).toEqual({
      network: 2,
      'HTTP 200, fail 40030': 2,
      'HTTP 502, not an API answer (html)': 2,
      'workout_id given twice': 1,
      'ok without a workout_id': 2,
    });
    expect(outcome.ok).toBe(3);
    expect(outcome.requests).toBe(12);
  });

  it('stops taking new requests at the time limit', async () => {
    const client = fakeClient((_, n) => okWith(n));
    const outcome = await runCreateLoad(client, makeCreateBodyTemplate(BODY, PREFIX), { concurrency: 2, warmupRequests: 0, maxRequests: 1_000_000, maxSeconds: 0.05 });
    expect(outcome.stoppedBy).toBe('time');
    expect(outcome.requests).toBeLessThan(1_000_000);
    expect(outcome.ok).toBe(outcome.requests);
  });
});
