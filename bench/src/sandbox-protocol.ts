/** Messages between the bench and its sandbox server process (sandbox-child.ts), over Node's IPC. */

/** The child's one argument, as JSON. */
export interface SandboxChildStart {
  quota: number;
  timeZone: string;
}

export type SandboxChildRequest = { type: 'usage'; id: number } | { type: 'close' };

export type SandboxChildReply =
  | { type: 'ready'; url: string; certPem: string; token: string; account: string; timeZone: string; quota: number; pid: number }
  | { type: 'failed'; message: string }
  /** CPU time (user + system) the server process has used since it started, and its RSS. */
  | { type: 'usage'; id: number; cpuMicros: number; rssBytes: number };
