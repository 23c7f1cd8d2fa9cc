export { parseWorkout, parseFile, detectFormat, parserFor, supportedFormats, sha256Hex, PARSERS } from './registry.js';
export type { EntryResult } from './registry.js';
export { ParseError, isParseError } from './errors.js';
export type { ParseErrorCode, ParseErrorInit } from './errors.js';
export type { FormatParser, ParseContext, ParseLimits, ParseOptions } from './types.js';
export { DEFAULT_LIMITS } from './types.js';
export { containerKind, unsafeNameReason } from './containers.js';
export type { ContainerKind, ContainerEntry } from './containers.js';
export { isValidTimeZone, offsetMinutesAt, localToUtc, parseIsoDateTime, toUtc } from './time.js';
