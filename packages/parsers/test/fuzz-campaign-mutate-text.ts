/** The text mutators of the fuzz campaign (fuzz-campaign-mutators.ts): XML, line-based text (Polar HRM, CSV) and JSON. */
import { capped, int, mutateBytes, pick, MAX_INPUT_BYTES } from './fuzz-campaign-bytes.js';
import type { Rand } from './fuzz-campaign-bytes.js';

// ---------------------------------------------------------------------------------------------
// Text helpers

export const decoder = new TextDecoder('utf-8');
export const encoder = new TextEncoder();

function utf16le(text: string, bom: boolean): Uint8Array {
  const out = new Uint8Array((bom ? 2 : 0) + text.length * 2);
  let at = 0;
  if (bom) {
    out[0] = 0xff;
    out[1] = 0xfe;
    at = 2;
  }
  for (let i = 0; i < text.length; i++, at += 2) {
    const code = text.charCodeAt(i);
    out[at] = code & 0xff;
    out[at + 1] = code >> 8;
  }
  return out;
}

function latin1(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
}

/** Awkward values for numbers, times and durations in text formats. */
const VALUES = [
  '',
  ' ',
  '0',
  '-0',
  '-1',
  '1',
  '-0.5',
  '0.0000001',
  '1e308',
  '-1e308',
  '1e309',
  '1e-320',
  'NaN',
  'Infinity',
  '-Infinity',
  '99999999999999999999',
  '9007199254740993',
  '2,5',
  '1.2.3',
  'abc',
  '&amp;',
  '25:61:99',
  '00:00:00.0',
  '99:99',
  '::',
  '2024-13-45T99:99:99',
  '1970-01-01T00:00:00',
  '1969-12-31T23:59:59Z',
  '2024-03-31T02:30:00',
  '2024-05-01T07:00:00Z',
  '2024-05-01T07:00:00+14:00',
  '9999-12-31T23:59:59Z',
  '0000-00-00',
  'PT-5S',
  'P',
  'true',
  'null',
  '\u00e9\u00e8',
  '\ud83d\ude00',
];

// ---------------------------------------------------------------------------------------------
// XML

const XML_HAZARDS = [
  '<!DOCTYPE x [<!ENTITY a "b">]>',
  '<!DOCTYPE gpx SYSTEM "http://example.invalid/x.dtd">',
  '&a;',
  '&#0;',
  '&#x110000;',
  '&#xD800;',
  '&#99999999999;',
  '&lt;&gt;&amp;&quot;&apos;',
  '<![CDATA[12]]>',
  '<![CDATA[',
  '<!-- x -->',
  '<!--',
  '<?pi x?>',
  '<?xml version="1.0"?>',
  '<x xmlns="urn:other"/>',
  '<a:b xmlns:a="urn:a">1</a:b>',
  '</>',
  '<>',
  '<a b="1" b="2"/>',
  '<a b=1/>',
  '\u0000',
  '\ufeff',
];

/** Elements with their content: `<name ...>...</name>` (the first closing tag of that name), or self-closing ones. */
function elements(text: string): Array<{ from: number; to: number; name: string }> {
  const out: Array<{ from: number; to: number; name: string }> = [];
  const open = /<([A-Za-z_][\w:.-]*)\b[^<>]*?(\/?)>/g;
  for (let m = open.exec(text); m !== null && out.length < 5000; m = open.exec(text)) {
    const name = m[1] as string;
    if (m[2] === '/') {
      out.push({ from: m.index, to: m.index + m[0].length, name });
      continue;
    }
    const close = text.indexOf(`</${name}>`, m.index + m[0].length);
    if (close >= 0) out.push({ from: m.index, to: close + name.length + 3, name });
  }
  return out;
}

