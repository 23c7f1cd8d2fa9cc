import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { child, children, samplesXml, startTestSandbox, textAt, workoutXml } from './helpers.js';
import type { Answer, TestSandbox } from './helpers.js';

/** The precise rules of optimo-api.md 2.5, one describe per rule. */
let t: TestSandbox;

beforeAll(async () => {
  t = await startTestSandbox({ clockStart: '2026-06-15T10:00:00Z' });
});
afterAll(async () => {
  await t.close();
});

async function create(fields: Record<string, string>, extra = ''): Promise<number> {
  const answer = await t.call(t.admin, 'workout.create', workoutXml(fields, extra));
  expect(answer.ok, answer.text).toBe(true);
  return Number(textAt(answer.root, 'workout_id'));
}

async function get(id: number, samples = false): Promise<Answer> {
  return t.call(t.admin, 'workout.get', `<workout_id>${id}</workout_id><include_samples>${samples ? 1 : 0}</include_samples>`);
}

function listOf(answer: Answer) {
  const list = answer.root?.children[0];
  return { attributes: list?.attributes ?? {}, ids: children(list, list?.name === 'athletes' ? 'athlete' : 'workout').map((item) => textAt(item, `${item.name}_id`)) };
}

describe('order of checks: the first failing class wins, one <error> per problem in it', () => {
  it('access beats missing and invalid fields', async () => {
    const answer = await t.call(t.coach, 'workout.create', workoutXml({ athlete_id: '3', sport: 'nope', duration: '' }));
    expect(answer.code).toBe(40300);
    expect(answer.errors).toHaveLength(1);
  });

  it('missing beats invalid; all missing fields are listed', async () => {
    const answer = await t.call(t.admin, 'workout.create', workoutXml({ sport: '', duration: '', distance: 'far' }));
    expect(answer.code).toBe(40020);
    expect(answer.errors).toHaveLength(2);
  });

  it('invalid beats not found, not found beats duplicate', async () => {
    await create({ external_id: 'order-1' });
    expect((await t.call(t.admin, 'workout.create', workoutXml({ athlete_id: '9999', distance: '-1', external_id: 'order-1' }))).code).toBe(40030);
    expect((await t.call(t.admin, 'workout.create', workoutXml({ athlete_id: '9999', external_id: 'order-1' }))).code).toBe(40400);
  });

  it('XML problems beat everything in the method (40010)', async () => {
    const answer = await t.post(t.coach, '<request method="workout.create"><workout><athlete_id>3</athlete_id></workout>');
    expect(answer.code).toBe(40010);
  });
});

describe('external_id: unique per account across folders, deleted included', () => {
  it('a deleted workout still holds its external_id, and the filter searches every folder', async () => {
    const id = await create({ external_id: 'sha256:abc' });
    expect((await t.call(t.admin, 'workout.delete', `<workout_id>${id}</workout_id>`)).ok).toBe(true);
    const again = await t.call(t.admin, 'workout.create', workoutXml({ external_id: 'sha256:abc' }));
    expect(again.code).toBe(40900);
    expect(textAt(again.root, 'workout_id')).toBe(String(id));
    expect(listOf(await t.call(t.admin, 'workout.list', '<external_id>sha256:abc</external_id>')).ids).toEqual([String(id)]);
    expect(listOf(await t.call(t.admin, 'workout.list', '<external_id>sha256:abc</external_id><folder>active</folder>')).ids).toEqual([]);
  });

  it('is at most 128 code points (an emoji is one)', async () => {
    const emoji = '🏃'.repeat(128);
    expect((await t.call(t.admin, 'workout.create', workoutXml({ external_id: emoji }))).ok).toBe(true);
    expect((await t.call(t.admin, 'workout.create', workoutXml({ external_id: `${emoji}x` }))).code).toBe(40030);
  });
});

