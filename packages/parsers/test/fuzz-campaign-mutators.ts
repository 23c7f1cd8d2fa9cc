/**
 * The mutators of the fuzz campaign (fuzz-campaign.ts): byte-level, as test/fuzz.test.ts does
 * (bit flips, interesting bytes, truncation, chunk deletion and duplication, splices of two
 * inputs), and structure-aware, one per family of formats, so that mutated inputs get past the
 * first check of a parser and reach the code behind it:
 *
 * | family      | formats                          | what it changes                                                                 |
 * | ----------- | -------------------------------- | ------------------------------------------------------------------------------- |
 * | `fit`       | fit                              | the header's sizes, definition messages (field count, sizes, base types, message numbers, architecture), data fields set to invalid sentinels, whole records deleted/duplicated/swapped, record headers (local type, compressed timestamps); the CRC fixed half the time |
 * | `xml`       | tcx, gpx, polar-xml, pwx         | leaf text and attribute values (awkward numbers, times, empty), elements deleted/duplicated/swapped/renamed, markup hazards (DOCTYPE, entities, CDATA, PIs, deep nesting), the declared encoding and a UTF-16 re-encoding |
 * | `lines`     | polar-hrm, csv, polar-csv        | whole lines deleted/duplicated/swapped, fields replaced/added/dropped, the delimiter and decimal mark, HRM section headers, header names from other vendors, long lines and many lines, UTF-16 and Latin-1 |
 * | `json`      | polar-json                       | values replaced by extremes and wrong types, keys deleted, array items duplicated or dropped, subtrees copied elsewhere |
 * | `container` | gzip and zip                     | entry names (`../x`, absolute, control characters), lying sizes, overlapping entries, unsupported methods, encryption flag, nesting, central-directory fields, gzip header flags, multi-member gzip, trailers |
 *
 * Every mutator is a pure function of its inputs and the PRNG, so a campaign's `--seed` replays it.
 */
import type { Rand } from './fuzz-campaign-bytes.js';
import { mutateFit } from './fuzz-campaign-mutate-fit.js';
import { mutateJson, mutateLines, mutateXml } from './fuzz-campaign-mutate-text.js';
import { mutateContainer } from './fuzz-campaign-mutate-zip.js';

export { MAX_INPUT_BYTES, mutateBytes } from './fuzz-campaign-bytes.js';
export type { Rand } from './fuzz-campaign-bytes.js';

export type MutatorFamily = 'fit' | 'xml' | 'lines' | 'json' | 'container';

export const STRUCTURE_MUTATORS: Record<MutatorFamily, (input: Uint8Array, other: Uint8Array, rand: Rand) => Uint8Array> = {
  fit: mutateFit,
  xml: mutateXml,
  lines: mutateLines,
  json: mutateJson,
  container: mutateContainer,
};