export function mutateXml(input: Uint8Array, other: Uint8Array, rand: Rand): Uint8Array {
  let text = decoder.decode(input);
  if (!text.includes('<')) return mutateBytes(input, other, rand);
  for (let k = 0, ops = 1 + int(rand, 4); k < ops; k++) {
    switch (int(rand, 9)) {
      case 0:
      case 1: {
        // leaf text
        const runs = [...text.matchAll(/>([^<>]+)</g)];
        const run = runs.length === 0 ? undefined : pick(rand, runs);
        if (run === undefined) break;
        const from = (run.index as number) + 1;
        text = text.slice(0, from) + pick(rand, VALUES) + text.slice(from + (run[1] as string).length);
        break;
      }
      case 2: {
        // an attribute value
        const runs = [...text.matchAll(/=\s*"([^"]*)"/g)];
        const run = runs.length === 0 ? undefined : pick(rand, runs);
        if (run === undefined) break;
        const from = (run.index as number) + run[0].indexOf('"') + 1;
        text = text.slice(0, from) + pick(rand, VALUES).replace(/"/g, '') + text.slice(from + (run[1] as string).length);
        break;
      }
      case 3:
      case 4: {
        // an element deleted, duplicated, swapped with another of its name, or moved
        const all = elements(text);
        if (all.length === 0) break;
        const el = pick(rand, all);
        const body = text.slice(el.from, el.to);
        const op = int(rand, 4);
        if (op === 0) text = text.slice(0, el.from) + text.slice(el.to);
        else if (op === 1) text = text.slice(0, el.to) + body.repeat(1 + int(rand, 3)) + text.slice(el.to);
        else if (op === 2) {
          const same = all.filter((e) => e.name === el.name && (e.to <= el.from || e.from >= el.to));
          const swap = same.length === 0 ? undefined : pick(rand, same);
          if (swap === undefined) break;
          const [a, b] = swap.from < el.from ? [swap, el] : [el, swap];
          text = text.slice(0, a.from) + text.slice(b.from, b.to) + text.slice(a.to, b.from) + text.slice(a.from, a.to) + text.slice(b.to);
        } else {
          const to = pick(rand, all);
          const without = text.slice(0, el.from) + text.slice(el.to);
          const at = Math.min(to.from, without.length);
          text = without.slice(0, at) + body + without.slice(at);
        }
        break;
      }
      case 5: {
        // an element renamed to another name of the document (structure confusion)
        const all = elements(text);
        if (all.length < 2) break;
        const el = pick(rand, all);
        const name = pick(rand, all).name;
        const body = text.slice(el.from, el.to);
        text = text.slice(0, el.from) + body.replace(new RegExp(`^<${el.name}`), `<${name}`).replace(new RegExp(`</${el.name}>$`), `</${name}>`) + text.slice(el.to);
        break;
      }
      case 6: {
        // a hazard inserted at a tag boundary
        const at = [...text.matchAll(/>/g)];
        const where = at.length === 0 ? 0 : (pick(rand, at).index as number) + 1;
        const depth = 1 + int(rand, 2000);
        const hazard = int(rand, 8) === 0 ? `${'<n>'.repeat(depth)}${int(rand, 2) === 0 ? '</n>'.repeat(depth) : ''}` : pick(rand, XML_HAZARDS);
        text = text.slice(0, where) + hazard + text.slice(where);
        break;
      }
      case 7: {
        // the declaration and the encoding
        const encoding = pick(rand, ['UTF-16', 'ISO-8859-1', 'windows-1252', 'US-ASCII', 'x-unknown', 'utf-8']);
        text = /^\s*<\?xml/.test(text) ? text.replace(/encoding\s*=\s*"[^"]*"/, `encoding="${encoding}"`) : `<?xml version="1.0" encoding="${encoding}"?>${text}`;
        if (int(rand, 4) === 0) return capped(utf16le(text, int(rand, 2) === 0));
        if (int(rand, 4) === 0) return capped(latin1(text));
        break;
      }
      default: {
        // a subtree of the other input spliced in
        const theirs = elements(decoder.decode(other));
        if (theirs.length === 0) break;
        const el = pick(rand, theirs);
        const all = elements(text);
        const at = all.length === 0 ? text.length : pick(rand, all).to;
        text = text.slice(0, at) + decoder.decode(other).slice(el.from, el.to) + text.slice(at);
      }
    }
  }
  return capped(encoder.encode(text));
}

// ---------------------------------------------------------------------------------------------
// Line-based text (Polar HRM, CSV)

const SECTIONS = ['[Params]', '[Note]', '[IntTimes]', '[IntNotes]', '[ExtraData]', '[LapNames]', '[Summary-123]', '[Summary-TH]', '[HRZones]', '[SwapTimes]', '[Trip]', '[HRData]', '[]', '[Params'];
const HEADERS = [
  'Time',
  'Date',
  'Start time',
  'Elapsed time (s)',
  'Duration',
  'Sport',
  'Heart rate',
  'HR (bpm)',
  'Herzfrequenz',
  'Fréquence cardiaque',
  'Speed (km/h)',
  'Pace (min/km)',
  'Pace (min/mi)',
  'Distance (km)',
  'Distance (mi)',
  'Distances (m)',
  'Cadence',
  'Altitude (m)',
  'Altitude (ft)',
  'Power (W)',
  'Temperatures (C)',
  'Latitude',
  'Longitude',
  'Sample rate',
  'Calories',
  'Name',
];

export function mutateLines(input: Uint8Array, other: Uint8Array, rand: Rand): Uint8Array {
  const text = decoder.decode(input);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let lines = text.split(/\r?\n/);
  if (lines.length < 2) return mutateBytes(input, other, rand);
  const delimiter = [';', '\t', ',', ' '].find((d) => (lines[0] ?? '').includes(d)) ?? ',';
  const line = (): number => int(rand, lines.length);
  const size = (): number => lines.reduce((n, l) => n + l.length + 1, 0);
  for (let k = 0, ops = 1 + int(rand, 4); k < ops && lines.length > 0 && size() <= MAX_INPUT_BYTES; k++) {
    switch (int(rand, 11)) {
      case 0:
        lines.splice(line(), 1);
        break;
      case 1: {
        const at = line();
        lines.splice(at, 0, ...Array.from({ length: 1 + int(rand, 3) }, () => lines[at] as string));
        break;
      }
      case 2: {
        const a = line();
        const b = line();
        [lines[a], lines[b]] = [lines[b] as string, lines[a] as string];
        break;
      }
      case 3:
      case 4: {
        // a field replaced, added or dropped
        const at = line();
        const cells = (lines[at] as string).split(delimiter);
        const c = int(rand, cells.length);
        const op = int(rand, 4);
        if (op <= 1) cells[c] = pick(rand, VALUES);
        else if (op === 2) cells.splice(c, 0, pick(rand, VALUES));
        else cells.splice(c, 1);
        lines[at] = cells.join(delimiter);
        break;
      }
      case 5: {
        // a header cell renamed (another vendor's or language's column)
        const at = int(rand, Math.min(lines.length, 12));
        const cells = (lines[at] as string).split(delimiter);
        cells[int(rand, cells.length)] = pick(rand, HEADERS);
        lines[at] = cells.join(delimiter);
        break;
      }
      case 6: // an HRM section header inserted or replaced
        lines.splice(line(), int(rand, 2), pick(rand, SECTIONS));
        break;
      case 7: {
        // the delimiter or the decimal mark changed everywhere
        const to = pick(rand, [';', '\t', ',', ' ', '|']);
        lines = int(rand, 2) === 0 ? lines.map((l) => l.split(delimiter).join(to)) : lines.map((l) => l.replace(/(\d)\.(\d)/g, '$1,$2'));
        break;
      }
      case 8: {
        // many lines, or a long one (never past the input cap: copies of a long line would make gigabytes)
        const at = line();
        const copy = lines[at] as string;
        if (int(rand, 2) === 0) lines.splice(at, 0, ...Array.from({ length: Math.min(100 + int(rand, 3000), Math.floor(MAX_INPUT_BYTES / (copy.length + 1))) }, () => copy));
        else lines[at] = `${copy}${delimiter}${'9'.repeat(1000 + int(rand, 70_000))}`;
        break;
      }
      case 9: {
        // lines of the other input spliced in
        const theirs = decoder.decode(other).split(/\r?\n/);
        const from = int(rand, theirs.length);
        lines.splice(line(), 0, ...theirs.slice(from, from + 1 + int(rand, 20)));
        break;
      }
      default:
        lines[line()] = '';
    }
  }
  const out = lines.join(int(rand, 8) === 0 ? (eol === '\n' ? '\r\n' : '\n') : eol);
  const encoding = int(rand, 16);
  if (encoding === 0) return capped(utf16le(out, true));
  if (encoding === 1) return capped(latin1(out));
  return capped(encoder.encode(out));
}

// ---------------------------------------------------------------------------------------------
// JSON

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const JSON_VALUES: Json[] = [0, -1, 1, -0.5, 1e308, -1e308, 2 ** 53 + 2, 0.1, '', 'x', 'NaN', '2024-13-45T99:99:99', '2024-05-01T07:00:00.000', 'PT-5S', 'PT1H', null, true, false, [], {}, [[]], [null], [1, 'a', null]];

/** Every path (as a list of keys) in a JSON value, at most `limit` of them. */
function jsonPaths(value: Json, limit = 5000): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [];
  const walk = (v: Json, path: Array<string | number>): void => {
    if (out.length >= limit) return;
    out.push(path);
    if (Array.isArray(v)) v.forEach((item, i) => walk(item, [...path, i]));
    else if (v !== null && typeof v === 'object') for (const [key, item] of Object.entries(v)) walk(item, [...path, key]);
  };
  walk(value, []);
  return out;
}

