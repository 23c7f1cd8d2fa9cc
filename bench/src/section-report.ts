import type { MachineInfo } from './machine.js';
import { formatMachine } from './machine.js';
import type { BenchOptions } from './options.js';

/** The first line of a section's block: when, how long, on what, and how loaded the machine was. */
export function formatSectionRunLine(section: string, startedAt: string, durationSeconds: number, machine: MachineInfo, options: BenchOptions, how: string): string {
  const kind = options.quick ? 'a `--quick` run' : options.filter ? `a run filtered to "${options.filter}"` : 'a full run';
  const only = options.sections.length === 1 ? ` --only ${section}` : '';
  const when = startedAt.replace('T', ' ').replace(/:\d\d\.\d+Z$/, ' UTC');
  return `_Written by \`pnpm bench${only}\` (${kind}) on ${when}, measuring for ${Math.round(durationSeconds)} s: ${formatMachine(machine)}; ${how}._`;
}

/** The load caveat next to the figures: other work shares the cores. */
export function formatLoadCaveat(machine: MachineInfo): string {
  const load = machine.loadAtEnd === undefined ? `${machine.loadAtStart}` : `${machine.loadAtStart} at the start and ${machine.loadAtEnd} at the end`;
  const busy = Math.max(machine.loadAtStart, machine.loadAtEnd ?? 0) >= machine.cores;
  return `> **Load:** other work runs on this machine's ${machine.cores} cores during the run (load average ${load}${busy ? ', at or above the core count' : ''}). The figures are what this machine gave at that moment: expect them to move by tens of percent between runs, and compare figures of one run with each other rather than with another run's.`;
}
