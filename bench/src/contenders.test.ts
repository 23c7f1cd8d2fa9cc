import { buildCsvBytes, buildHrmBytes, buildPwxBytes } from '@optimo-import/fixtures';
import { describe, expect, it } from 'vitest';
import type { BenchFormat, Contender } from './contender.js';
import { runParse } from './contender.js';
import { guessDelimiter } from './contender-csv-parse.js';
import { scanHrData } from './contender-line-scan.js';
import { contenderById, contendersFor } from './contenders.js';

async function records(contender: Contender | undefined, name: string, format: BenchFormat, bytes: Uint8Array): Promise<number> {
  if (!contender) throw new Error('no such contender');
  const loaded = await contender.load();
  const outcome = loaded.inspect(await runParse(loaded, { name, format, bytes }));
  if (outcome.failure) throw new Error(outcome.failure);
  return outcome.records;
}

describe('the contenders of the HRM, PWX and CSV races', () => {
  it('gives each new format ours and one reference', () => {
    expect(contendersFor('hrm').map((c) => c.id)).toEqual(['ours', 'line-scan']);
    expect(contendersFor('pwx').map((c) => c.id)).toEqual(['ours', 'fast-xml-parser']);
    expect(contendersFor('csv').map((c) => c.id)).toEqual(['ours', 'csv-parse']);
  });

  it('counts the same samples as ours on a plain file of each format', async () => {
    const files: [string, BenchFormat, Uint8Array][] = [
      ['ride.hrm', 'hrm', buildHrmBytes({ channels: { speed: true, cadence: true, cycling: true }, intervalSeconds: 2, durationSeconds: 900 })],
      ['ride.pwx', 'pwx', buildPwxBytes({ style: 'ipbike', durationSeconds: 900, seed: 4 })],
      ['ride.csv', 'csv', buildCsvBytes({ durationSeconds: 900, time: 'iso', seed: 4 })],
    ];
    for (const [name, format, bytes] of files) {
      const ours = await records(contenderById('ours'), name, format, bytes);
      expect(ours, name).toBeGreaterThan(400);
      for (const other of contendersFor(format).filter((c) => c.id !== 'ours')) {
        expect(await records(other, name, format, bytes), `${other.id} on ${name}`).toBe(ours);
      }
    }
  });

  it('splits a semicolon CSV with decimal commas on the semicolon', async () => {
    const bytes = buildCsvBytes({ durationSeconds: 60, time: 'local', language: 'de', delimiter: ';', decimal: ',', seed: 2 });
    expect(guessDelimiter(new TextDecoder().decode(bytes))).toBe(';');
    expect(await records(contenderById('csv-parse'), 'de.csv', 'csv', bytes)).toBe(await records(contenderById('ours'), 'de.csv', 'csv', bytes));
  });

  it('reads only the [HRData] section of an HRM text', () => {
    const rows = scanHrData('[Params]\r\nVersion=106\r\n\r\n[IntTimes]\r\n00:10:00.0\t140\r\n\r\n[HRData]\r\n120\t250\r\n121\t251\r\n\r\n');
    expect(rows).toEqual([
      [120, 250],
      [121, 251],
    ]);
  });
});