function jsonAt(root: Json, path: ReadonlyArray<string | number>): Json | undefined {
  let v: Json | undefined = root;
  for (const key of path) v = v !== null && typeof v === 'object' ? (v as Record<string, Json>)[key as string] : undefined;
  return v;
}

export function mutateJson(input: Uint8Array, other: Uint8Array, rand: Rand): Uint8Array {
  let root: Json;
  try {
    root = JSON.parse(decoder.decode(input)) as Json;
  } catch {
    return mutateBytes(input, other, rand);
  }
  let theirs: Json = null;
  try {
    theirs = JSON.parse(decoder.decode(other)) as Json;
  } catch {
    // the other input is no JSON: nothing to copy from it
  }
  for (let k = 0, ops = 1 + int(rand, 4); k < ops; k++) {
    const paths = jsonPaths(root).filter((p) => p.length > 0);
    if (paths.length === 0) break;
    const path = pick(rand, paths);
    const parent = jsonAt(root, path.slice(0, -1)) as Record<string | number, Json> | Json[];
    const key = path.at(-1) as string | number;
    const current = (parent as Record<string | number, Json>)[key] as Json;
    switch (int(rand, 6)) {
      case 0:
      case 1:
        (parent as Record<string | number, Json>)[key] = pick(rand, JSON_VALUES);
        break;
      case 2:
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else delete (parent as Record<string, Json>)[key];
        break;
      case 3:
        if (Array.isArray(current) && current.length > 0) current.splice(int(rand, current.length), 0, ...Array.from({ length: 1 + int(rand, 50) }, () => current[int(rand, current.length)] as Json));
        else (parent as Record<string | number, Json>)[key] = [current, current];
        break;
      case 4: {
        // a subtree copied from elsewhere (this document or the other one)
        const source = int(rand, 2) === 0 ? root : theirs;
        const from = jsonPaths(source);
        (parent as Record<string | number, Json>)[key] = structuredClone(jsonAt(source, pick(rand, from)) ?? null);
        break;
      }
      default:
        if (typeof current === 'number') (parent as Record<string | number, Json>)[key] = String(current);
        else if (typeof current === 'string' && current !== '' && !Number.isNaN(Number(current))) (parent as Record<string | number, Json>)[key] = Number(current);
        else (parent as Record<string | number, Json>)[key] = { value: current };
    }
  }
  const out = encoder.encode(JSON.stringify(root, null, int(rand, 2) === 0 ? undefined : 1));
  return capped(int(rand, 5) === 0 ? mutateBytes(out, other, rand) : out);
}
