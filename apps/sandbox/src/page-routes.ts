import type { IncomingMessage, ServerResponse } from 'node:http';
import { LAP_FIELDS, WORKOUT_ORDER } from './fields.js';
import { escapeHtml, formatDuration, htmlPage, htmlTable } from './html.js';
import { formatLocal } from './local-time.js';
import { chartSvg, routeSvg } from './page-svg.js';
import { quotaWindowAt } from './quota.js';
import type { AccountRow, AccountStore, AthleteRow } from './store.js';
import type { RecordStore, WorkoutRow } from './store-records.js';

/**
 * The page for people (HTTPS only, no token needed, tokens never shown): `GET /` lists accounts,
 * staff, athletes and workouts; `GET /workouts/ID` shows one workout's summary, laps, a chart of
 * heart rate, speed, power and altitude over time and its route.
 */
export interface PageDependencies {
  accounts: AccountStore;
  records: RecordStore;
  now: () => number;
  daySeconds: number;
}

/** The index shows at most this many workouts per account (the newest). */
const WORKOUTS_ON_INDEX = 500;

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': String(Buffer.byteLength(html)), 'Cache-Control': 'no-store' });
  res.end(html);
}

function athleteName(athlete: AthleteRow | undefined): string {
  if (athlete === undefined) return '?';
  return `${athlete.fields.first_name ?? ''} ${athlete.fields.last_name ?? ''}`.trim();
}

function workoutLink(workout: WorkoutRow): string {
  const label = workout.fields.name ?? `${workout.fields.sport ?? 'workout'} ${workout.fields.start_time ?? ''}`;
  return `<a href="/workouts/${workout.id}">${escapeHtml(label)}</a>`;
}

function numberCell(value: string | undefined, digits = 0, divisor = 1): string {
  return value === undefined ? '' : escapeHtml((Number(value) / divisor).toFixed(digits));
}

function accountSection(account: AccountRow, deps: PageDependencies): string {
  const now = deps.now();
  const window = quotaWindowAt(now, account.timeZone, deps.daySeconds);
  const used = deps.accounts.requestsUsed(account.id, window.start);
  const staff = deps.accounts.staffOfAccount(account.id);
  const athletes = deps.accounts.athletesOfAccount(account.id);
  const byId = new Map(athletes.map((athlete) => [athlete.id, athlete]));
  const coachName = new Map(staff.map((member) => [member.id, member.username]));
  const { total, rows } = deps.records.recentWorkouts(account.id, WORKOUTS_ON_INDEX);
  const staffTable = htmlTable(
    ['id', 'username', 'name', 'role'],
    staff.map((member) => [String(member.id), escapeHtml(member.username), escapeHtml(`${member.firstName ?? ''} ${member.lastName ?? ''}`.trim()), member.role]),
  );
  const athleteTable = htmlTable(
    ['id', 'name', 'email', 'coach'],
    athletes.map((athlete) => [
      String(athlete.id),
      escapeHtml(athleteName(athlete)),
      escapeHtml(athlete.fields.email ?? ''),
      escapeHtml(athlete.coachId === null ? '' : (coachName.get(athlete.coachId) ?? String(athlete.coachId))),
    ]),
  );
  const workoutTable =
    rows.length === 0
      ? '<p class="muted">No workouts yet.</p>'
      : htmlTable(
          ['id', 'workout', 'athlete', 'sport', 'start (local)', 'duration', 'km', 'samples', 'folder'],
          rows.map((workout) => [
            String(workout.id),
            workout.folder === 'deleted' ? `<span class="deleted">${workoutLink(workout)}</span>` : workoutLink(workout),
            escapeHtml(athleteName(byId.get(workout.athleteId))),
            escapeHtml(workout.fields.sport ?? ''),
            escapeHtml(workout.fields.start_time ?? ''),
            workout.fields.duration === undefined ? '' : formatDuration(Number(workout.fields.duration)),
            numberCell(workout.fields.distance, 2, 1000),
            String(workout.sampleCount),
            workout.folder,
          ]),
          [0, 5, 6, 7],
        );
  return `<section class="account" data-account="${escapeHtml(account.name)}">
<h2>Account ${escapeHtml(account.name)}</h2>
<p>Time zone ${escapeHtml(account.timeZone)} (now ${escapeHtml(formatLocal(account.timeZone, now))}); requests today ${used} of ${account.requestLimit}.</p>
<h3>Staff</h3>
${staffTable}
<h3>Athletes</h3>
${athleteTable}
<h3>Workouts (${total}${total > rows.length ? `, the newest ${rows.length} shown` : ''})</h3>
${workoutTable}
</section>`;
}

