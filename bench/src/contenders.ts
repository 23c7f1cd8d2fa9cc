import type { BenchFormat, Contender } from './contender.js';
import { csvParseContender } from './contender-csv-parse.js';
import { fastXmlParserContender } from './contender-fast-xml-parser.js';
import { fitFileParserContender } from './contender-fit-file-parser.js';
import { garminFitSdkContender } from './contender-garmin-fitsdk.js';
import { lineScanContender } from './contender-line-scan.js';
import { oursContender } from './contender-ours.js';
import { sportsLibContender } from './contender-sports-lib.js';

/** Every contender, ours first; the order of a round rotates from this list. */
export const CONTENDERS: readonly Contender[] = [
  oursContender,
  garminFitSdkContender,
  fitFileParserContender,
  sportsLibContender,
  fastXmlParserContender,
  csvParseContender,
  lineScanContender,
];

export function contenderById(id: string): Contender | undefined {
  return CONTENDERS.find((c) => c.id === id);
}

export function contendersFor(format: BenchFormat): Contender[] {
  return CONTENDERS.filter((c) => c.formats.includes(format));
}