describe('workout.update semantics', () => {
  it('an empty element clears, <laps> replaces all laps, device fields change one by one', async () => {
    const laps = '<laps><lap><duration>60</duration></lap><lap><duration>70</duration></lap></laps>';
    const device = '<device><manufacturer>Garmin</manufacturer><product>Forerunner 965</product></device>';
    const id = await create({ name: 'Keep', notes: 'Clear me', calories: '500' }, device + laps);
    const update = `<workout><workout_id>${id}</workout_id><notes/><calories>  </calories><device><serial>123</serial><product/></device><laps><lap><duration>99</duration></lap></laps></workout>`;
    expect((await t.call(t.admin, 'workout.update', update)).ok).toBe(true);
    const workout = child((await get(id)).root, 'workout');
    expect(textAt(workout, 'name')).toBe('Keep');
    expect(textAt(workout, 'notes')).toBeUndefined();
    expect(textAt(workout, 'calories')).toBeUndefined();
    expect(textAt(workout, 'device', 'manufacturer')).toBe('Garmin');
    expect(textAt(workout, 'device', 'product')).toBeUndefined();
    expect(textAt(workout, 'device', 'serial')).toBe('123');
    expect(children(child(workout, 'laps'), 'lap').map((lap) => textAt(lap, 'duration'))).toEqual(['99']);
  });

  it('updating, adding samples to or deleting a deleted workout is 40400; reading it works', async () => {
    const id = await create({});
    await t.call(t.admin, 'workout.delete', `<workout_id>${id}</workout_id>`);
    expect((await t.call(t.admin, 'workout.update', `<workout><workout_id>${id}</workout_id><name>x</name></workout>`)).code).toBe(40400);
    expect((await t.call(t.admin, 'workout.samples.add', `<workout_id>${id}</workout_id>${samplesXml([0])}`)).code).toBe(40400);
    expect((await t.call(t.admin, 'workout.delete', `<workout_id>${id}</workout_id>`)).code).toBe(40400);
    expect(textAt((await get(id)).root, 'workout', 'folder')).toBe('deleted');
  });
});

describe('samples', () => {
  it('are stored by offset: the same chunk twice changes nothing, an overlap replaces', async () => {
    const id = await create({});
    const chunk = `<workout_id>${id}</workout_id>${samplesXml([0, 1, 2])}`;
    expect(textAt((await t.call(t.admin, 'workout.samples.add', chunk)).root, 'sample_count')).toBe('3');
    expect(textAt((await t.call(t.admin, 'workout.samples.add', chunk)).root, 'sample_count')).toBe('3');
    const replace = `<workout_id>${id}</workout_id><samples><sample><offset>2.000</offset><power>300</power></sample><sample><offset>3</offset><power>310</power></sample></samples>`;
    expect(textAt((await t.call(t.admin, 'workout.samples.add', replace)).root, 'sample_count')).toBe('4');
    const samples = children(child(child((await get(id, true)).root, 'workout'), 'samples'), 'sample');
    expect(samples.map((sample) => sample.children.map((c) => `${c.name}=${c.text}`).join(' '))).toEqual([
      'offset=0 heart_rate=100 lat=38.7 lon=-9.14',
      'offset=1 heart_rate=101 lat=38.70001 lon=-9.139993',
      'offset=2 power=300',
      'offset=3 power=310',
    ]);
  });

  it('offsets strictly increase within a request; up to 3 decimals', async () => {
    const id = await create({});
    const answer = await t.call(t.admin, 'workout.samples.add', `<workout_id>${id}</workout_id><samples><sample><offset>5</offset></sample><sample><offset>5</offset></sample><sample><offset>4.5</offset></sample><sample><offset>6.0001</offset></sample></samples>`);
    expect(answer.code).toBe(40030);
    expect(answer.errors).toHaveLength(3);
    expect(textAt((await t.call(t.admin, 'workout.samples.add', `<workout_id>${id}</workout_id><samples><sample><offset>0.125</offset></sample></samples>`)).root, 'sample_count')).toBe('1');
  });

  it('a workout holds at most 200,000 samples; a request past that fails 40030 and stores nothing', async () => {
    const compact = (from: number, count: number): string => {
      const parts: string[] = ['<samples>'];
      for (let i = from; i < from + count; i += 1) parts.push(`<sample><offset>${i}</offset></sample>`);
      return `${parts.join('')}</samples>`;
    };
    const id = await create({}, compact(0, 150_000));
    expect(textAt((await t.call(t.admin, 'workout.samples.add', `<workout_id>${id}</workout_id>${compact(140_000, 59_999)}`)).root, 'sample_count')).toBe('199999');
    const over = await t.call(t.admin, 'workout.samples.add', `<workout_id>${id}</workout_id>${compact(199_998, 3)}`);
    expect(over.code).toBe(40030);
    expect(over.errors[0]).toContain('200000');
    const full = await t.call(t.admin, 'workout.samples.add', `<workout_id>${id}</workout_id>${compact(199_998, 2)}`);
    expect(textAt(full.root, 'sample_count')).toBe('200000');
    const tooMany = await t.call(t.admin, 'workout.create', workoutXml({}, compact(0, 200_001)));
    expect(tooMany.code).toBe(40030);
  });
});

