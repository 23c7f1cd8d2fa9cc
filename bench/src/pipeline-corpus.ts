/**
 * The files the pipeline benchmark imports: every file of corpus/fit, tcx, gpx and perf (read in
 * place, never copied) that `parseFile` turns into at least one workout. A file whose bytes an
 * earlier one already holds is left out (the worker would make it the same job), and so is one
 * that gives no workout (it would only fail).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseFile } from '@optimo-import/parsers';
import { describeFailure } from './contender.js';

/** The corpus folders the pipeline reads, in this order (`bad/` is left out: it is there to fail). */
export const PIPELINE_FOLDERS = ['fit', 'tcx', 'gpx', 'perf'] as const;
/** `--quick`: the same without perf/, whose large files take most of a run. */
export const QUICK_PIPELINE_FOLDERS = ['fit', 'tcx', 'gpx'] as const;

export interface PipelineFile {
  /** `folder/name`. */
  label: string;
  path: string;
  fileName: string;
  bytes: Uint8Array;
  /** sha256 of the bytes, lowercase hex (the job's content hash). */
  hash: string;
  workouts: number;
  samples: number;
  /** Entries of a container that failed or were skipped beside the ones that gave workouts. */
  entriesLeftOut: number;
}

export interface PipelineCorpus {
  corpusDir: string;
  folders: readonly string[];
  files: PipelineFile[];
  bytes: number;
  workouts: number;
  samples: number;
  /** `perf/x.fit = fit/y.fit`: byte-for-byte copies, left out. */
  copies: string[];
  /** Files that give no workout, with the parser's reason. */
  unusable: string[];
  skipped: string[];
}

const isDocumentation = (name: string): boolean => name.toLowerCase().endsWith('.md');

export function collectPipelineCorpus(corpusDir: string, folders: readonly string[]): PipelineCorpus {
  const corpus: PipelineCorpus = { corpusDir, folders, files: [], bytes: 0, workouts: 0, samples: 0, copies: [], unusable: [], skipped: [] };
  if (!existsSync(corpusDir)) {
    corpus.skipped.push(`${corpusDir} not found: no corpus to import`);
    return corpus;
  }
  const seen = new Map<string, string>();
  for (const folder of folders) {
    const dir = join(corpusDir, folder);
    if (!existsSync(dir)) {
      corpus.skipped.push(`corpus/${folder} not found`);
      continue;
    }
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (isDocumentation(name) || !statSync(path).isFile()) continue;
      const label = `${folder}/${name}`;
      const bytes = new Uint8Array(readFileSync(path));
      const hash = createHash('sha256').update(bytes).digest('hex');
      const first = seen.get(hash);
      if (first !== undefined) {
        corpus.copies.push(`${label} = ${first}`);
        continue;
      }
      seen.set(hash, label);
      let workouts = 0;
      let samples = 0;
      let entriesLeftOut = 0;
      const reasons: string[] = [];
      try {
        for (const entry of parseFile(bytes, { fileName: name })) {
          if (entry.status !== 'ok') {
            entriesLeftOut++;
            reasons.push(entry.status === 'failed' ? entry.error.code : `skipped: ${entry.reason}`);
            continue;
          }
          workouts += entry.workouts.length;
          samples += entry.workouts.reduce((sum, w) => sum + w.samples.offsetSeconds.length, 0);
        }
      } catch (error) {
        reasons.push(describeFailure(error));
      }
      if (workouts === 0) {
        corpus.unusable.push(`${label} (${reasons.join(', ') || 'no workout'})`);
        continue;
      }
      corpus.files.push({ label, path, fileName: name, bytes, hash, workouts, samples, entriesLeftOut });
      corpus.bytes += bytes.length;
      corpus.workouts += workouts;
      corpus.samples += samples;
    }
  }
  return corpus;
}
