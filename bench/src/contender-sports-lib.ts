import type { BenchInput, Contender } from './contender.js';

interface SportsLibStream {
  getData(): (number | null)[];
}
interface SportsLibEvent {
  getActivities(): { getAllStreams(): SportsLibStream[] }[];
}

/**
 * sports-lib's importers as its README and tests use them: FIT through fit-file-parser, TCX as
 * an XML document and GPX as a string, both parsed by @xmldom/xmldom's DOMParser (what its own
 * tests use in Node). The timed work includes decoding the bytes to text and the DOM parse, as
 * ours decodes bytes too. Note it does more than parse: it builds derived streams and stats.
 */
export const sportsLibContender: Contender = {
  id: 'sports-lib',
  label: '@sports-alliance/sports-lib',
  role: 'library',
  formats: ['fit', 'tcx', 'gpx'],
  recordsMeaning:
    'one-second slots holding any value, summed over activities (it keeps streams indexed by second, so sub-second records merge and pauses are empty slots)',
  async load() {
    const { SportsLib } = await import('@sports-alliance/sports-lib');
    const { DOMParser } = await import('@xmldom/xmldom');
    const quiet = { errorHandler: { warning: () => undefined, error: () => undefined } };
    const decoder = new TextDecoder();
    return {
      parse: (input: BenchInput) => {
        if (input.format === 'fit') return SportsLib.importFromFit(toArrayBuffer(input.bytes));
        const text = decoder.decode(input.bytes);
        if (input.format === 'tcx') return SportsLib.importFromTCX(new DOMParser(quiet).parseFromString(text, 'application/xml'));
        return SportsLib.importFromGPX(text, DOMParser);
      },
      inspect: (result) => ({ records: countFilledSlots(result as SportsLibEvent) }),
    };
  },
};

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function countFilledSlots(event: SportsLibEvent): number {
  let total = 0;
  for (const activity of event.getActivities()) {
    const columns = activity.getAllStreams().map((stream) => stream.getData());
    const length = Math.max(0, ...columns.map((column) => column.length));
    for (let i = 0; i < length; i++) {
      if (columns.some((column) => column[i] !== null && column[i] !== undefined)) total++;
    }
  }
  return total;
}