describe('lists', () => {
  it('are ordered by id, paged, with pages ≥ 1 and an empty page past the last', async () => {
    const athlete = await t.call(t.admin, 'athlete.create', '<athlete><first_name>List</first_name><last_name>Paging</last_name></athlete>');
    const athleteId = textAt(athlete.root, 'athlete_id') ?? '';
    const ids: number[] = [];
    for (let i = 0; i < 7; i += 1) ids.push(await create({ athlete_id: athleteId }));
    const page = async (page: string, perPage: string) => listOf(await t.call(t.admin, 'workout.list', `<athlete_id>${athleteId}</athlete_id><page>${page}</page><per_page>${perPage}</per_page>`));
    expect(await page('1', '3')).toEqual({ attributes: { page: '1', per_page: '3', pages: '3', total: '7' }, ids: ids.slice(0, 3).map(String) });
    expect((await page('3', '3')).ids).toEqual([String(ids[6])]);
    expect(await page('4', '3')).toEqual({ attributes: { page: '4', per_page: '3', pages: '3', total: '7' }, ids: [] });
    expect((await page('1', '1000')).attributes.per_page).toBe('100');
    for (const bad of [['0', '3'], ['1', '0'], ['1', '-1'], ['1.5', '3'], ['x', '3']] as const) {
      expect((await t.call(t.admin, 'workout.list', `<page>${bad[0]}</page><per_page>${bad[1]}</per_page>`)).code).toBe(40030);
    }
    const empty = await t.call(t.admin, 'workout.list', '<external_id>none-such</external_id>');
    expect(listOf(empty).attributes).toEqual({ page: '1', per_page: '25', pages: '1', total: '0' });
  });

  it('date_from/date_to compare the local start date, inclusive; updated_from/updated_to are inclusive', async () => {
    const athlete = await t.call(t.admin, 'athlete.create', '<athlete><first_name>Date</first_name><last_name>Filters</last_name></athlete>');
    const athleteId = textAt(athlete.root, 'athlete_id') ?? '';
    t.clock.set('2026-06-15T11:00:00Z');
    const a = await create({ athlete_id: athleteId, start_time: '2026-06-01 23:59:59' });
    t.clock.set('2026-06-15T11:00:05Z');
    const b = await create({ athlete_id: athleteId, start_time: '2026-06-02 00:00:00' });
    const dates = async (filter: string) => listOf(await t.call(t.admin, 'workout.list', `<athlete_id>${athleteId}</athlete_id>${filter}`)).ids;
    expect(await dates('<date_from>2026-06-02</date_from>')).toEqual([String(b)]);
    expect(await dates('<date_to>2026-06-01</date_to>')).toEqual([String(a)]);
    expect(await dates('<date_from>2026-06-01</date_from><date_to>2026-06-02</date_to>')).toEqual([String(a), String(b)]);
    // Lisbon is UTC+1 in June: 11:00:00Z is 12:00:00 local.
    expect(await dates('<updated_to>2026-06-15 12:00:00</updated_to>')).toEqual([String(a)]);
    expect(await dates('<updated_from>2026-06-15 12:00:05</updated_from>')).toEqual([String(b)]);
    expect(await dates('<updated_from>2026-06-15</updated_from><updated_to>2026-06-15</updated_to>')).toEqual([String(a), String(b)]);
    expect((await t.call(t.admin, 'workout.list', '<updated_from>yesterday</updated_from>')).code).toBe(40030);
  });
});

