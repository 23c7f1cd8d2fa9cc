import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { children, samplesXml, startTestSandbox, textAt, workoutXml } from './helpers.js';
import type { Answer, TestSandbox } from './helpers.js';

/**
 * Every method of optimo-api.md 2.4 for both roles, and every application error code each one can
 * answer, over real HTTPS. The demo account: staff 1 admin, 2 coach; athletes 1 and 2 assigned to
 * the coach, athlete 3 not.
 */
let t: TestSandbox;
let tokens: { admin: string; coach: string };

beforeAll(async () => {
  t = await startTestSandbox();
  tokens = { admin: t.admin, coach: t.coach };
});
afterAll(async () => {
  await t.close();
});

function expectOk(answer: Answer): void {
  expect(answer.status, answer.text).toBe(200);
  expect(answer.ok, answer.text).toBe(true);
}

function expectFail(answer: Answer, code: number, errors?: number): void {
  expect(answer.status, answer.text).toBe(200);
  expect(answer.ok, answer.text).toBe(false);
  expect(answer.code, answer.text).toBe(code);
  expect(children(answer.root, 'code')).toHaveLength(1);
  if (errors !== undefined) expect(answer.errors, answer.text).toHaveLength(errors);
  else expect(answer.errors.length).toBeGreaterThan(0);
}

async function createWorkout(role: 'admin' | 'coach', fields: Record<string, string>, extra = ''): Promise<number> {
  const answer = await t.call(tokens[role], 'workout.create', workoutXml(fields, extra));
  expectOk(answer);
  return Number(textAt(answer.root, 'workout_id'));
}

describe('system.current and staff.current', () => {
  it.each(['admin', 'coach'] as const)('system.current answers name, zone and the quota for the %s', async (role) => {
    const answer = await t.call(tokens[role], 'system.current');
    expectOk(answer);
    expect(textAt(answer.root, 'system', 'name')).toBe('demo');
    expect(textAt(answer.root, 'system', 'timezone')).toBe('Europe/Lisbon');
    expect(Number(textAt(answer.root, 'system', 'api', 'requests'))).toBeGreaterThan(0);
    expect(textAt(answer.root, 'system', 'api', 'request_limit')).toBe('5000');
    expect(Number(textAt(answer.root, 'system', 'api', 'resets_in'))).toBeGreaterThan(0);
  });

  it.each([
    ['admin', '1', 'admin'],
    ['coach', '2', 'coach'],
  ] as const)('staff.current tells the %s who they are', async (role, id, username) => {
    const answer = await t.call(tokens[role], 'staff.current');
    expectOk(answer);
    expect(textAt(answer.root, 'staff', 'staff_id')).toBe(id);
    expect(textAt(answer.root, 'staff', 'username')).toBe(username);
    expect(textAt(answer.root, 'staff', 'role')).toBe(role);
  });

  it('an unknown argument is 40030', async () => {
    expectFail(await t.call(tokens.admin, 'system.current', '<verbose>1</verbose>'), 40030, 1);
  });
});

