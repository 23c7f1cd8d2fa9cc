import { SAMPLE_CHANNELS } from './fields.js';
import type { SampleRow } from './store-records.js';

/**
 * Inline SVG for the workout page: a chart of heart rate, speed, power and altitude over time
 * (one panel per channel, each with its own scale) and the route as a polyline of lat/lon in a
 * plain equirectangular projection (longitude scaled by the cosine of the mean latitude).
 * Long workouts are thinned to at most two points (min and max) per pixel column.
 */
export interface ChartSeries {
  channel: 'heart_rate' | 'speed' | 'power' | 'altitude';
  label: string;
  unit: string;
  color: string;
}

export const CHART_SERIES: readonly ChartSeries[] = [
  { channel: 'heart_rate', label: 'Heart rate', unit: 'bpm', color: '#d62728' },
  { channel: 'speed', label: 'Speed', unit: 'm/s', color: '#1f77b4' },
  { channel: 'power', label: 'Power', unit: 'W', color: '#ff7f0e' },
  { channel: 'altitude', label: 'Altitude', unit: 'm', color: '#2ca02c' },
];

const CHART_WIDTH = 800;
const PANEL_HEIGHT = 110;
const PANEL_GAP = 30;
/** Room above each panel for its title. */
const TITLE = 16;
const LEFT = 60;
const RIGHT = 12;

function channelIndex(channel: string): number {
  return SAMPLE_CHANNELS.indexOf(channel);
}

/** [min, max] of a non-empty list, without spreading it into arguments (lists can be long). */
function extent(values: readonly number[]): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const value of values) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return [min, max];
}

function round(value: number): string {
  return (Math.round(value * 10) / 10).toString();
}

