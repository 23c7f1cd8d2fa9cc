export { main } from './cli.js';
export type { CliIo } from './cli.js';
export { inspectPaths, recordOf } from './inspect.js';
export type { InspectOptions, InspectRecord, InspectSummary, WorkoutRecord } from './inspect.js';
export { collectFiles } from './files.js';
export type { FoundFile } from './files.js';
