import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSandbox, textAt, workoutXml } from './helpers.js';
import type { TestSandbox } from './helpers.js';

/**
 * The page for people, in a real headless browser (Debian's chromium through playwright-core):
 * the index lists accounts, athletes and workouts; a workout's page shows its summary, laps, a
 * chart that has really drawn (pixels of each series' colour in a screenshot) and its route.
 */
const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** One hour at 1 s: heart rate, speed, power and altitude in waves; a loop of about 3 km around Lisbon. */
function hourOfSamples(): string {
  const parts: string[] = ['<samples>'];
  for (let s = 0; s < 3600; s += 1) {
    const angle = (s / 3600) * 2 * Math.PI;
    parts.push(
      `<sample><offset>${s}</offset><heart_rate>${(140 + 25 * Math.sin(s / 300)).toFixed(0)}</heart_rate><speed>${(3 + Math.sin(s / 120)).toFixed(3)}</speed>` +
        `<power>${(220 + 60 * Math.sin(s / 90)).toFixed(0)}</power><altitude>${(40 + 30 * Math.sin(s / 700)).toFixed(1)}</altitude>` +
        `<lat>${(38.7223 + 0.008 * Math.sin(angle)).toFixed(6)}</lat><lon>${(-9.1393 + 0.012 * Math.cos(angle) * (1 + 0.3 * Math.sin(3 * angle))).toFixed(6)}</lon></sample>`,
    );
  }
  parts.push('</samples>');
  return parts.join('');
}

const LAPS = `<laps>${[0, 1200, 2400]
  .map((offset, index) => `<lap><start_time>2026-06-14 07:${String(index * 20).padStart(2, '0')}:00</start_time><duration>1200</duration><distance>${3400 + index * 100}</distance><avg_heart_rate>${140 + index * 5}</avg_heart_rate><trigger>distance</trigger></lap>`)
  .join('')}</laps>`;

let t: TestSandbox;
let browser: Browser;
let workoutId = '';

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`page-browser.test: ${CHROMIUM} is missing (apt-get install -y chromium); the browser tests are skipped`);

// In CI a missing browser is a failure, not a skip: .ci/run installs it.
describe.skipIf(!hasChromium && !process.env.CI)('the page in headless chromium', () => {
  beforeAll(async () => {
    t = await startTestSandbox();
    const created = await t.call(
      t.coach,
      'workout.create',
      workoutXml(
        { athlete_id: '1', name: 'Hills &amp; loops', start_time: '2026-06-14 07:00:00', duration: '3600', distance: '10500', avg_heart_rate: '140', external_id: 'page-1' },
        `<device><manufacturer>Garmin</manufacturer><product>Forerunner 965</product></device>${LAPS}${hourOfSamples()}`,
      ),
    );
    expect(created.ok, created.text).toBe(true);
    workoutId = textAt(created.root, 'workout_id') ?? '';
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('the index lists accounts, staff, athletes and workouts (and no token)', async () => {
    const page = await browser.newPage({ ignoreHTTPSErrors: true });
    const response = await page.goto(t.sandbox.pageUrl);
    expect(response?.status()).toBe(200);
    const text = await page.locator('body').innerText();
    expect(text).toContain('Account demo');
    expect(text).toContain('Europe/Lisbon');
    for (const name of ['Rita Runner', 'Bruno Bike', 'Sara Swim', 'Hills & loops']) expect(text).toContain(name);
    const html = await page.content();
    expect(html).not.toContain(t.admin);
    expect(html).not.toContain(t.coach);
    await page.close();
  });

  it('a workout page shows its summary, laps, a drawn chart of four series and the route', async () => {
    const page = await browser.newPage({ ignoreHTTPSErrors: true, viewport: { width: 1000, height: 1600 } });
    await page.goto(t.sandbox.pageUrl);
    await page.getByRole('link', { name: 'Hills & loops' }).click();
    await page.waitForURL(`**/workouts/${workoutId}`);
    expect(await page.locator('h1').innerText()).toBe('Hills & loops');
    const summary = await page.locator('dl.summary').innerText();
    expect(summary).toContain('10500');
    expect(summary).toContain('Garmin · Forerunner 965');
    expect(await page.locator('table tr').count()).toBe(4);

    for (const channel of ['heart_rate', 'speed', 'power', 'altitude']) {
      const box = await page.locator(`#chart polyline.${channel}`).boundingBox();
      expect(box, channel).not.toBeNull();
      expect(box?.width ?? 0, channel).toBeGreaterThan(600);
      expect(box?.height ?? 0, channel).toBeGreaterThan(50);
    }
    const route = await page.locator('#route polyline.route').boundingBox();
    expect(route?.width ?? 0).toBeGreaterThan(200);
    expect(route?.height ?? 0).toBeGreaterThan(150);

    // The screenshot check: each series' colour really is on screen in the chart's region.
    const png = PNG.sync.read(await page.locator('#chart').screenshot());
    const colours: Record<string, [number, number, number]> = { heart_rate: [0xd6, 0x27, 0x28], speed: [0x1f, 0x77, 0xb4], power: [0xff, 0x7f, 0x0e], altitude: [0x2c, 0xa0, 0x2c] };
    const counts: Record<string, number> = { heart_rate: 0, speed: 0, power: 0, altitude: 0 };
    let drawn = 0;
    for (let i = 0; i < png.data.length; i += 4) {
      const [r, g, b] = [png.data[i] ?? 0, png.data[i + 1] ?? 0, png.data[i + 2] ?? 0];
      if (Math.abs(r - g) > 40 || Math.abs(g - b) > 40 || Math.abs(r - b) > 40) drawn += 1;
      for (const [channel, [cr, cg, cb]] of Object.entries(colours)) {
        if (Math.abs(r - cr) + Math.abs(g - cg) + Math.abs(b - cb) < 60) counts[channel] = (counts[channel] ?? 0) + 1;
      }
    }
    for (const [channel, count] of Object.entries(counts)) expect(count, `${channel} pixels`).toBeGreaterThan(400);
    expect(drawn / (png.width * png.height)).toBeGreaterThan(0.01);
    await page.close();
  });

  it('an unknown workout is a 404 page', async () => {
    const page = await browser.newPage({ ignoreHTTPSErrors: true });
    const response = await page.goto(`${t.sandbox.pageUrl}workouts/999999`);
    expect(response?.status()).toBe(404);
    await page.close();
  });
});
