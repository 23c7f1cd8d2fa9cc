import { describe, expect, it } from 'vitest';
import { buildPwxBytes, mulberry32 } from '@optimo-import/fixtures';
import { validateWorkout } from '@optimo-import/workout';
import { fuzzSeeds } from '../test/fuzz-seeds.js';
import { isParseError } from './errors.js';
import { pwxParser } from './pwx.js';
import { sha256Hex } from './registry.js';
import { DEFAULT_LIMITS } from './types.js';
import { recognizeUnsupported } from './unsupported.js';

/**
 * Mutation fuzzing of the PWX parser in the style of test/fuzz.test.ts: bit flips, interesting
 * bytes, truncation, chunk deletion/duplication and splices with another seed (also FIT, TCX and
 * GPX seeds), and — every other run — value mutations that keep the XML well-formed, from a
 * fixed PRNG seed so a failure reproduces. Every parse ends in valid workouts or a ParseError; detect and
 * recognizeUnsupported never throw. Hangs are caught by the test timeout.
 */
const ITERATIONS = 2500;
const RNG_SEED = 0x0b71_a0 ^ 0x9f3;

const INTERESTING = [0x00, 0xff, 0x7f, 0x80, 0x3c, 0x3e, 0x26, 0x22, 0x0a, 0x30, 0x39, 0x2d, 0x2e];

function mutate(input: Uint8Array, other: Uint8Array, rand: () => number): Uint8Array {
  const int = (n: number): number => Math.floor(rand() * n);
  let out = input.slice();
  for (let k = 0, ops = 1 + int(4); k < ops && out.length > 0; k++) {
    const n = out.length;
    const at = int(n);
    const len = 1 + int(Math.min(64, n - at));
    switch (int(6)) {
      case 0:
        for (let i = 0, m = 1 + int(8); i < m; i++) out[int(n)]! ^= 1 << int(8);
        break;
      case 1:
        out[at] = INTERESTING[int(INTERESTING.length)]!;
        break;
      case 2:
        out = out.slice(0, at);
        break;
      case 3:
        out = Uint8Array.from([...out.subarray(0, at), ...out.subarray(at + len)]);
        break;
      case 4:
        out = Uint8Array.from([...out.subarray(0, at + len), ...out.subarray(at, at + len), ...out.subarray(at + len)]);
        break;
      default:
        out = Uint8Array.from([...out.subarray(0, at), ...other.subarray(int(other.length))]);
    }
  }
  return out;
}

const TEXT_VALUES = ['', ' ', '0', '-1', '1', '-0.5', '1e308', '-1e308', 'NaN', 'Infinity', '99999999999', '2,5', 'abc', '&amp;', '2024-13-45T99:99:99', '1970-01-01T00:00:00', '2024-03-31T02:30:00', '2024-05-01T07:00:00Z', '2024-05-01T07:00:00+14:00'];

/**
 * Mutations that keep the markup well-formed, so they reach the workout builder: element text
 * replaced by odd values, and whole elements deleted, duplicated or moved.
 */
function mutateValues(input: Uint8Array, rand: () => number): Uint8Array {
  const int = (n: number): number => Math.floor(rand() * n);
  let text = new TextDecoder().decode(input);
  for (let k = 0, ops = 1 + int(4); k < ops; k++) {
    if (int(2) === 0) {
      const runs = [...text.matchAll(/>([^<>]+)</g)];
      const run = runs[int(runs.length)];
      if (!run) continue;
      const from = (run.index as number) + 1;
      text = text.slice(0, from) + TEXT_VALUES[int(TEXT_VALUES.length)]! + text.slice(from + (run[1] as string).length);
    } else {
      const elements = [...text.matchAll(/<(sample|segment|event|summarydata|time|sportType|workout)>[\s\S]*?<\/\1>/g)];
      const el = elements[int(elements.length)];
      if (!el) continue;
      const from = el.index as number;
      const to = from + el[0].length;
      const op = int(3);
      if (op === 0) text = text.slice(0, from) + text.slice(to);
      else if (op === 1) text = text.slice(0, to) + el[0] + text.slice(to);
      else {
        const other = elements[int(elements.length)];
        if (other && other.index !== from && other[1] === el[1]) text = text.slice(0, from) + other[0] + text.slice(to);
      }
    }
  }
  return new TextEncoder().encode(text);
}

