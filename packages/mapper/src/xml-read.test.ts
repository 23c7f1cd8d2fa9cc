import { describe, expect, it } from 'vitest';
import type { XmlElement, XmlReadResult } from './xml-read.js';
import { childOf, childText, childrenOf, descendantsOf, readXml } from './xml-read.js';

function root(result: XmlReadResult): XmlElement {
  if (!result.ok) throw new Error(`not ok: ${result.failure} ${result.detail}`);
  return result.root;
}

describe('readXml', () => {
  it('reads elements, attributes, text, CDATA, comments and processing instructions', () => {
    const doc = root(
      readXml(`\uFEFF<?xml version="1.0" encoding="utf-8"?>
<!-- served by Optimo -->
<response status='ok' x = "1">
  <workouts page="1" per_page="25" pages="1" total="1"><workout><name><![CDATA[a < b & c]]> &amp; d</name></workout></workouts>
  <?pi something?>
  <empty/>
</response>
<!-- trailing -->`),
    );
    expect(doc.name).toBe('response');
    expect(doc.attributes).toEqual({ status: 'ok', x: '1' });
    const workouts = childOf(doc, 'workouts') as XmlElement;
    expect(workouts.attributes.per_page).toBe('25');
    expect(childText(childrenOf(workouts, 'workout')[0] as XmlElement, 'name')).toBe('a < b & c & d');
    expect(childOf(doc, 'empty')?.text).toBe('');
    expect(childText(doc, 'empty')).toBeUndefined();
  });

  it('decodes the five entities and numeric references, and nothing else', () => {
    expect(root(readXml('<a>&lt;&gt;&amp;&quot;&apos;&#65;&#x1F600;&#13;</a>')).text).toBe(`<>&"'A😀\r`);
    expect(readXml('<a>&nbsp;</a>')).toMatchObject({ ok: false, failure: 'malformed' });
    expect(readXml('<a>AT&T</a>')).toMatchObject({ ok: false, failure: 'malformed' });
    expect(readXml('<a>&#0;</a>')).toMatchObject({ ok: false, failure: 'malformed' });
    expect(readXml('<a b="&unknown;"/>')).toMatchObject({ ok: false, failure: 'malformed' });
  });

  it('drops namespace prefixes and xmlns declarations', () => {
    const doc = root(readXml('<o:response xmlns:o="urn:optimo" xmlns="urn:x" o:status="ok"><o:workout_id>12</o:workout_id></o:response>'));
    expect(doc.name).toBe('response');
    expect(doc.attributes).toEqual({ status: 'ok' });
    expect(childText(doc, 'workout_id')).toBe('12');
  });

  it('refuses a DOCTYPE (no DTD, no entity expansion)', () => {
    const bomb = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><response status="ok">&lol2;</response>';
    expect(readXml(bomb)).toMatchObject({ ok: false, failure: 'doctype' });
  });

  it.each([
    ['', 'empty'],
    ['  \n\t ', 'empty'],
    ['\uFEFF', 'empty'],
    ['<response status="ok"><workout_id>12</workout_id>', 'truncated'],
    ['<response status="ok"><workout_id>12</workout_', 'truncated'],
    ['<response status="ok"><workout_id', 'truncated'],
    ['<response status="o', 'truncated'],
    ['<response status="ok"', 'truncated'],
    ['<response status="ok"><!-- cut', 'truncated'],
    ['<response><![CDATA[cut', 'truncated'],
    ['<?xml version="1.0"', 'truncated'],
    ['<', 'truncated'],
    ['Bad Gateway', 'malformed'],
    ['<a></b>', 'malformed'],
    ['<a><b></a></b>', 'malformed'],
    ['</a>', 'malformed'],
    ['<a/><b/>', 'malformed'],
    ['<a/>trailing text', 'malformed'],
    ['<a b=1/>', 'malformed'],
    ['<a b/>', 'malformed'],
    ['<a b="<"/>', 'malformed'],
    ['<?xml version="1.0"?>', 'malformed'],
    ['< a/>', 'malformed'],
    ['<!ELEMENT a ANY><a/>', 'malformed'],
  ])('%j → %s', (text, failure) => {
    expect(readXml(text)).toMatchObject({ ok: false, failure });
  });

  it('finds children and descendants by local name in document order', () => {
    const doc = root(readXml('<r><error>one</error><x><error>two</error></x><error>three</error><code>40030</code></r>'));
    expect(descendantsOf(doc, 'error').map((e) => e.text)).toEqual(['one', 'two', 'three']);
    expect(childrenOf(doc, 'error')).toHaveLength(2);
    expect(childText(doc, 'code')).toBe('40030');
  });

  it('reads a large document quickly', () => {
    const sample = '<sample><offset>1</offset><heart_rate>120</heart_rate><lat>45.0000001</lat><lon>7.0000001</lon></sample>';
    const doc = `<response status="ok"><workout><samples>${sample.repeat(50_000)}</samples></workout></response>`;
    const started = performance.now();
    const parsed = root(readXml(doc));
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(childrenOf(childOf(childOf(parsed, 'workout') as XmlElement, 'samples') as XmlElement, 'sample')).toHaveLength(50_000);
  });
});
