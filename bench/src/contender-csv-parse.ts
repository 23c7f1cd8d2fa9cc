import type { Contender } from './contender.js';

/** The delimiters a spreadsheet export uses, most frequent in the first line wins (comma on a tie). */
const DELIMITERS = [',', ';', '\t', '|'] as const;

/**
 * csv-parse (the CSV parser of the node-csv project) reading the file into rows of strings: the
 * floor of what any CSV import costs, since every importer has to split the text into cells
 * first. Not a workout importer and not part of the aim: it finds no header meanings, units,
 * dates, decimal commas or encodings; the file is decoded as UTF-8 and the delimiter is the
 * commonest of `, ; tab |` in the first line, so it splits the same cells ours does.
 */
export const csvParseContender: Contender = {
  id: 'csv-parse',
  label: 'csv-parse (reference)',
  role: 'reference',
  formats: ['csv'],
  recordsMeaning: 'rows after the first (every row of the file but one header row: preamble and summary rows included)',
  async load() {
    const { parse } = await import('csv-parse/sync');
    const decoder = new TextDecoder();
    return {
      parse: (input) => {
        const text = decoder.decode(input.bytes);
        return parse(text, { bom: true, delimiter: guessDelimiter(text), relax_column_count: true, relax_quotes: true, skip_empty_lines: true }) as unknown;
      },
      inspect: (result) => ({ records: Math.max((result as unknown[]).length - 1, 0) }),
    };
  },
};

/** The commonest delimiter of the first line (a comma when none appears). */
export function guessDelimiter(text: string): string {
  const end = text.indexOf('\n');
  const first = end === -1 ? text : text.slice(0, end);
  let best: string = DELIMITERS[0];
  let bestCount = 0;
  for (const delimiter of DELIMITERS) {
    const count = first.split(delimiter).length - 1;
    if (count > bestCount) {
      best = delimiter;
      bestCount = count;
    }
  }
  return best;
}
