import { parseDecimal, formatDecimal } from './decimal.js';
import { MAX_SAMPLES, SAMPLE_CHANNELS, SAMPLE_FIELDS } from './fields.js';
import type { Problems } from './problems.js';
import type { SampleRow } from './store-records.js';
import type { XmlElement } from './xml-read.js';

/**
 * `<samples>` in and out (optimo-api.md 2.4, 2.5): each `<sample>` has an `offset` (seconds from
 * `start_time`, at most 3 decimals, strictly increasing within one request) and any channels.
 * A read is a hot path (200,000 samples), so it does not go through the generic record reader.
 */
const CHANNEL_INDEX = new Map(SAMPLE_CHANNELS.map((name, index) => [name, index]));

export function readSamples(element: XmlElement, problems: Problems): SampleRow[] {
  const samples: SampleRow[] = [];
  const invalid = (message: string): void => {
    problems.invalid.push(message);
  };
  if (element.text.trim() !== '') invalid(`<samples> must hold <sample> elements, not text.`);
  let previous = -1;
  element.children.forEach((child, index) => {
    const label = `sample ${index + 1}: `;
    if (child.name !== 'sample') {
      invalid(`${label}<${child.name}> is not a <sample>.`);
      return;
    }
    const values: Array<number | null> = SAMPLE_CHANNELS.map(() => null);
    /** The offset in ms; `missing` when absent or empty, `invalid` when unreadable. */
    let offset: number | 'missing' | 'invalid' = 'missing';
    const seen = new Set<string>();
    for (const field of child.children) {
      if (seen.has(field.name)) {
        invalid(`${label}'${field.name}' is given more than once.`);
        continue;
      }
      seen.add(field.name);
      const text = field.text.trim();
      if (field.children.length > 0) {
        invalid(`${label}'${field.name}' must hold text, not elements.`);
        continue;
      }
      if (field.name === 'offset') {
        if (text === '') continue;
        const parsed = parseDecimal(text);
        if (parsed === undefined || parsed.negative || parsed.fractionDigits > 3) {
          invalid(`${label}'offset' must be a number of seconds, not negative, with at most 3 decimals.`);
          offset = 'invalid';
        } else offset = Math.round(parsed.value * 1000);
        continue;
      }
      const spec = SAMPLE_FIELDS.get(field.name);
      const channel = CHANNEL_INDEX.get(field.name);
      if (spec === undefined || channel === undefined) {
        invalid(`${label}'${field.name}' is not a field of sample.`);
        continue;
      }
      if (text === '') continue;
      const parsed = parseDecimal(text);
      if (parsed === undefined) invalid(`${label}'${field.name}' is not a valid number (digits, an optional point and decimals; no exponent).`);
      else if (parsed.negative && spec.kind !== 'signed') invalid(`${label}'${field.name}' must not be negative.`);
      else if (spec.min !== undefined && parsed.value < spec.min) invalid(`${label}'${field.name}' must be at least ${spec.min}.`);
      else if (spec.max !== undefined && parsed.value > spec.max) invalid(`${label}'${field.name}' must be at most ${spec.max}.`);
      else values[channel] = parsed.value;
    }
    if (child.text.trim() !== '') invalid(`${label}<sample> must hold elements, not text.`);
    if (offset === 'missing') problems.missing.push(`${label}'offset' is required.`);
    if (typeof offset !== 'number') return;
    const offsetMs = offset;
    if (offsetMs <= previous) invalid(`${label}'offset' ${formatDecimal(offsetMs / 1000)} does not come after the previous sample's ${formatDecimal(previous / 1000)}.`);
    previous = Math.max(previous, offsetMs);
    samples.push({ offsetMs, values });
  });
  if (element.children.length > MAX_SAMPLES) problems.invalid.push(`a workout holds at most ${MAX_SAMPLES} samples; this request sends ${element.children.length}.`);
  return samples;
}

export function samplesXml(samples: readonly SampleRow[]): string {
  const parts: string[] = ['<samples>'];
  for (const sample of samples) {
    let xml = `<sample><offset>${formatDecimal(sample.offsetMs / 1000)}</offset>`;
    sample.values.forEach((value, index) => {
      if (value !== null) xml += `<${SAMPLE_CHANNELS[index]}>${formatDecimal(value)}</${SAMPLE_CHANNELS[index]}>`;
    });
    parts.push(`${xml}</sample>`);
  }
  parts.push('</samples>');
  return parts.join('');
}