function indexPage(deps: PageDependencies): string {
  const sections = deps.accounts.accounts().map((account) => accountSection(account, deps));
  return htmlPage('Optimo Sport sandbox', `<h1>Optimo Sport sandbox</h1>\n<p class="muted">A local copy of the Optimo Sport XML API 2.1 for tests and trial imports.</p>\n${sections.join('\n')}`);
}

function workoutPage(workout: WorkoutRow, deps: PageDependencies): string {
  const account = deps.accounts.accountById(workout.accountId);
  const athlete = deps.accounts.athlete(workout.athleteId);
  const fields: Record<string, string> = { ...workout.fields, workout_id: String(workout.id), folder: workout.folder };
  if (account !== undefined) fields.updated = formatLocal(account.timeZone, workout.updated);
  const rows: string[] = [];
  for (const name of WORKOUT_ORDER) {
    if (name === 'device') {
      const device = ['manufacturer', 'product', 'serial', 'software'].map((part) => fields[`device.${part}`]).filter((part) => part !== undefined);
      if (device.length > 0) rows.push(`<dt>device</dt><dd>${escapeHtml(device.join(' · '))}</dd>`);
      continue;
    }
    const value = fields[name];
    if (value !== undefined) rows.push(`<dt>${escapeHtml(name)}</dt><dd>${escapeHtml(value)}</dd>`);
  }
  rows.push(`<dt>samples</dt><dd>${workout.sampleCount}</dd>`);
  const lapNames = [...LAP_FIELDS.keys()].filter((name) => workout.laps.some((lap) => lap[name] !== undefined));
  const laps =
    workout.laps.length === 0
      ? '<p class="muted">No laps.</p>'
      : htmlTable(['lap', ...lapNames], workout.laps.map((lap, index) => [String(index + 1), ...lapNames.map((name) => escapeHtml(lap[name] ?? ''))]));
  const samples = deps.records.samples(workout.id);
  const chart = chartSvg(samples);
  const route = routeSvg(samples);
  const title = workout.fields.name ?? `${workout.fields.sport ?? 'Workout'} ${workout.fields.start_time ?? ''}`;
  return htmlPage(
    `${title} · Optimo Sport sandbox`,
    `<p><a href="/">← all accounts</a></p>
<h1>${escapeHtml(title)}</h1>
<p class="muted">${escapeHtml(athleteName(athlete))} · account ${escapeHtml(account?.name ?? '?')}${workout.folder === 'deleted' ? ' · deleted' : ''}</p>
<h2>Summary</h2>
<dl class="summary">${rows.join('')}</dl>
<h2>Laps</h2>
${laps}
<h2>Over time</h2>
${chart === '' ? '<p class="muted">No heart rate, speed, power or altitude samples.</p>' : `<figure>${chart}<figcaption>Heart rate, speed, power and altitude against elapsed time.</figcaption></figure>`}
<h2>Route</h2>
${route === '' ? '<p class="muted">No positions.</p>' : `<figure>${route}<figcaption>Latitude and longitude, equirectangular projection; green start, red finish.</figcaption></figure>`}`,
  );
}

/** Handles every HTTPS request that is not the API. */
export function handlePageRequest(req: IncomingMessage, res: ServerResponse, deps: PageDependencies): void {
  req.resume();
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Method not allowed. The API is POST /api/2.1/xml-in.\n');
    return;
  }
  if (path === '/') {
    sendHtml(res, 200, indexPage(deps));
    return;
  }
  const match = /^\/workouts\/(\d+)$/.exec(path);
  const workout = match?.[1] === undefined ? undefined : deps.records.workout(Number(match[1]));
  if (workout !== undefined) {
    sendHtml(res, 200, workoutPage(workout, deps));
    return;
  }
  sendHtml(res, 404, htmlPage('Not found · Optimo Sport sandbox', `<h1>Not found</h1><p><a href="/">All accounts</a></p>`));
}
