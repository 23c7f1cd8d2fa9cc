import { describe, expect, it } from 'vitest';
import {
  buildAssessmentCreate,
  buildAssessmentList,
  buildAthleteCreate,
  buildAthleteGet,
  buildAthleteList,
  buildStaffCurrent,
  buildSystemCurrent,
  buildWorkoutDelete,
  buildWorkoutGet,
  buildWorkoutList,
} from './requests.js';
import type { XmlElement } from './xml-read.js';
import { readXml } from './xml-read.js';
import { mappingCode } from './test-workouts.js';

const DECLARATION = '<?xml version="1.0" encoding="utf-8"?>';

/** The request's method and its arguments as `name → text` (nested elements by path). */
function argumentsOf(body: string): { method: string; args: Record<string, string> } {
  expect(body.startsWith(`${DECLARATION}<request method="`)).toBe(true);
  const parsed = readXml(body);
  if (!parsed.ok) throw new Error(parsed.detail);
  expect(parsed.root.name).toBe('request');
  const args: Record<string, string> = {};
  const walk = (element: XmlElement, path: string): void => {
    for (const child of element.children) {
      const key = path ? `${path}/${child.name}` : child.name;
      if (child.children.length > 0) walk(child, key);
      else args[key] = child.text;
    }
  };
  walk(parsed.root, '');
  return { method: parsed.root.attributes.method as string, args };
}

describe('system and staff', () => {
  it('builds system.current and staff.current without arguments', () => {
    expect(buildSystemCurrent()).toBe(`${DECLARATION}<request method="system.current"></request>`);
    expect(buildStaffCurrent()).toBe(`${DECLARATION}<request method="staff.current"></request>`);
  });
});

describe('athletes', () => {
  it('builds athlete.create with the contract names', () => {
    const body = buildAthleteCreate({
      firstName: ' Ana ',
      lastName: "O'Brien & Søn",
      email: 'ana@example.com',
      coachId: 7,
      birthDate: '1990-04-12',
      sex: 'F',
      weightKilograms: 58.456,
      maxHeartRateBpm: 191.4,
      restingHeartRateBpm: 44,
    });
    expect(body).toContain('<last_name>O&apos;Brien &amp; Søn</last_name>');
    expect(argumentsOf(body)).toEqual({
      method: 'athlete.create',
      args: {
        'athlete/first_name': 'Ana',
        'athlete/last_name': "O'Brien & Søn",
        'athlete/email': 'ana@example.com',
        'athlete/coach_id': '7',
        'athlete/birth_date': '1990-04-12',
        'athlete/sex': 'F',
        'athlete/weight': '58.46',
        'athlete/max_heart_rate': '191',
        'athlete/resting_heart_rate': '44',
      },
    });
  });

  it('needs first and last name, a real date and a known sex', () => {
    expect(mappingCode(() => buildAthleteCreate({ firstName: ' ', lastName: 'X' }))).toBe('missing-field');
    expect(mappingCode(() => buildAthleteCreate({ firstName: 'A' } as never))).toBe('missing-field');
    expect(mappingCode(() => buildAthleteCreate({ firstName: 'A', lastName: 'B', birthDate: '1990-02-30' }))).toBe('invalid-value');
    expect(mappingCode(() => buildAthleteCreate({ firstName: 'A', lastName: 'B', sex: 'Q' as never }))).toBe('invalid-value');
    expect(mappingCode(() => buildAthleteCreate({ firstName: 'A', lastName: 'B', weightKilograms: -3 }))).toBe('invalid-value');
    expect(mappingCode(() => buildAthleteCreate({ firstName: 'A', lastName: 'B', weightKilograms: Number.NaN }))).toBe('invalid-value');
  });

  it('builds athlete.get and athlete.list', () => {
    expect(argumentsOf(buildAthleteGet('17'))).toEqual({ method: 'athlete.get', args: { athlete_id: '17' } });
    expect(argumentsOf(buildAthleteList())).toEqual({ method: 'athlete.list', args: {} });
    expect(
      argumentsOf(
        buildAthleteList({
          email: 'a@b.c',
          folder: 'deleted',
          updatedFrom: '2024-05-01',
          updatedTo: Date.parse('2024-05-31T22:30:00Z'),
          timeZone: 'Europe/Berlin',
          page: 2,
          perPage: 500,
        }),
      ),
    ).toEqual({
      method: 'athlete.list',
      args: { email: 'a@b.c', folder: 'deleted', updated_from: '2024-05-01', updated_to: '2024-06-01 00:30:00', page: '2', per_page: '100' },
    });
  });

  it('rejects bad ids and filters with RangeError in one message form', () => {
    expect(() => buildAthleteGet('')).toThrow('[mapper] option `athleteId` must be a non-blank id (string) or a whole number ≥ 0, got ""');
    expect(() => buildAthleteGet(-1)).toThrow(RangeError);
    expect(() => buildAthleteGet(1.5)).toThrow(RangeError);
    expect(() => buildAthleteList({ page: 0 })).toThrow('[mapper] option `page` must be a whole number ≥ 1, got 0');
    expect(() => buildAthleteList({ perPage: 2.5 })).toThrow(RangeError);
    expect(() => buildAthleteList({ folder: 'archive' as never })).toThrow('option `folder` must be one of active, deleted, got "archive"');
    expect(() => buildAthleteList({ updatedFrom: 0 })).toThrow('option `timeZone` must be an IANA time zone when `updatedFrom` is epoch ms');
    expect(() => buildAthleteList({ updatedFrom: '2024-05-01T00:00:00Z' })).toThrow(RangeError);
  });
});