const HAND_MADE = new TextEncoder().encode(`<?xml version="1.0"?><pwx xmlns="http://www.peaksware.com/PWX/1/0" creator="x"><workout><sportType>Run</sportType><title>T &amp; U</title><time>2024-05-01T07:00:00+02:00</time>
<summarydata><beginning>0</beginning><duration>20</duration><durationstopped>3</durationstopped><hr max="150" min="0" avg="130"/><cad max="90" min="0" avg="85"/><dist>60</dist><climbingelevation>4</climbingelevation></summarydata>
<segment><name>Warm</name><summarydata><beginning>0</beginning><duration>10</duration><hr avg="120"/></summarydata></segment><segment><name>Entire Workout</name><summarydata><beginning>0</beginning><duration>20</duration></summarydata></segment>
<event><timeoffset>5</timeoffset><type>Stop</type></event><event><timeoffset>8</timeoffset><type>Start</type></event><event><timeoffset>9</timeoffset><type>Note</type><text>hi</text></event>
<sample><timeoffset>0</timeoffset><hr>120</hr><cad>85</cad><dist>0</dist></sample><sample><timeoffset>10</timeoffset><hr>130</hr><cad>86</cad><dist>30</dist><extension><x>1</x></extension></sample><sample><timeoffset>20</timeoffset><hr>150</hr><pwr>1</pwr><dist>60</dist></sample>
</workout><workout><sportType>Bike</sportType><time>2024-05-01T09:00:00</time><sample><timeoffset>0</timeoffset><spd>8</spd></sample></workout></pwx>`);

function seeds(): Uint8Array[] {
  return [
    buildPwxBytes({ style: 'global-trainer', durationSeconds: 40, laps: 2 }),
    buildPwxBytes({ style: 'race-trainer', durationSeconds: 60, laps: 3 }),
    buildPwxBytes({ style: 'run-trainer', durationSeconds: 40, laps: 2, pauses: [{ atSeconds: 20, durationSeconds: 9 }] }),
    buildPwxBytes({ style: 'ipbike', durationSeconds: 20, laps: 2, seed: 3 }),
    buildPwxBytes({ style: 'global-trainer', workouts: [{ durationSeconds: 10 }, { durationSeconds: 10, sport: 'Run' }] }),
    HAND_MADE,
  ];
}

describe('fuzz: mutated PWX never crashes the parser', () => {
  it(`${ITERATIONS} mutations end in valid workouts or a ParseError`, () => {
    const own = seeds();
    const others = Object.values(fuzzSeeds()).flat();
    const rand = mulberry32(RNG_SEED);
    const crashes: string[] = [];
    let parsed = 0;
    let slowest = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const seed = own[i % own.length]!;
      const partner = i % 5 === 4 ? others[Math.floor(rand() * others.length)]! : own[Math.floor(rand() * own.length)]!;
      const input = i % 2 === 0 ? mutate(seed, partner, rand) : mutateValues(seed, rand);
      const started = performance.now();
      try {
        pwxParser.detect(input);
        recognizeUnsupported(input, `fuzz-${i}.pwx`);
        const workouts = pwxParser.parse(input, { fileName: `fuzz-${i}.pwx`, sha256: sha256Hex(input), limits: DEFAULT_LIMITS, timeZone: 'Europe/Berlin' });
        for (const w of workouts) {
          const problems = validateWorkout(w);
          if (problems.length > 0) crashes.push(`#${i} invalid workout: ${problems.join('; ')} — ${Buffer.from(input).toString('base64')}`);
        }
        parsed++;
      } catch (error) {
        if (!isParseError(error)) crashes.push(`#${i} ${String((error as Error).stack ?? error)} — ${Buffer.from(input).toString('base64')}`);
        else if (!(error as Error).message.startsWith(`[pwx] fuzz-${i}.pwx`)) crashes.push(`#${i} error without file and format: ${(error as Error).message}`);
      }
      slowest = Math.max(slowest, performance.now() - started);
    }
    console.log(`fuzz pwx: ${ITERATIONS} executions, ${parsed} parsed, ${crashes.length} crashes, slowest ${slowest.toFixed(1)} ms`);
    expect(crashes.slice(0, 3)).toEqual([]);
    expect(parsed).toBeGreaterThan(ITERATIONS / 4); // the value mutations reach the workout builder
  });
});
