/**
 * `pnpm chaos [flags]` — see chaos/README.md. The only place that exits the process: 0 every
 * invariant held, 1 one broke, 2 a usage error, 3 the run itself failed (could not start, hard
 * time limit, Ctrl-C). Every child process is killed on the way out, whatever the way.
 */
import { runCampaign } from './campaign.js';
import { killAll } from './children.js';
import { formatLoad, runLoad } from './load.js';
import { parseChaosArgs, resolveCampaignOptions, resolveLoadOptions, USAGE, UsageError } from './options.js';
import { formatCampaign } from './report.js';

async function main(args: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseChaosArgs(args);
    if (parsed.mode === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    // Resolved once here so that a bad flag is refused before anything starts.
    if (parsed.mode === 'campaign') parsed.campaign = resolveCampaignOptions(parsed.campaign);
    else parsed.load = resolveLoadOptions(parsed.load);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  const { mode, json } = parsed;
  const stop = new AbortController();
  let interrupted: string | undefined;
  const onSignal = (name: NodeJS.Signals): void => {
    if (interrupted !== undefined) {
      killAll();
      process.exit(130);
    }
    interrupted = name;
    process.stderr.write(`\n[chaos] ${name}: stopping every process (again to leave at once)\n`);
    stop.abort(new Error(`stopped by ${name}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const limitSeconds =
    mode === 'campaign'
      ? (parsed.campaign.seconds ?? 180) + (parsed.campaign.drainSeconds ?? 300) + 300
      : (parsed.load.seconds ?? 120) + 180;
  const hardLimit = setTimeout(() => {
    interrupted = 'the hard time limit';
    process.stderr.write(`\n[chaos] hard time limit of ${limitSeconds} s reached: stopping every process\n`);
    stop.abort(new Error('hard time limit'));
  }, limitSeconds * 1000);
  hardLimit.unref();
  const say = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  try {
    if (mode === 'campaign') {
      const report = await runCampaign(parsed.campaign, { signal: stop.signal, say });
      process.stdout.write(json ? `${JSON.stringify(report)}\n` : `${formatCampaign(report).join('\n')}\n`);
      return report.ok ? 0 : 1;
    }
    const report = await runLoad(parsed.load, { signal: stop.signal, say });
    process.stdout.write(json ? `${JSON.stringify(report)}\n` : `${formatLoad(report).join('\n')}\n`);
    return report.ok ? 0 : 1;
  } catch (error) {
    process.stderr.write(`[chaos] ${interrupted === undefined ? 'the run failed' : `stopped (${interrupted})`}: ${(error as Error).message}\n`);
    return 3;
  } finally {
    clearTimeout(hardLimit);
    killAll();
  }
}

process.on('exit', killAll);
process.exitCode = await main(process.argv.slice(2));
// Nothing of the run may keep the process alive (a stray timer or socket would).
setTimeout(() => process.exit(), 2000).unref();
