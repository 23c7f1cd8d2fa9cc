import { readResponse } from '@optimo-import/mapper';
import { describe, expect, it } from 'vitest';
import { CLASSIFICATION_TABLE, classifyExchange, isReadMethod, methodOf } from './classify.js';
import type { ExchangeFacts } from './classify.js';

const ok = '<response status="ok"><workout_id>8812</workout_id></response>';
const fail = (code: number, extra = ''): string => `<response status="fail"><error>no</error><code>${code}</code>${extra}</response>`;
const html = '<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>';

function answered(status: number, body: string): Omit<ExchangeFacts, 'read'> {
  return { bodySent: true, status, answer: readResponse(body, { status }) };
}

/** [what, facts, class for a read, class for a write] */
const CASES: Array<[string, Omit<ExchangeFacts, 'read'>, string, string]> = [
  ['200 ok', answered(200, ok), 'ok', 'ok'],
  ['401 40100', answered(401, fail(40100)), 'bad-token', 'bad-token'],
  ['401 with an HTML page', answered(401, html), 'bad-token', 'bad-token'],
  ['200 fail 40100', answered(200, fail(40100)), 'bad-token', 'bad-token'],
  ['429 42900', answered(429, fail(42900)), 'quota-spent', 'quota-spent'],
  ['429 empty', answered(429, ''), 'quota-spent', 'quota-spent'],
  ['413 41300', answered(413, fail(41300)), 'too-large', 'too-large'],
  ['302 redirect', answered(302, ''), 'failed', 'failed'],
  ['301 with an XML ok body', answered(301, ok), 'failed', 'failed'],
  ['500 XML 50000', answered(500, fail(50000)), 'transient', 'maybe-done'],
  ['502 HTML', answered(502, html), 'transient', 'maybe-done'],
  ['503 empty', answered(503, ''), 'transient', 'maybe-done'],
  ['504 40030 body', answered(504, fail(40030)), 'transient', 'maybe-done'],
  ['408', answered(408, ''), 'transient', 'maybe-done'],
  ['200 fail 50000', answered(200, fail(50000)), 'transient', 'maybe-done'],
  ['200 40900 with the id', answered(200, fail(40900, '<workout_id>5</workout_id>')), 'duplicate', 'duplicate'],
  ['200 40030', answered(200, fail(40030)), 'failed', 'failed'],
  ['200 40020', answered(200, fail(40020)), 'failed', 'failed'],
  ['200 40010', answered(200, fail(40010)), 'failed', 'failed'],
  ['200 40400', answered(200, fail(40400)), 'failed', 'failed'],
  ['200 40300', answered(200, fail(40300)), 'failed', 'failed'],
  ['403 40300 (plain HTTP)', answered(403, fail(40300)), 'failed', 'failed'],
  ['200 fail without a code', answered(200, '<response status="fail"><error>x</error></response>'), 'failed', 'failed'],
  ['200 response without status', answered(200, '<response><workout_id>1</workout_id></response>'), 'failed', 'failed'],
  ['404 HTML (wrong endpoint)', answered(404, html), 'failed', 'failed'],
  ['200 HTML page', answered(200, html), 'transient', 'maybe-done'],
  ['200 empty', answered(200, ''), 'transient', 'maybe-done'],
  ['200 cut XML', answered(200, '<response status="ok"><workout_id>88'), 'transient', 'maybe-done'],
  ['refused', { bodySent: false, failure: 'refused' }, 'transient', 'transient'],
  ['connect timeout', { bodySent: false, failure: 'connect-timeout' }, 'transient', 'transient'],
  ['DNS try again', { bodySent: false, failure: 'dns-retry' }, 'transient', 'transient'],
  ['unknown host', { bodySent: false, failure: 'dns-unknown' }, 'failed', 'failed'],
  ['certificate refused', { bodySent: false, failure: 'tls' }, 'failed', 'failed'],
  ['reset while sending', { bodySent: false, failure: 'reset' }, 'transient', 'transient'],
  ['stall while sending', { bodySent: false, failure: 'send-timeout' }, 'transient', 'transient'],
  ['reset after the body', { bodySent: true, failure: 'reset' }, 'transient', 'maybe-done'],
  ['answer timeout', { bodySent: true, failure: 'answer-timeout' }, 'transient', 'maybe-done'],
  ['network after the body', { bodySent: true, failure: 'network' }, 'transient', 'maybe-done'],
  ['answer too large', { bodySent: true, failure: 'answer-too-large' }, 'failed', 'maybe-done'],
];

describe('classifyExchange: the one table', () => {
  it.each(CASES)('%s → read: %s, write: %s', (_what, facts, read, write) => {
    expect(classifyExchange({ ...facts, read: true }).classification).toBe(read);
    expect(classifyExchange({ ...facts, read: false }).classification).toBe(write);
  });

  it('names the row that matched, and the last row matches everything', () => {
    expect(classifyExchange({ read: false, bodySent: true, failure: 'reset' }).row).toMatch(/after the body was sent/);
    expect(CLASSIFICATION_TABLE.at(-1)!.match({ read: true, bodySent: true })).toBe(true);
  });

  it('every row is reached by some case', () => {
    const rows = new Set(CASES.map(([, facts]) => classifyExchange({ ...facts, read: true }).row));
    expect(rows.size).toBe(CLASSIFICATION_TABLE.length);
  });
});

describe('methods', () => {
  it('reads the method attribute and knows the reads', () => {
    expect(methodOf('<?xml version="1.0" encoding="utf-8"?><request method="workout.create"><workout/></request>')).toBe('workout.create');
    expect(methodOf("<request method='system.current'/>")).toBe('system.current');
    expect(methodOf('<response status="ok"/>')).toBeUndefined();
    expect(isReadMethod('workout.list')).toBe(true);
    expect(isReadMethod('workout.samples.add')).toBe(false);
    expect(isReadMethod('workout.create')).toBe(false);
    expect(isReadMethod('made.up')).toBe(false);
  });
});
