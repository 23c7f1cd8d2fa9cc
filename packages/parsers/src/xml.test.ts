import { describe, expect, it } from 'vitest';
import { isParseError } from './errors.js';
import type { ParseError } from './errors.js';
import { createLineIndex, createXmlReader, decodeEntities, decodeXml, lineAt, xmlRootName, XML_CLOSE, XML_END, XML_OPEN, XML_TEXT } from './xml.js';
import type { XmlReaderOptions } from './xml.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Every event as a compact string: `<name depth parent>`, `</name "text">`, `#text`. */
function events(xml: string, options: XmlReaderOptions = {}): string[] {
  const r = createXmlReader(xml, options);
  const out: string[] = [];
  for (let ev = r.next(); ev !== XML_END; ev = r.next()) {
    if (ev === XML_OPEN) out.push(`<${r.name} ${r.depth} ${r.parent}${r.selfClosing ? ' /' : ''}>`);
    else if (ev === XML_CLOSE) out.push(`</${r.name} ${JSON.stringify(r.text())}>`);
    else if (ev === XML_TEXT) out.push(`#${r.text()}`);
  }
  return out;
}

function failure(xml: string): ParseError {
  try {
    events(xml);
  } catch (error) {
    if (isParseError(error)) return error;
    throw error;
  }
  throw new Error('expected a ParseError');
}

describe('createXmlReader: events', () => {
  it('reports open/close with local names, depth, parent and leaf text', () => {
    const xml = '<?xml version="1.0"?>\n<a:root xmlns:a="urn:a"><b>1</b><c><d/></c><a:e>x y</a:e></a:root>';
    expect(events(xml)).toEqual([
      '<root 1 >',
      '<b 2 root>',
      '</b "1">',
      '<c 2 root>',
      '<d 3 c />',
      '</d "">',
      '</c "">',
      '<e 2 root>',
      '</e "x y">',
      '</root "">',
    ]);
  });

  it('reads attributes by local name, decoded, ignoring xmlns declarations', () => {
    const r = createXmlReader(`<trkpt xmlns:lat="urn:x" ns:lat = '1.5' lon="-2&amp;3" note="a&#10;b&#x41;&lt;"/>`);
    expect(r.next()).toBe(XML_OPEN);
    expect(r.attr('lat')).toBe('1.5');
    expect(r.attr('lon')).toBe('-2&3');
    expect(r.attr('note')).toBe('a b' + 'A<'); // a character reference for \n is normalised to a space like a literal newline
    expect(r.attr('missing')).toBeUndefined();
    expect(r.attributes()).toEqual({ 'xmlns:lat': 'urn:x', 'ns:lat': '1.5', lon: '-2&3', note: 'a bA<' });
  });

  it('keeps text with CDATA, comments and PIs inside a leaf', () => {
    expect(events('<a><b>1<!-- no -->2<![CDATA[<3>&amp;]]>4<?pi x?>5</b></a>')).toEqual(['<a 1 >', '<b 2 a>', '</b "12<3>&amp;45">', '</a "">']);
  });

  it('decodes the five entities and numeric references, keeps anything else verbatim', () => {
    expect(events('<a>&lt;&gt;&amp;&quot;&apos; &#65;&#x42;&#X43; &nbsp; &#0; &#xD800; &bogus AT&T</a>')).toEqual([
      '<a 1 >',
      `</a "<>&\\"' ABC &nbsp; &#0; &#xD800; &bogus AT&T">`,
    ]);
    expect(decodeEntities('a\r\nb\rc')).toBe('a\nb\nc');
  });

  it('emits text runs with textEvents, skipping whitespace-only runs unless asked', () => {
    const xml = '<p>Hello <b>big</b> world<![CDATA[!]]>\n</p>';
    expect(events(xml, { textEvents: true })).toEqual(['<p 1 >', '#Hello ', '<b 2 p>', '#big', '</b "big">', '# world', '#!', '</p "">']);
    expect(events('<p>\n  <b/>\n</p>', { textEvents: true, keepWhitespace: true })).toEqual(['<p 1 >', '#\n  ', '<b 2 p />', '</b "">', '#\n', '</p "">']);
  });

  it('skip() consumes a subtree, including self-closing elements', () => {
    const r = createXmlReader('<r><skip><x><y>1</y></x></skip><keep/><s/><t>2</t></r>');
    const seen: string[] = [];
    for (let ev = r.next(); ev !== XML_END; ev = r.next()) {
      if (ev === XML_OPEN && (r.name === 'skip' || r.name === 's')) r.skip();
      else if (ev === XML_OPEN) seen.push(r.name);
    }
    expect(seen).toEqual(['r', 'keep', 't']);
  });

  it('accepts leading whitespace and a BOM before <?xml and trailing whitespace after the root', () => {
    const text = decodeXml(new Uint8Array([0xef, 0xbb, 0xbf, ...bytes('\n   \n<?xml version="1.0"?><a>1</a>\n\n')]));
    expect(events(text)).toEqual(['<a 1 >', '</a "1">']);
  });

  it('handles 100,000 nested elements without recursion', () => {
    const depth = 100_000;
    const xml = '<e>'.repeat(depth) + '</e>'.repeat(depth);
    const r = createXmlReader(xml);
    let opens = 0;
    for (let ev = r.next(); ev !== XML_END; ev = r.next()) if (ev === XML_OPEN) opens++;
    expect(opens).toBe(depth);
    expect(failure('<e>'.repeat(depth)).code).toBe('truncated');
  });
});

