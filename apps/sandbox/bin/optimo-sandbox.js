#!/usr/bin/env node
// Thin launcher so the bin exists before the first build; the program is dist/cli.js.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('optimo-sandbox: not built yet; run `pnpm install` (it builds) or `pnpm build` in the repository root\n');
  process.exit(2);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));
