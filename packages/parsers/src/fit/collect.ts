/**
 * The sink of the record walk: keeps the messages an activity import needs, per FIT unit
 * (file_id, device, sessions, laps, timer events, lengths, developer field descriptions),
 * records in typed columns and hr messages as a time series. Unknown messages cost one switch.
 */
import type { WarningCollector } from '@optimo-import/workout';
import { walkFit } from './decoder.js';
import type { FitSink, WalkResult } from './decoder.js';
import { BaseType, readFields, readNumber, readString, stringField } from './fields.js';
import type { FieldTable, MessageDef } from './fields.js';
import { addHrMessage, createHrSeries, mergeHeartRates, sortHrSeries } from './hr.js';
import type { HrSeries } from './hr.js';
import {
  ACTIVITY,
  DEVICE_INFO,
  EVENT,
  EVENT_TIMER,
  FIELD_DESCRIPTION,
  FIELD_DESCRIPTION_NAME,
  FIELD_DESCRIPTION_UNITS,
  FILE_CREATOR,
  FILE_ID,
  FILE_ID_PRODUCT_NAME,
  LAP,
  LENGTH,
  Mesg,
  SESSION,
  SPORT,
} from './profile.js';
import { Col, createRecordStore } from './record-store.js';
import type { DevDescription, RecordStore } from './record-store.js';
import { appendRecord as appendRecordImport } from './records.js';

type ValuesOf<T> = T extends FieldTable<infer K> ? Partial<Record<K, number>> : never;

export type FileIdValues = ValuesOf<typeof FILE_ID> & { productName?: string };
export type DeviceInfoValues = ValuesOf<typeof DEVICE_INFO>;
export type ActivityValues = ValuesOf<typeof ACTIVITY>;
export type EventValues = ValuesOf<typeof EVENT>;
export type LengthValues = ValuesOf<typeof LENGTH>;
export type LapValues = ValuesOf<typeof LAP> & { dev?: DevValue[] };
export type SessionValues = ValuesOf<typeof SESSION> & { dev?: DevValue[] };
export type SportValues = ValuesOf<typeof SPORT>;

/** A developer field value found on a session or lap. */
export interface DevValue {
  description: DevDescription;
  value: number | string;
}

export interface FitUnit {
  index: number;
  fileId?: FileIdValues;
  creatorSoftware?: number;
  /** device_info of device_index 0 (the creator), first seen. */
  creator?: DeviceInfoValues;
  sport?: SportValues;
  activity?: ActivityValues;
  sessions: SessionValues[];
  laps: LapValues[];
  /** Timer events only (start/stop), in file order. */
  timerEvents: EventValues[];
  lengths: LengthValues[];
  /** Record rows [recordFrom, recordTo) belong to this unit. */
  recordFrom: number;
  recordTo: number;
  /** Records that received HR from hr messages. */
  hrMerged: number;
  descriptions: Map<number, DevDescription>;
}

export interface FitData {
  units: FitUnit[];
  records: RecordStore;
  hr: HrSeries;
  walk: WalkResult;
}

/** Held in constants: see the note in records.ts on getter-per-access loaders. */
const appendRecord = appendRecordImport;
const RECORD = Mesg.record;
const HR = Mesg.hr;

/** Caps on message lists, so a hostile file cannot allocate without bound. */
const MAX_LIST = 100_000;

function newUnit(index: number, records: RecordStore): FitUnit {
  // Every field present from the start (undefined until seen): one stable object shape, so
  // optimized code never depends on a transition map that dies with the previous file.
  return {
    index,
    fileId: undefined,
    creatorSoftware: undefined,
    creator: undefined,
    sport: undefined,
    activity: undefined,
    sessions: [],
    laps: [],
    timerEvents: [],
    lengths: [],
    recordFrom: records.length,
    recordTo: records.length,
    hrMerged: 0,
    descriptions: new Map(),
  };
}

