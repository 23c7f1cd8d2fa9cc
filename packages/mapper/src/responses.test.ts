import { describe, expect, it } from 'vitest';
import { readResponse } from './responses.js';

const XML = '<?xml version="1.0" encoding="utf-8"?>';

describe('readResponse: ok and fail', () => {
  it('reads the contract example answers', () => {
    expect(readResponse(`${XML}\n<response status="ok"><workout_id>8812</workout_id></response>`)).toMatchObject({ kind: 'ok', root: { name: 'response' } });
    expect(
      readResponse(`${XML}
<response status="fail">
  <error>'start_time' is not a valid date-time.</error>
  <error>'sport' must be one of running, cycling, swimming, walking, hiking, rowing, skiing, strength, multisport, other.</error>
  <code>40030</code>
</response>`),
    ).toEqual({
      kind: 'fail',
      code: 40030,
      errors: ["'start_time' is not a valid date-time.", "'sport' must be one of running, cycling, swimming, walking, hiking, rowing, skiing, strength, multisport, other."],
    });
  });

  it('accepts a <request> root, as in Optimo\'s own sample', () => {
    expect(readResponse('<request status="ok"><athlete_id>7</athlete_id></request>')).toMatchObject({ kind: 'ok', root: { name: 'request' } });
    expect(readResponse('<request status="fail"><error>nope</error><code>40400</code></request>')).toEqual({ kind: 'fail', code: 40400, errors: ['nope'] });
  });

  it('decides on status alone: a missing or unknown status is a failure', () => {
    expect(readResponse('<response><workout_id>1</workout_id></response>')).toEqual({ kind: 'fail', errors: [], existingId: '1' });
    expect(readResponse('<response status="OK"/>')).toMatchObject({ kind: 'fail' });
    expect(readResponse('<response status="success"/>')).toMatchObject({ kind: 'fail' });
    expect(readResponse('<response status=" ok "/>', { status: 500 })).toMatchObject({ kind: 'ok', httpStatus: 500 });
    expect(readResponse('<response status="fail"/>', { status: 200 })).toEqual({ kind: 'fail', errors: [], httpStatus: 200 });
  });

  it('carries the existing id of a duplicate (40900)', () => {
    expect(readResponse('<response status="fail"><error>external_id exists</error><code>40900</code><workout_id>8812</workout_id></response>')).toEqual({
      kind: 'fail',
      code: 40900,
      errors: ['external_id exists'],
      existingId: '8812',
    });
    expect(readResponse('<response status="fail"><code>40900</code><assessment_id>31</assessment_id></response>')).toMatchObject({ existingId: '31' });
  });

  it('ignores namespaces and unknown elements', () => {
    const answer = readResponse(
      '<o:response xmlns:o="urn:optimo" o:status="fail"><o:meta><o:trace>abc</o:trace></o:meta><o:error>bad <![CDATA[<value>]]></o:error><o:code>40020</o:code><extra/></o:response>',
      { status: 200, contentType: 'application/xml; charset=utf-8' },
    );
    expect(answer).toEqual({ kind: 'fail', code: 40020, errors: ['bad <value>'], httpStatus: 200 });
  });

  it('collects every error even when nested, and leaves a non-numeric code out', () => {
    expect(readResponse('<response status="fail"><errors><error>a</error><error> b </error></errors><error/><code>E1</code></response>')).toEqual({ kind: 'fail', errors: ['a', 'b'] });
  });

  it('reads bytes as UTF-8, with or without a byte-order mark', () => {
    const bytes = new TextEncoder().encode(`\uFEFF${XML}<response status="fail"><error>Läufer 🏃 nicht gefunden</error><code>40400</code></response>`);
    expect(readResponse(bytes)).toEqual({ kind: 'fail', code: 40400, errors: ['Läufer 🏃 nicht gefunden'] });
  });
});

describe('readResponse: not an API answer', () => {
  it.each([
    ['an HTML 502 page', '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr><center>nginx</center></body></html>', { status: 502, contentType: 'text/html' }, 'html'],
    ['a bare HTML page', '<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head></html>', { status: 503 }, 'html'],
    ['an XHTML page', '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body>oops</body></html>', { status: 500 }, 'html'],
    ['an unreadable body served as HTML', 'Service unavailable <b>now', { status: 503, contentType: 'text/html; charset=utf-8' }, 'html'],
    ['an empty body', '', { status: 504 }, 'empty'],
    ['whitespace only', '  \r\n ', {}, 'empty'],
    ['a body cut off mid-element', `${XML}<response status="ok"><workout_id>88`, { status: 200 }, 'truncated'],
    ['a body cut off in a tag', `${XML}<response status="ok"><workout_i`, {}, 'truncated'],
    ['a body cut off before the root closes', `${XML}<response status="ok"><workout_id>8812</workout_id>`, {}, 'truncated'],
    ['plain text', 'Bad Gateway', { status: 502, contentType: 'text/plain' }, 'malformed'],
    ['JSON', '{"status":"ok"}', { contentType: 'application/json' }, 'malformed'],
    ['mismatched tags', '<response status="ok"><a></b></response>', {}, 'malformed'],
    ['an unknown entity', '<response status="fail"><error>&nbsp;</error></response>', {}, 'malformed'],
    ['a DOCTYPE', `${XML}<!DOCTYPE response [<!ENTITY x "y">]><response status="ok">&x;</response>`, {}, 'doctype'],
    ['another root', '<error>rate limited</error>', { status: 429 }, 'unexpected-root'],
    ['a SOAP fault', '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>', {}, 'unexpected-root'],
  ])('%s', (_label, body, info, reason) => {
    const answer = readResponse(body, info);
    expect(answer).toMatchObject({ kind: 'not-api', reason });
    if ('status' in info) expect(answer).toMatchObject({ httpStatus: info.status });
    expect(answer.kind === 'not-api' && answer.detail.length).toBeGreaterThan(0);
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(readResponse(new Uint8Array([0x3c, 0x72, 0xff, 0xfe, 0x3e]))).toMatchObject({ kind: 'not-api', reason: 'malformed' });
  });

  it('keeps the detail short for logs', () => {
    const page = `<!doctype html><html><body>${'x'.repeat(10_000)}</body></html>`;
    const answer = readResponse(page, { status: 502 });
    expect(answer.kind === 'not-api' && answer.detail.length).toBeLessThan(200);
  });
});