describe('createXmlReader: refusals and errors', () => {
  it('refuses any DOCTYPE before reading entities', () => {
    const e = failure('<?xml version="1.0"?>\n<!DOCTYPE gpx SYSTEM "gpx.dtd">\n<gpx/>');
    expect(e.code).toBe('unsupported-variant');
    expect(e.message).toContain('DOCTYPE/DTD is not allowed');
    expect(e.line).toBe(2);
    expect(failure('<!doctype html><html/>').code).toBe('unsupported-variant');
  });

  it('refuses a "billion laughs" document at once, without expanding anything', () => {
    const lol = [
      '<?xml version="1.0"?>',
      '<!DOCTYPE lolz [',
      '  <!ENTITY lol "lol">',
      ...Array.from({ length: 9 }, (_, i) => `  <!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`),
      ']>',
      '<lolz>&lol9;</lolz>',
    ].join('\n');
    const started = performance.now();
    const e = failure(lol);
    expect(performance.now() - started).toBeLessThan(100);
    expect(e.code).toBe('unsupported-variant');
    expect(e.message).toBe('line 2: DOCTYPE/DTD is not allowed');
    // Without a DOCTYPE, an undeclared entity stays text: nothing is expanded.
    expect(events('<lolz>&lol9;</lolz>')).toEqual(['<lolz 1 >', '</lolz "&lol9;">']);
  });

  it.each([
    ['<a><b></a>', 'corrupt', 1, '</a> does not close <b> (opened at line 1)'],
    ['<a>\n</b>', 'corrupt', 2, '</b> does not close <a>'],
    ['</a>', 'corrupt', 1, 'closes no open element'],
    ['<a/><b/>', 'corrupt', 1, 'a second root element'],
    ['hello<a/>', 'corrupt', 1, 'text before the root element'],
    ['<a/>\ntrailing', 'corrupt', 2, 'text after the root element'],
    ['<a>\n<1/></a>', 'corrupt', 2, 'not followed by an element name'],
    ['<a\n<b>', 'corrupt', 2, '"<" inside the tag <a>'],
    ['<a><![FOO[x]]></a>', 'corrupt', 1, 'unknown markup'],
    ['<a>\n<b>1</b>\n', 'truncated', 3, 'the file ends inside <a> (opened at line 1)'],
    ['<a><b lat="1', 'truncated', 1, 'attribute value'],
    ['<a><b', 'truncated', 1, 'in the middle of a tag'],
    ['<a><!-- never closed', 'truncated', 1, 'comment'],
    ['<a><![CDATA[x', 'truncated', 1, 'CDATA'],
    ['<a></a', 'truncated', 1, 'close tag'],
    ['', 'truncated', 1, 'before its root element'],
    ['  \n\n ', 'truncated', 3, 'before its root element'],
  ])('%j → %s at line %i', (xml, code, line, text) => {
    const e = failure(xml);
    expect(e.code).toBe(code);
    expect(e.line).toBe(line);
    expect(e.message).toContain(text);
  });

  it('checks attribute syntax when an attribute is read', () => {
    const r = createXmlReader('<a\n x=1/>', { format: 'gpx', file: 'f.gpx' });
    expect(r.next()).toBe(XML_OPEN);
    expect(() => r.attr('x')).toThrow('[gpx] f.gpx line 2: attribute value without quotes in <a>');
  });

  it('names format and file in errors and reports CRLF lines', () => {
    const e = (() => {
      try {
        const r = createXmlReader('<a>\r\n<b>\r\n</c>', { format: 'tcx', file: 'x.tcx' });
        while (r.next() !== XML_END);
      } catch (error) {
        return error as ParseError;
      }
      throw new Error('no error');
    })();
    expect(e.message).toBe('[tcx] x.tcx line 3: </c> does not close <b> (opened at line 2)');
  });

  it('never hangs or throws anything but ParseError on mangled input', () => {
    const seed = '<?xml version="1.0"?><r a="1"><!-- c --><x>1&amp;2</x><![CDATA[z]]><y b=\'2\'/></r>';
    for (let cut = 0; cut < seed.length; cut++) {
      for (const mangled of [seed.slice(0, cut), seed.slice(0, cut) + seed.slice(cut + 1), seed.slice(0, cut) + '<' + seed.slice(cut)]) {
        try {
          const r = createXmlReader(mangled);
          for (let ev = r.next(), guard = 0; ev !== XML_END; ev = r.next(), guard++) {
            if (ev === XML_OPEN) r.attributes();
            if (guard > 100) throw new Error('no progress');
          }
        } catch (error) {
          expect(isParseError(error), String(error)).toBe(true);
        }
      }
    }
  });
});