/** Per-file state of the collecting sink. */
interface CollectState {
  view: DataView;
  bytes: Uint8Array;
  records: RecordStore;
  hr: HrSeries;
  units: FitUnit[];
  unit: FitUnit;
  listsFull: boolean;
  lookup: (devIndex: number, num: number) => DevDescription | undefined;
}

function keep<T>(state: CollectState, list: T[], item: T): void {
  if (list.length < MAX_LIST) list.push(item);
  else state.listsFull = true;
}

function withTime<T extends { timestamp?: number }>(values: T, ts: number): T {
  if (values.timestamp === undefined && ts === ts) values.timestamp = ts;
  return values;
}

function beginUnit(state: CollectState, index: number): void {
  state.unit = newUnit(index, state.records);
  state.records.unitStart = state.records.length;
  state.units.push(state.unit);
}

function collectMessage(state: CollectState, def: MessageDef, start: number, ts: number): void {
  const { view, bytes, unit } = state;
  switch (def.global) {
    case RECORD:
      appendRecord(state.records, view, bytes, def, start, ts, unit.index, state.lookup);
      unit.recordTo = state.records.length;
      break;
    case HR:
      addHrMessage(state.hr, view, bytes, def, start, ts);
      break;
    case Mesg.event: {
      const e = readFields(view, def, start, EVENT);
      if (e.event === EVENT_TIMER) keep(state, unit.timerEvents, withTime(e, ts));
      break;
    }
    case Mesg.lap:
      keep(state, unit.laps, withDev(withTime(readFields(view, def, start, LAP), ts), view, bytes, def, start, state.lookup));
      break;
    case Mesg.session:
      keep(state, unit.sessions, withDev(withTime(readFields(view, def, start, SESSION), ts), view, bytes, def, start, state.lookup));
      break;
    case Mesg.length:
      keep(state, unit.lengths, withTime(readFields(view, def, start, LENGTH), ts));
      break;
    case Mesg.fileId:
      if (!unit.fileId) {
        const productName = stringField(bytes, def, start, FILE_ID_PRODUCT_NAME);
        unit.fileId = { ...readFields(view, def, start, FILE_ID), ...(productName ? { productName } : {}) };
      }
      break;
    case Mesg.fileCreator:
      unit.creatorSoftware ??= readFields(view, def, start, FILE_CREATOR).softwareVersion;
      break;
    case Mesg.deviceInfo: {
      if (unit.creator) break;
      const d = readFields(view, def, start, DEVICE_INFO);
      if (d.deviceIndex === 0) unit.creator = d;
      break;
    }
    case Mesg.sport:
      unit.sport ??= readFields(view, def, start, SPORT);
      break;
    case Mesg.activity:
      unit.activity ??= withTime(readFields(view, def, start, ACTIVITY), ts);
      break;
    case Mesg.fieldDescription:
      addDescription(unit, view, bytes, def, start);
      break;
    default:
      break;
  }
}

const COLLECT_SINK: FitSink<CollectState> = { beginUnit, message: collectMessage };

/** Decodes the file into per-unit message data and record columns. */
export function collectFit(bytes: Uint8Array, warnings: WarningCollector, maxSamples: number): FitData {
  const records = createRecordStore(maxSamples, bytes.length);
  const state: CollectState = {
    view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    bytes,
    records,
    // Beats plus the 250 ms steps carried over gaps: a few values per record at most.
    hr: createHrSeries(maxSamples * 4),
    units: [],
    unit: newUnit(0, records),
    listsFull: false,
    // Called only when a record definition is compiled (once per definition), never per record.
    lookup: (devIndex, num) => state.unit.descriptions.get((devIndex << 8) | num),
  };
  const walk = walkFit(bytes, COLLECT_SINK, state, warnings);
  const { units, hr } = state;

  // hr messages may sit in a later chained unit than the records (FR920XT + HRM-Tri appends
  // them as extra units), so the whole series is merged into every unit's records.
  if (hr.length > 0) sortHrSeries(hr);
  for (const u of units) {
    if (hr.length > 0 && u.recordTo > u.recordFrom) {
      const heart = records.columns[Col.heartRate] ?? new Float64Array(records.capacity).fill(NaN);
      u.hrMerged = mergeHeartRates(hr, 0, hr.length, records.time, heart, u.recordFrom, u.recordTo);
      if (u.hrMerged > 0) {
        records.columns[Col.heartRate] = heart;
        let present = 0;
        for (let r = 0; r < records.length; r++) if (heart[r] === heart[r]) present++;
        records.present[Col.heartRate] = present;
      }
    }
  }
  reportCollection(records, hr, state.listsFull, warnings);
  return { units, records, hr, walk };
}