describe('workouts (get, list, delete)', () => {
  it('builds workout.get with include_samples always explicit', () => {
    expect(argumentsOf(buildWorkoutGet(8812))).toEqual({ method: 'workout.get', args: { workout_id: '8812', include_samples: '0' } });
    expect(argumentsOf(buildWorkoutGet('8812', { includeSamples: true }))).toEqual({ method: 'workout.get', args: { workout_id: '8812', include_samples: '1' } });
  });

  it('builds workout.list with every filter', () => {
    const body = buildWorkoutList({
      athleteId: 42,
      externalId: 'sha256:9f2c',
      dateFrom: '2024-05-01',
      dateTo: Date.parse('2024-05-31T23:30:00Z'),
      updatedFrom: '2024-05-01 00:00:00',
      updatedTo: '2024-06-01',
      folder: 'active',
      page: 1,
      perPage: 25,
      timeZone: 'America/New_York',
    });
    expect(argumentsOf(body)).toEqual({
      method: 'workout.list',
      args: {
        athlete_id: '42',
        external_id: 'sha256:9f2c',
        date_from: '2024-05-01',
        date_to: '2024-05-31',
        updated_from: '2024-05-01 00:00:00',
        updated_to: '2024-06-01',
        folder: 'active',
        page: '1',
        per_page: '25',
      },
    });
  });

  it('checks the external id filter', () => {
    expect(() => buildWorkoutList({ externalId: 'x'.repeat(129) })).toThrow(RangeError);
    expect(argumentsOf(buildWorkoutList({ externalId: '🏃'.repeat(128) })).args.external_id).toBe('🏃'.repeat(128));
  });

  it('builds workout.delete', () => {
    expect(argumentsOf(buildWorkoutDelete(5))).toEqual({ method: 'workout.delete', args: { workout_id: '5' } });
  });
});

describe('assessments', () => {
  it('builds assessment.create with the contract names; body fat is a whole percent', () => {
    const body = buildAssessmentCreate(
      {
        athleteId: 42,
        type: 'body_composition',
        date: Date.parse('2024-05-01T23:30:00Z'),
        vo2max: 55.26,
        ftpWatts: 281.4,
        maxHeartRateBpm: 190,
        restingHeartRateBpm: 45,
        weightKilograms: 70.25,
        bodyFatPercent: 12.6,
        notes: 'after <rest> day',
        externalId: 'lab-2024-05',
      },
      { timeZone: 'Europe/Lisbon' },
    );
    expect(argumentsOf(body)).toEqual({
      method: 'assessment.create',
      args: {
        'assessment/athlete_id': '42',
        'assessment/type': 'body_composition',
        'assessment/date': '2024-05-02',
        'assessment/vo2max': '55.3',
        'assessment/ftp': '281.4',
        'assessment/max_heart_rate': '190',
        'assessment/resting_heart_rate': '45',
        'assessment/weight': '70.25',
        'assessment/body_fat': '13',
        'assessment/notes': 'after <rest> day',
        'assessment/external_id': 'lab-2024-05',
      },
    });
  });

  it('needs a known type and a date', () => {
    expect(mappingCode(() => buildAssessmentCreate({ athleteId: 1, type: 'lactate' as never, date: '2024-05-01' }))).toBe('invalid-value');
    expect(mappingCode(() => buildAssessmentCreate({ athleteId: 1, type: 'other' } as never))).toBe('missing-field');
    expect(mappingCode(() => buildAssessmentCreate({ athleteId: 1, type: 'other', date: '01/05/2024' }))).toBe('invalid-value');
    expect(mappingCode(() => buildAssessmentCreate({ athleteId: 1, type: 'other', date: '2024-05-01', externalId: 'x'.repeat(200) }))).toBe('invalid-value');
    expect(() => buildAssessmentCreate({ athleteId: 1, type: 'other', date: 0 })).toThrow(RangeError);
  });

  it('builds assessment.list', () => {
    expect(argumentsOf(buildAssessmentList({ athleteId: '42', dateFrom: '2024-01-01', dateTo: '2024-12-31', page: 3 }))).toEqual({
      method: 'assessment.list',
      args: { athlete_id: '42', date_from: '2024-01-01', date_to: '2024-12-31', page: '3' },
    });
  });
});
