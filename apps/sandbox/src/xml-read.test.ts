import { describe, expect, it } from 'vitest';
import { XmlReadError, readXml } from './xml-read.js';

const read = (text: string) => readXml(Buffer.from(text));

describe('readXml', () => {
  it('builds a tree with local names, attributes, text, CDATA and the five entities', () => {
    const root = read('<?xml version="1.0" encoding="utf-8"?>\n<x:request xmlns:x="urn:a" x:method="m"><a>1 &amp; 2 &lt;3&gt; &quot;&apos;</a><b><![CDATA[<raw>]]>&#x41;</b></x:request>');
    expect(root.name).toBe('request');
    expect(root.attributes.method).toBe('m');
    expect(root.children.map((child) => [child.name, child.text])).toEqual([
      ['a', `1 & 2 <3> "'`],
      ['b', '<raw>A'],
    ]);
  });

  it('strips a byte-order mark', () => {
    expect(readXml(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<request/>')])).name).toBe('request');
  });

  it.each([
    ['a DOCTYPE', '<!DOCTYPE request><request/>'],
    ['an internal entity', '<!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>'],
    ['an external entity', '<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/hostname">]><r>&e;</r>'],
    ['an undeclared entity', '<r>&copy;</r>'],
    ['two roots', '<a/><b/>'],
    ['text only', 'hello'],
    ['nothing', ''],
    ['a mismatched tag', '<a></b>'],
    ['an encoding other than UTF-8', '<?xml version="1.0" encoding="UTF-16"?><a/>'],
  ])('refuses %s', (_name, text) => {
    expect(() => read(text)).toThrow(XmlReadError);
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(() => readXml(Buffer.from([0x3c, 0x61, 0x3e, 0xff, 0x3c, 0x2f, 0x61, 0x3e]))).toThrow(/UTF-8/);
  });
});