function reportCollection(records: RecordStore, hr: HrSeries, listsFull: boolean, warnings: WarningCollector): void {
  if (records.dropped > 0) warnings.add('too-many-samples', `records past the limit of ${records.max} were not kept`, records.dropped);
  if (records.conflicts > 0) {
    warnings.add('duplicate-time', `records sharing a timestamp were merged; ${records.conflicts} differing values of the later ones were dropped`, records.merged);
  }
  if (records.withoutTime > 0) warnings.add('sample-without-time', 'records without a timestamp were skipped', records.withoutTime);
  if (records.undescribedDevFields > 0) {
    warnings.add('developer-field-undescribed', 'developer fields without a field_description were skipped', records.undescribedDevFields);
  }
  if (records.devColumnsDropped > 0) warnings.add('developer-fields-dropped', 'developer fields past the first 32 were not kept', records.devColumnsDropped);
  if (hr.unusable > 0) warnings.add('hr-message-unusable', 'hr messages that could not be placed in time were skipped', hr.unusable);
  if (hr.dropped > 0) warnings.add('too-many-samples', 'hr values past the limit were not kept', hr.dropped);
  if (listsFull) warnings.add('too-many-messages', `message lists were capped at ${MAX_LIST} entries`);
}

function addDescription(unit: FitUnit, view: DataView, bytes: Uint8Array, def: MessageDef, start: number): void {
  const d = readFields(view, def, start, FIELD_DESCRIPTION);
  if (d.developerDataIndex === undefined || d.fieldDefinitionNumber === undefined || unit.descriptions.size >= 4096) return;
  const baseType = d.fitBaseTypeId === undefined ? BaseType.byte : d.fitBaseTypeId & 0x1f;
  const name = stringField(bytes, def, start, FIELD_DESCRIPTION_NAME) || `field ${d.developerDataIndex}.${d.fieldDefinitionNumber}`;
  unit.descriptions.set((d.developerDataIndex << 8) | d.fieldDefinitionNumber, {
    devIndex: d.developerDataIndex,
    num: d.fieldDefinitionNumber,
    name: name.slice(0, 64),
    units: stringField(bytes, def, start, FIELD_DESCRIPTION_UNITS).slice(0, 32),
    baseType: baseType > 16 ? BaseType.byte : baseType,
    scale: d.scale !== undefined && d.scale > 0 ? d.scale : 1,
    offset: d.offset ?? 0,
  });
}

/** Developer values of a session or lap message (few messages: read directly). */
function withDev<T extends object>(
  input: T,
  view: DataView,
  bytes: Uint8Array,
  def: MessageDef,
  start: number,
  lookup: (devIndex: number, num: number) => DevDescription | undefined,
): T & { dev?: DevValue[] } {
  const values: T & { dev?: DevValue[] } = input;
  for (const f of def.devFields) {
    const description = lookup(f.devIndex, f.num);
    if (!description) continue;
    let value: number | string;
    if (description.baseType === BaseType.string) {
      value = readString(bytes, start + f.offset, f.size).slice(0, 200);
      if (!value) continue;
    } else {
      const raw = readNumber(view, start + f.offset, f.size, description.baseType, def.little);
      if (raw !== raw) continue;
      value = raw / description.scale - description.offset;
    }
    (values.dev ??= []).push({ description, value });
  }
  return values;
}
