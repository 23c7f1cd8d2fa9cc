/**
 * How the rows of a sample table are placed in time, decided from the first values of the time
 * columns: a date-time per row (naive or with a zone), a date column and a time-of-day column,
 * epoch seconds or milliseconds, time from the start (`00:01:00`, `61`, `1.0167` minutes), a
 * time of day without a date, or a fixed sample rate.
 */
import { parseNumber } from './dialect.js';
import { parseDateTime, parseDuration, parseTimeOfDay } from './datetime.js';
import type { DateOrder, DurationUnit } from './datetime.js';
import type { CsvField } from './headers.js';
import type { CsvMapping } from './mapping.js';
import type { ColumnPlan, TableLayout } from './table.js';
import { decideDateOrder, headValues, slashMonthFirst } from './table.js';
import type { CsvRow } from './tokenizer.js';

export type TimePlan =
  | { kind: 'wall'; column: ColumnPlan; order: DateOrder; assumedOrder: boolean }
  | { kind: 'date-time'; date: ColumnPlan; time: ColumnPlan; order: DateOrder; assumedOrder: boolean }
  | { kind: 'epoch'; column: ColumnPlan; msPerUnit: number }
  | { kind: 'elapsed'; column: ColumnPlan; unit: DurationUnit }
  | { kind: 'time-of-day'; column: ColumnPlan }
  | { kind: 'rate'; seconds: number };

/** Epoch values: milliseconds above this, seconds above EPOCH_S (both well after 1973). */
const EPOCH_MS = 1e11;
const EPOCH_S = 1e8;

/** An elapsed-time column whose first value is at most this is time from the start, not a time of day. */
const ELAPSED_START_MAX = 120;

function durationUnit(plan: ColumnPlan): DurationUnit {
  const name = plan.unit?.name;
  return name === 'min' || name === 'h' || name === 'ms' ? name : 's';
}

function numericKind(plan: ColumnPlan, first: string): TimePlan | undefined {
  if (first.includes(':')) return undefined;
  const v = parseNumber(first, plan.number);
  if (v !== v) return undefined;
  if (plan.unit?.name === 'epoch-ms' || (plan.unit?.dimension !== 'time' && v > EPOCH_MS)) return { kind: 'epoch', column: plan, msPerUnit: 1 };
  if (plan.unit?.name === 'epoch-s' || v > EPOCH_S) return { kind: 'epoch', column: plan, msPerUnit: v > EPOCH_MS ? 1 : 1000 };
  return { kind: 'elapsed', column: plan, unit: durationUnit(plan) };
}

export function decideTimePlan(head: readonly CsvRow[], layout: TableLayout, mapping: CsvMapping | undefined, sampleRate: number | undefined): TimePlan | undefined {
  const col = (field: CsvField): ColumnPlan | undefined => layout.columns.find((c) => c.field === field);
  const time = col('time');
  const elapsed = col('elapsed');
  const date = col('date');
  const timeOfDay = col('timeOfDay');
  const dateValues = date ? headValues(head, layout, date.index) : [];
  const orderOf = (values: string[], plan: ColumnPlan | undefined) => decideDateOrder(values, mapping?.dateOrder, slashMonthFirst(plan?.header, values));
  if (time) {
    const values = headValues(head, layout, time.index);
    const first = values[0];
    if (first !== undefined) {
      const numeric = numericKind(time, first);
      if (numeric) return numeric;
      const { order, assumed } = orderOf(values, time);
      if (parseDateTime(first, order)?.hasTime) return { kind: 'wall', column: time, order, assumedOrder: assumed };
      if (date && parseTimeOfDay(first) === parseTimeOfDay(first)) {
        const o = orderOf(dateValues, date);
        return { kind: 'date-time', date, time, order: o.order, assumedOrder: o.assumed };
      }
      const seconds = parseDuration(first, durationUnit(time), time.number.decimal);
      if (seconds === seconds) return seconds <= ELAPSED_START_MAX ? { kind: 'elapsed', column: time, unit: durationUnit(time) } : { kind: 'time-of-day', column: time };
    }
  }
  if (date && timeOfDay) {
    const o = orderOf(dateValues, date);
    return { kind: 'date-time', date, time: timeOfDay, order: o.order, assumedOrder: o.assumed };
  }
  if (elapsed) {
    const first = headValues(head, layout, elapsed.index, 1)[0];
    const numeric = first === undefined ? undefined : numericKind(elapsed, first);
    return numeric ?? { kind: 'elapsed', column: elapsed, unit: durationUnit(elapsed) };
  }
  if (date) {
    const { order, assumed } = orderOf(dateValues, date);
    if (dateValues[0] !== undefined && parseDateTime(dateValues[0], order)?.hasTime) return { kind: 'wall', column: date, order, assumedOrder: assumed };
  }
  const duration = col('duration');
  if (duration) return { kind: 'elapsed', column: duration, unit: durationUnit(duration) };
  if (timeOfDay) return { kind: 'time-of-day', column: timeOfDay };
  if (sampleRate !== undefined) return { kind: 'rate', seconds: sampleRate };
  return undefined;
}

/** Whether a plan's times are instants (a start is in every row) or relative to a start given elsewhere. */
export function isAbsolute(plan: TimePlan): boolean {
  return plan.kind === 'wall' || plan.kind === 'date-time' || plan.kind === 'epoch';
}