describe('numbers and text', () => {
  it('no exponents; only lat, lon, altitude and temperature may be negative', async () => {
    for (const value of ['1e3', '1E3', '+5', '.5', '5.', '0x10', '1,5', 'NaN', 'Infinity']) {
      expect((await t.call(t.admin, 'workout.create', workoutXml({ distance: value }))).code, value).toBe(40030);
    }
    expect((await t.call(t.admin, 'workout.create', workoutXml({ avg_temperature: '-3.5' }))).ok).toBe(true);
    const signed = `<samples><sample><offset>0</offset><altitude>-12.5</altitude><lat>-33.9</lat><lon>-70.6</lon><temperature>-4</temperature></sample></samples>`;
    expect((await t.call(t.admin, 'workout.create', workoutXml({}, signed))).ok).toBe(true);
    const unsigned = `<samples><sample><offset>0</offset><speed>-1</speed><heart_rate>-60</heart_rate></sample></samples>`;
    const answer = await t.call(t.admin, 'workout.create', workoutXml({}, unsigned));
    expect(answer.code).toBe(40030);
    expect(answer.errors).toHaveLength(2);
  });

  it('answers numbers in plain decimals, never with an exponent; text trimmed', async () => {
    const id = await create({ distance: '0.0000001', calories: '000120', name: '  Easy run \n' }, '<samples><sample><offset>0</offset><speed>0.00000025</speed></sample></samples>');
    const answer = await get(id, true);
    expect(textAt(answer.root, 'workout', 'distance')).toBe('0.0000001');
    expect(textAt(answer.root, 'workout', 'calories')).toBe('120');
    expect(textAt(answer.root, 'workout', 'name')).toBe('Easy run');
    expect(textAt(answer.root, 'workout', 'samples', 'sample', 'speed')).toBe('0.00000025');
    expect(answer.text).not.toMatch(/\de[+-]?\d/i);
  });
});

describe('local times (Europe/Lisbon)', () => {
  it('a time in the skipped spring hour moves forward by the gap', async () => {
    const id = await create({ start_time: '2026-03-29 01:30:00' }, '<laps><lap><start_time>2026-03-29 01:59:59</start_time></lap></laps>');
    const workout = child((await get(id)).root, 'workout');
    expect(textAt(workout, 'start_time')).toBe('2026-03-29 02:30:00');
    expect(textAt(workout, 'laps', 'lap', 'start_time')).toBe('2026-03-29 02:59:59');
  });

  it('a time in the repeated autumn hour means its first occurrence', async () => {
    const athlete = await t.call(t.admin, 'athlete.create', '<athlete><first_name>Autumn</first_name><last_name>Hour</last_name></athlete>');
    const athleteId = textAt(athlete.root, 'athlete_id') ?? '';
    // 01:30 local happens at 00:30Z (WEST) and again at 01:30Z (WET).
    t.clock.set('2026-10-25T01:30:00Z');
    const second = await create({ athlete_id: athleteId, start_time: '2026-10-25 01:30:00' });
    expect(textAt((await get(second)).root, 'workout', 'updated')).toBe('2026-10-25 01:30:00');
    expect(textAt((await get(second)).root, 'workout', 'start_time')).toBe('2026-10-25 01:30:00');
    const upTo = await t.call(t.admin, 'workout.list', `<athlete_id>${athleteId}</athlete_id><updated_to>2026-10-25 01:30:00</updated_to>`);
    expect(listOf(upTo).ids).toEqual([]);
    const from = await t.call(t.admin, 'workout.list', `<athlete_id>${athleteId}</athlete_id><updated_from>2026-10-25 01:30:00</updated_from>`);
    expect(listOf(from).ids).toEqual([String(second)]);
  });
});