describe('decodeXml', () => {
  it('honours UTF-16 byte-order marks (LE and BE)', () => {
    const text = '<?xml version="1.0" encoding="UTF-16"?><a>é</a>';
    const le = new Uint8Array(2 + text.length * 2);
    const be = new Uint8Array(2 + text.length * 2);
    le.set([0xff, 0xfe]);
    be.set([0xfe, 0xff]);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      le[2 + i * 2] = c & 0xff;
      le[3 + i * 2] = c >> 8;
      be[2 + i * 2] = c >> 8;
      be[3 + i * 2] = c & 0xff;
    }
    expect(decodeXml(le)).toBe(text);
    expect(decodeXml(be)).toBe(text);
    expect(xmlRootName(le)).toBe('a');
    expect(xmlRootName(be)).toBe('a');
  });

  it('reads the declared encoding (ISO-8859-1) and defaults to UTF-8', () => {
    expect(decodeXml(new Uint8Array([...bytes('<?xml version="1.0" encoding="ISO-8859-1"?><a>'), 0xe9, ...bytes('</a>')]))).toContain('<a>é</a>');
    expect(decodeXml(bytes('<a>é – ü</a>'))).toBe('<a>é – ü</a>');
    expect(decodeXml(bytes('<?xml version="1.0" encoding="x-unknown-charset"?><a>é</a>'))).toContain('<a>é</a>');
  });
});

describe('lines', () => {
  it('lineAt and createLineIndex agree', () => {
    const text = 'a\nbb\n\nccc\nd';
    const index = createLineIndex(text);
    for (let i = 0; i <= text.length; i++) expect(index(i)).toBe(lineAt(text, i));
    expect(lineAt(text, text.indexOf('ccc'))).toBe(4);
    expect(lineAt('a\rb\rc', 4)).toBe(3); // old Mac line ends
  });
});

describe('xmlRootName', () => {
  it.each([
    ['<gpx version="1.1"/>', 'gpx'],
    ['\uFEFF\n  <?xml version="1.0"?>\n<!-- exported -->\n<TrainingCenterDatabase xmlns="x">', 'TrainingCenterDatabase'],
    ['<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><ns:pwx>', 'pwx'],
    ['<?xml version="1.0"?><?xml-stylesheet href="a"?><gpx>', 'gpx'],
    ['not xml', undefined],
    ['<?xml version="1.0"?>', undefined],
    ['', undefined],
  ])('%j → %s', (head, name) => {
    expect(xmlRootName(bytes(head))).toBe(name);
  });

  it('never throws on binary input', () => {
    const fit = new Uint8Array([14, 16, 0x6c, 0x08, 0, 0, 0, 0, 0x2e, 0x46, 0x49, 0x54, 0, 0]);
    expect(xmlRootName(fit)).toBeUndefined();
    expect(xmlRootName(new Uint8Array([0x3c, 0x00, 0x3c]))).toBeUndefined();
  });
});
