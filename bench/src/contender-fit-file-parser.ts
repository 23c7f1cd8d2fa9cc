import type { Contender } from './contender.js';

/**
 * fit-file-parser with its defaults (`force: true`, `mode: 'list'`, the cheapest of its modes).
 * It reads only the first FIT of a chained file.
 */
export const fitFileParserContender: Contender = {
  id: 'fit-file-parser',
  label: 'fit-file-parser',
  role: 'library',
  formats: ['fit'],
  recordsMeaning: '`records.length` of its list-mode output (first FIT of a chained file only)',
  async load() {
    const { default: FitParser } = await import('fit-file-parser');
    return {
      parse: (input) => new FitParser().parseAsync(toBuffer(input.bytes)),
      inspect: (result) => ({ records: (result as { records?: unknown[] }).records?.length ?? 0 }),
    };
  },
};

function toBuffer(bytes: Uint8Array): Buffer<ArrayBuffer> {
  return Buffer.from(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength);
}
