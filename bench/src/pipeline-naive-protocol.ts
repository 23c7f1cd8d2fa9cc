/** Messages between the bench and its naive import script (pipeline-naive-child.ts), over Node's IPC. */

export interface NaiveChildStart {
  type: 'start';
  paths: string[];
  endpoint: string;
  token: string;
  /** The sandbox's certificate, trusted besides the system's CAs. */
  certPem: string;
  athleteId: string;
}

export type NaiveChildReply =
  | {
      type: 'done';
      /** From reading the first file to the last upload's end. */
      seconds: number;
      readMs: number;
      parseMs: number;
      /** In `uploadWorkout`: mapping, HTTPS and the server's work. */
      uploadMs: number;
      cpuMs: number;
      /** RSS before the first file (modules loaded). */
      readyRssBytes: number;
      peakRssBytes: number;
      files: number;
      workouts: number;
      uploaded: number;
      requests: number;
      failures: string[];
    }
  | { type: 'failed'; message: string };
