import type { Contender } from './contender.js';

const POINT_TAGS = new Set(['Trackpoint', 'trkpt', 'sample']);

/**
 * fast-xml-parser turning the whole document into plain objects, with attributes (GPX keeps
 * latitude and longitude there; PWX its summary minimum, maximum and average). Not a workout
 * importer: a reference for what a fast generic XML parse costs, outside the aim, which is
 * measured against the workout libraries.
 */
export const fastXmlParserContender: Contender = {
  id: 'fast-xml-parser',
  label: 'fast-xml-parser (reference)',
  role: 'reference',
  formats: ['tcx', 'gpx', 'pwx'],
  recordsMeaning: '`<Trackpoint>` (TCX), `<trkpt>` (GPX) or `<sample>` (PWX) elements in the object tree',
  async load() {
    const { XMLParser } = await import('fast-xml-parser');
    const decoder = new TextDecoder();
    return {
      parse: (input) => new XMLParser({ ignoreAttributes: false }).parse(decoder.decode(input.bytes)) as unknown,
      inspect: (result) => ({ records: countPoints(result) }),
    };
  },
};

function countPoints(node: unknown): number {
  if (Array.isArray(node)) return node.reduce((sum: number, item) => sum + countPoints(item), 0);
  if (typeof node !== 'object' || node === null) return 0;
  let total = 0;
  for (const [key, value] of Object.entries(node)) {
    if (POINT_TAGS.has(key)) total += Array.isArray(value) ? value.length : 1;
    else total += countPoints(value);
  }
  return total;
}