describe('athlete.create', () => {
  it('the admin creates an athlete, assigned to a coach or not', async () => {
    const answer = await t.call(tokens.admin, 'athlete.create', '<athlete><first_name> Lia </first_name><last_name>Long</last_name><coach_id>2</coach_id><weight>61.5</weight><sex>F</sex></athlete>');
    expectOk(answer);
    const id = textAt(answer.root, 'athlete_id') ?? '';
    const got = await t.call(tokens.coach, 'athlete.get', `<athlete_id>${id}</athlete_id>`);
    expectOk(got);
    expect(textAt(got.root, 'athlete', 'first_name')).toBe('Lia');
    expect(textAt(got.root, 'athlete', 'coach_id')).toBe('2');
    expect(textAt(got.root, 'athlete', 'folder')).toBe('active');
    expect(textAt(got.root, 'athlete', 'updated')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });

  it('a coach gets 40300 (admin only)', async () => {
    expectFail(await t.call(tokens.coach, 'athlete.create', '<athlete><first_name>No</first_name><last_name>Way</last_name></athlete>'), 40300);
  });

  it('40020 names every missing field', async () => {
    expectFail(await t.call(tokens.admin, 'athlete.create', '<athlete><email>x@y.z</email></athlete>'), 40020, 2);
    expectFail(await t.call(tokens.admin, 'athlete.create'), 40020, 1);
  });

  it('40030 for invalid values and answer-only fields', async () => {
    const answer = await t.call(tokens.admin, 'athlete.create', '<athlete><first_name>A</first_name><last_name>B</last_name><sex>Q</sex><birth_date>2001-02-30</birth_date><folder>active</folder><weight>-3</weight></athlete>');
    expectFail(answer, 40030, 4);
  });

  it('40400 for a coach_id that does not exist; 40030 for one that is not a coach', async () => {
    expectFail(await t.call(tokens.admin, 'athlete.create', '<athlete><first_name>A</first_name><last_name>B</last_name><coach_id>99</coach_id></athlete>'), 40400, 1);
    expectFail(await t.call(tokens.admin, 'athlete.create', '<athlete><first_name>A</first_name><last_name>B</last_name><coach_id>1</coach_id></athlete>'), 40030, 1);
  });
});

describe('athlete.get', () => {
  it('the admin reads any athlete; the coach reads assigned ones', async () => {
    const admin = await t.call(tokens.admin, 'athlete.get', '<athlete_id>3</athlete_id>');
    expectOk(admin);
    expect(textAt(admin.root, 'athlete', 'last_name')).toBe('Swim');
    const coach = await t.call(tokens.coach, 'athlete.get', '<athlete_id>1</athlete_id>');
    expectOk(coach);
    expect(textAt(coach.root, 'athlete', 'athlete_id')).toBe('1');
  });

  it('a coach naming an unassigned athlete gets 40300, existing or not; the admin gets 40400 for a missing one', async () => {
    expectFail(await t.call(tokens.coach, 'athlete.get', '<athlete_id>3</athlete_id>'), 40300);
    expectFail(await t.call(tokens.coach, 'athlete.get', '<athlete_id>9999</athlete_id>'), 40300);
    expectFail(await t.call(tokens.admin, 'athlete.get', '<athlete_id>9999</athlete_id>'), 40400);
  });

  it('40020 without athlete_id, 40030 for a bad one', async () => {
    expectFail(await t.call(tokens.admin, 'athlete.get'), 40020);
    expectFail(await t.call(tokens.admin, 'athlete.get', '<athlete_id>abc</athlete_id>'), 40030);
    expectFail(await t.call(tokens.coach, 'athlete.get', '<athlete_id>0</athlete_id>'), 40030);
  });
});

describe('athlete.list', () => {
  it('the admin sees every athlete, the coach only assigned ones', async () => {
    const admin = await t.call(tokens.admin, 'athlete.list');
    expectOk(admin);
    const list = admin.root?.children[0];
    expect(list?.name).toBe('athletes');
    expect(Number(list?.attributes.total)).toBeGreaterThanOrEqual(3);
    const coach = await t.call(tokens.coach, 'athlete.list');
    const ids = children(coach.root?.children[0], 'athlete').map((athlete) => textAt(athlete, 'athlete_id'));
    expect(ids).toContain('1');
    expect(ids).toContain('2');
    expect(ids).not.toContain('3');
  });

  it('filters by email (any case) and folder', async () => {
    const byEmail = await t.call(tokens.admin, 'athlete.list', '<email>SARA@demo.example</email>');
    expect(children(byEmail.root?.children[0], 'athlete').map((athlete) => textAt(athlete, 'athlete_id'))).toEqual(['3']);
    const deleted = await t.call(tokens.admin, 'athlete.list', '<folder>deleted</folder>');
    expect(deleted.root?.children[0]?.attributes).toMatchObject({ total: '0', pages: '1' });
  });

  it('40030 for bad paging or folder', async () => {
    expectFail(await t.call(tokens.coach, 'athlete.list', '<page>0</page>'), 40030);
    expectFail(await t.call(tokens.coach, 'athlete.list', '<folder>archive</folder>'), 40030);
  });
});

describe('workout.create', () => {
  it('the admin creates for any athlete, the coach for assigned athletes', async () => {
    expect(await createWorkout('admin', { athlete_id: '3', external_id: 'create-admin' })).toBeGreaterThan(0);
    expect(await createWorkout('coach', { athlete_id: '1', external_id: 'create-coach' }, samplesXml([0, 1, 2]))).toBeGreaterThan(0);
  });

  it('a coach naming an unassigned athlete gets 40300, existing or not', async () => {
    expectFail(await t.call(tokens.coach, 'workout.create', workoutXml({ athlete_id: '3' })), 40300);
    expectFail(await t.call(tokens.coach, 'workout.create', workoutXml({ athlete_id: '9999' })), 40300);
  });

  it('40020 for each missing required field', async () => {
    expectFail(await t.call(tokens.admin, 'workout.create', workoutXml({ sport: '', duration: '', start_time: '' })), 40020, 3);
    expectFail(await t.call(tokens.admin, 'workout.create', workoutXml({ athlete_id: ' ' })), 40020, 1);
  });

  it('40030 for each invalid value', async () => {
    const answer = await t.call(tokens.admin, 'workout.create', workoutXml({ sport: 'parkour', start_time: '2026-06-31 10:00:00', distance: '1e4', avg_heart_rate: '-5' }));
    expectFail(answer, 40030, 4);
  });

  it('40400 when the admin names a missing athlete', async () => {
    expectFail(await t.call(tokens.admin, 'workout.create', workoutXml({ athlete_id: '9999' })), 40400);
  });

  it('40900 for a taken external_id, carrying the existing workout_id', async () => {
    const first = await createWorkout('admin', { external_id: 'dup-1' });
    const answer = await t.call(tokens.coach, 'workout.create', workoutXml({ external_id: 'dup-1' }));
    expectFail(answer, 40900, 1);
    expect(textAt(answer.root, 'workout_id')).toBe(String(first));
  });
});

describe('workout.samples.add', () => {
  it('the admin and the coach add samples; the answer counts all stored', async () => {
    const id = await createWorkout('coach', { athlete_id: '2' }, samplesXml([0, 1]));
    const admin = await t.call(tokens.admin, 'workout.samples.add', `<workout_id>${id}</workout_id>${samplesXml([2, 3, 4])}`);
    expectOk(admin);
    expect(textAt(admin.root, 'workout_id')).toBe(String(id));
    expect(textAt(admin.root, 'sample_count')).toBe('5');
    const coach = await t.call(tokens.coach, 'workout.samples.add', `<workout_id>${id}</workout_id>${samplesXml([5])}`);
    expect(textAt(coach.root, 'sample_count')).toBe('6');
  });

  it('40300 for a coach on an unassigned athlete’s workout', async () => {
    const id = await createWorkout('admin', { athlete_id: '3' });
    expectFail(await t.call(tokens.coach, 'workout.samples.add', `<workout_id>${id}</workout_id>${samplesXml([0])}`), 40300);
  });

  it('40020, 40030 and 40400', async () => {
    const id = await createWorkout('admin', {});
    expectFail(await t.call(tokens.admin, 'workout.samples.add', `<workout_id>${id}</workout_id>`), 40020);
    expectFail(await t.call(tokens.admin, 'workout.samples.add', `<workout_id>${id}</workout_id><samples><sample><heart_rate>90</heart_rate></sample></samples>`), 40020);
    expectFail(await t.call(tokens.admin, 'workout.samples.add', `<workout_id>${id}</workout_id><samples><sample><offset>1.2345</offset></sample></samples>`), 40030);
    expectFail(await t.call(tokens.admin, 'workout.samples.add', `<workout_id>99999</workout_id>${samplesXml([0])}`), 40400);
  });
});

describe('workout.get', () => {
  it('answers the workout with laps, and samples only when asked', async () => {
    const laps = '<laps><lap><start_time>2026-06-14 07:12:05</start_time><duration>300</duration><trigger>distance</trigger></lap></laps>';
    const id = await createWorkout('coach', { athlete_id: '1', name: 'Hills' }, laps + samplesXml([0, 1.5, 3]));
    const plain = await t.call(tokens.coach, 'workout.get', `<workout_id>${id}</workout_id>`);
    expectOk(plain);
    expect(textAt(plain.root, 'workout', 'name')).toBe('Hills');
    expect(textAt(plain.root, 'workout', 'laps', 'lap', 'trigger')).toBe('distance');
    expect(textAt(plain.root, 'workout', 'samples')).toBeUndefined();
    const full = await t.call(tokens.admin, 'workout.get', `<workout_id>${id}</workout_id><include_samples>1</include_samples>`);
    const offsets = children(full.root?.children[0]?.children.find((c) => c.name === 'samples'), 'sample').map((s) => textAt(s, 'offset'));
    expect(offsets).toEqual(['0', '1.5', '3']);
  });

  it('40300 for a coach, 40400 for the admin, 40020 and 40030', async () => {
    const id = await createWorkout('admin', { athlete_id: '3' });
    expectFail(await t.call(tokens.coach, 'workout.get', `<workout_id>${id}</workout_id>`), 40300);
    expectFail(await t.call(tokens.admin, 'workout.get', '<workout_id>99999</workout_id>'), 40400);
    expectFail(await t.call(tokens.admin, 'workout.get', '<include_samples>1</include_samples>'), 40020);
    expectFail(await t.call(tokens.admin, 'workout.get', `<workout_id>${id}</workout_id><include_samples>yes</include_samples>`), 40030);
  });
});

describe('workout.list', () => {
  it('the admin lists all workouts, the coach only assigned athletes’ workouts', async () => {
    const admin = await t.call(tokens.admin, 'workout.list', '<per_page>100</per_page>');
    expectOk(admin);
    const athletes = new Set(children(admin.root?.children[0], 'workout').map((w) => textAt(w, 'athlete_id')));
    expect(athletes.has('3')).toBe(true);
    const coach = await t.call(tokens.coach, 'workout.list', '<per_page>100</per_page>');
    const coachAthletes = new Set(children(coach.root?.children[0], 'workout').map((w) => textAt(w, 'athlete_id')));
    expect(coachAthletes.has('3')).toBe(false);
    expect(coachAthletes.size).toBeGreaterThan(0);
  });

  it('summaries carry no laps and no samples', async () => {
    const list = await t.call(tokens.admin, 'workout.list', '<per_page>100</per_page>');
    for (const workout of children(list.root?.children[0], 'workout')) {
      expect(workout.children.map((c) => c.name)).not.toContain('laps');
      expect(workout.children.map((c) => c.name)).not.toContain('samples');
    }
  });

  it('40300 for a coach filtering on an unassigned athlete; 40400 for the admin on a missing one; 40030', async () => {
    expectFail(await t.call(tokens.coach, 'workout.list', '<athlete_id>3</athlete_id>'), 40300);
    expectFail(await t.call(tokens.coach, 'workout.list', '<athlete_id>9999</athlete_id>'), 40300);
    expectFail(await t.call(tokens.admin, 'workout.list', '<athlete_id>9999</athlete_id>'), 40400);
    expectFail(await t.call(tokens.admin, 'workout.list', '<date_from>2026-6-1</date_from>'), 40030);
  });
});

describe('workout.update', () => {
  it('the admin and the coach update; fields not sent stay', async () => {
    const id = await createWorkout('coach', { athlete_id: '1', name: 'Before', distance: '5000' });
    expectOk(await t.call(tokens.coach, 'workout.update', `<workout><workout_id>${id}</workout_id><name>After</name></workout>`));
    expectOk(await t.call(tokens.admin, 'workout.update', `<workout><workout_id>${id}</workout_id><calories>400</calories></workout>`));
    const got = await t.call(tokens.admin, 'workout.get', `<workout_id>${id}</workout_id>`);
    expect(textAt(got.root, 'workout', 'name')).toBe('After');
    expect(textAt(got.root, 'workout', 'distance')).toBe('5000');
    expect(textAt(got.root, 'workout', 'calories')).toBe('400');
  });

  it('40300 for a coach on an unassigned athlete’s workout, or moving a workout to one', async () => {
    const other = await createWorkout('admin', { athlete_id: '3' });
    expectFail(await t.call(tokens.coach, 'workout.update', `<workout><workout_id>${other}</workout_id><name>x</name></workout>`), 40300);
    const own = await createWorkout('coach', { athlete_id: '1' });
    expectFail(await t.call(tokens.coach, 'workout.update', `<workout><workout_id>${own}</workout_id><athlete_id>3</athlete_id></workout>`), 40300);
  });

  it('40020, 40030, 40400 and 40900', async () => {
    const id = await createWorkout('admin', { external_id: 'upd-a' });
    await createWorkout('admin', { external_id: 'upd-b' });
    expectFail(await t.call(tokens.admin, 'workout.update', '<workout><name>x</name></workout>'), 40020);
    expectFail(await t.call(tokens.admin, 'workout.update', `<workout><workout_id>${id}</workout_id><sport/></workout>`), 40020);
    expectFail(await t.call(tokens.admin, 'workout.update', `<workout><workout_id>${id}</workout_id>${samplesXml([0])}</workout>`), 40030);
    expectFail(await t.call(tokens.admin, 'workout.update', '<workout><workout_id>99999</workout_id><name>x</name></workout>'), 40400);
    const duplicate = await t.call(tokens.admin, 'workout.update', `<workout><workout_id>${id}</workout_id><external_id>upd-b</external_id></workout>`);
    expectFail(duplicate, 40900);
    expect(textAt(duplicate.root, 'workout_id')).toBe(String(id + 1));
  });
});

describe('workout.delete', () => {
  it('moves the workout to folder deleted; a second delete is 40400', async () => {
    const id = await createWorkout('coach', { athlete_id: '2' });
    expectOk(await t.call(tokens.coach, 'workout.delete', `<workout_id>${id}</workout_id>`));
    const got = await t.call(tokens.admin, 'workout.get', `<workout_id>${id}</workout_id>`);
    expect(textAt(got.root, 'workout', 'folder')).toBe('deleted');
    expectFail(await t.call(tokens.admin, 'workout.delete', `<workout_id>${id}</workout_id>`), 40400);
    const deleted = await t.call(tokens.admin, 'workout.list', '<folder>deleted</folder><per_page>100</per_page>');
    expect(children(deleted.root?.children[0], 'workout').map((w) => textAt(w, 'workout_id'))).toContain(String(id));
  });

  it('40300 for a coach, 40020 and 40030', async () => {
    const id = await createWorkout('admin', { athlete_id: '3' });
    expectFail(await t.call(tokens.coach, 'workout.delete', `<workout_id>${id}</workout_id>`), 40300);
    expectFail(await t.call(tokens.coach, 'workout.delete'), 40020);
    expectFail(await t.call(tokens.coach, 'workout.delete', '<workout_id>-4</workout_id>'), 40030);
  });
});

describe('assessment.create and assessment.list', () => {
  it('the admin and the coach create assessments; lists follow the role', async () => {
    const admin = await t.call(tokens.admin, 'assessment.create', '<assessment><athlete_id>3</athlete_id><type>ftp_test</type><date>2026-05-01</date><ftp>250</ftp></assessment>');
    expectOk(admin);
    const coach = await t.call(tokens.coach, 'assessment.create', '<assessment><athlete_id>1</athlete_id><type>body_composition</type><date>2026-05-02</date><weight>57.8</weight><body_fat>18</body_fat><external_id>bc-1</external_id></assessment>');
    expectOk(coach);
    const adminList = await t.call(tokens.admin, 'assessment.list');
    expect(adminList.root?.children[0]?.attributes.total).toBe('2');
    const coachList = await t.call(tokens.coach, 'assessment.list');
    expect(children(coachList.root?.children[0], 'assessment').map((a) => textAt(a, 'type'))).toEqual(['body_composition']);
    const dated = await t.call(tokens.admin, 'assessment.list', '<date_from>2026-05-02</date_from><date_to>2026-05-02</date_to>');
    expect(dated.root?.children[0]?.attributes.total).toBe('1');
  });

  it('40300, 40020, 40030, 40400 and 40900 with the assessment_id', async () => {
    expectFail(await t.call(tokens.coach, 'assessment.create', '<assessment><athlete_id>3</athlete_id><type>other</type><date>2026-05-01</date></assessment>'), 40300);
    expectFail(await t.call(tokens.coach, 'assessment.list', '<athlete_id>3</athlete_id>'), 40300);
    expectFail(await t.call(tokens.admin, 'assessment.create', '<assessment><athlete_id>3</athlete_id></assessment>'), 40020, 2);
    expectFail(await t.call(tokens.admin, 'assessment.create', '<assessment><athlete_id>3</athlete_id><type>other</type><date>2026-05-01</date><body_fat>12.5</body_fat></assessment>'), 40030);
    expectFail(await t.call(tokens.admin, 'assessment.create', '<assessment><athlete_id>9999</athlete_id><type>other</type><date>2026-05-01</date></assessment>'), 40400);
    expectFail(await t.call(tokens.admin, 'assessment.list', '<athlete_id>9999</athlete_id>'), 40400);
    const duplicate = await t.call(tokens.admin, 'assessment.create', '<assessment><athlete_id>1</athlete_id><type>other</type><date>2026-05-03</date><external_id>bc-1</external_id></assessment>');
    expectFail(duplicate, 40900);
    expect(textAt(duplicate.root, 'assessment_id')).toBe('2');
  });
});