function formatClock(seconds: number): string {
  const whole = Math.round(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}` : `${m}:${String(s).padStart(2, '0')}`;
}

/** Points of one channel, thinned to at most two per pixel column. */
function thin(samples: readonly SampleRow[], index: number, plotWidth: number, maxOffset: number): Array<[number, number]> {
  const columns = new Map<number, { min: [number, number]; max: [number, number] }>();
  for (const sample of samples) {
    const value = sample.values[index];
    if (value === null || value === undefined) continue;
    const t = sample.offsetMs / 1000;
    const column = maxOffset === 0 ? 0 : Math.round((t / maxOffset) * plotWidth);
    const entry = columns.get(column);
    if (entry === undefined) columns.set(column, { min: [t, value], max: [t, value] });
    else {
      if (value < entry.min[1]) entry.min = [t, value];
      if (value > entry.max[1]) entry.max = [t, value];
    }
  }
  const points: Array<[number, number]> = [];
  for (const { min, max } of columns.values()) {
    if (min === max) points.push(min);
    else if (min[0] <= max[0]) points.push(min, max);
    else points.push(max, min);
  }
  return points;
}

/** The chart, or an empty string when no sample has any of the four channels. */
export function chartSvg(samples: readonly SampleRow[]): string {
  const maxOffset = samples.reduce((max, sample) => Math.max(max, sample.offsetMs / 1000), 0);
  const plotWidth = CHART_WIDTH - LEFT - RIGHT;
  const panels: string[] = [];
  let top = TITLE + 4;
  for (const series of CHART_SERIES) {
    const points = thin(samples, channelIndex(series.channel), plotWidth, maxOffset);
    if (points.length === 0) continue;
    let [low, high] = extent(points.map((point) => point[1]));
    if (high === low) {
      high += 1;
      low -= 1;
    }
    const x = (t: number): number => LEFT + (maxOffset === 0 ? 0 : (t / maxOffset) * plotWidth);
    const y = (v: number): number => top + PANEL_HEIGHT - ((v - low) / (high - low)) * PANEL_HEIGHT;
    const polyline = points.map(([t, v]) => `${round(x(t))},${round(y(v))}`).join(' ');
    panels.push(
      `<g class="panel" data-channel="${series.channel}">` +
        `<rect x="${LEFT}" y="${top}" width="${plotWidth}" height="${PANEL_HEIGHT}" fill="#fafafa" stroke="#ddd"/>` +
        `<text x="${LEFT - 6}" y="${top + 10}" text-anchor="end" font-size="10">${round(high)}</text>` +
        `<text x="${LEFT - 6}" y="${top + PANEL_HEIGHT}" text-anchor="end" font-size="10">${round(low)}</text>` +
        `<text x="${LEFT}" y="${top - 5}" font-size="12" fill="${series.color}">${series.label} (${series.unit})</text>` +
        `<polyline class="series ${series.channel}" fill="none" stroke="${series.color}" stroke-width="1.5" points="${polyline}"/>` +
        `</g>`,
    );
    top += PANEL_HEIGHT + PANEL_GAP;
  }
  if (panels.length === 0) return '';
  const axisY = top - PANEL_GAP + 14;
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map((share) => {
      const anchor = share === 0 ? 'start' : share === 1 ? 'end' : 'middle';
      return `<text x="${round(LEFT + share * plotWidth)}" y="${axisY}" text-anchor="${anchor}" font-size="10">${formatClock(share * maxOffset)}</text>`;
    })
    .join('');
  const height = axisY + 8;
  return (
    `<svg id="chart" xmlns="http://www.w3.org/2000/svg" width="${CHART_WIDTH}" height="${height}" viewBox="0 0 ${CHART_WIDTH} ${height}" role="img" aria-label="Heart rate, speed, power and altitude over time">` +
    `${panels.join('')}${ticks}</svg>`
  );
}

const MAP_WIDTH = 600;
const MAP_HEIGHT = 400;
const MAP_PAD = 16;

/** The route, or an empty string when fewer than two samples have both lat and lon. */
export function routeSvg(samples: readonly SampleRow[]): string {
  const latIndex = channelIndex('lat');
  const lonIndex = channelIndex('lon');
  const fixes: Array<[number, number]> = [];
  for (const sample of samples) {
    const lat = sample.values[latIndex];
    const lon = sample.values[lonIndex];
    if (lat !== null && lat !== undefined && lon !== null && lon !== undefined) fixes.push([lat, lon]);
  }
  if (fixes.length < 2) return '';
  const meanLat = fixes.reduce((sum, [lat]) => sum + lat, 0) / fixes.length;
  const scaleX = Math.cos((meanLat * Math.PI) / 180);
  const xs = fixes.map(([, lon]) => lon * scaleX);
  const ys = fixes.map(([lat]) => -lat);
  const [minX, maxX] = extent(xs);
  const [minY, maxY] = extent(ys);
  const spanX = Math.max(maxX - minX, 1e-9);
  const spanY = Math.max(maxY - minY, 1e-9);
  const scale = Math.min((MAP_WIDTH - 2 * MAP_PAD) / spanX, (MAP_HEIGHT - 2 * MAP_PAD) / spanY);
  const offsetX = (MAP_WIDTH - spanX * scale) / 2;
  const offsetY = (MAP_HEIGHT - spanY * scale) / 2;
  const step = Math.max(1, Math.floor(fixes.length / 2000));
  const points: string[] = [];
  for (let i = 0; i < fixes.length; i += step) points.push(`${round(offsetX + ((xs[i] ?? 0) - minX) * scale)},${round(offsetY + ((ys[i] ?? 0) - minY) * scale)}`);
  const last = fixes.length - 1;
  const end = `${round(offsetX + ((xs[last] ?? 0) - minX) * scale)},${round(offsetY + ((ys[last] ?? 0) - minY) * scale)}`;
  if ((last % step) !== 0) points.push(end);
  const [startX, startY] = (points[0] ?? '0,0').split(',');
  const [endX, endY] = end.split(',');
  return (
    `<svg id="route" xmlns="http://www.w3.org/2000/svg" width="${MAP_WIDTH}" height="${MAP_HEIGHT}" viewBox="0 0 ${MAP_WIDTH} ${MAP_HEIGHT}" role="img" aria-label="Route">` +
    `<rect width="${MAP_WIDTH}" height="${MAP_HEIGHT}" fill="#f4f1ea" stroke="#ddd"/>` +
    `<polyline class="route" fill="none" stroke="#6a3d9a" stroke-width="2.5" stroke-linejoin="round" points="${points.join(' ')}"/>` +
    `<circle cx="${startX}" cy="${startY}" r="5" fill="#2ca02c"><title>start</title></circle>` +
    `<circle cx="${endX}" cy="${endY}" r="5" fill="#d62728"><title>finish</title></circle>` +
    `</svg>`
  );
}
