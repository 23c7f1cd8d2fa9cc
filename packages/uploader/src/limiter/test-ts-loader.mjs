/**
 * Lets a child process of the tests run the limiter's TypeScript sources without a build:
 * `node --import ./test-ts-loader.mjs file.ts`. Registers itself as a module hook that resolves
 * workspace packages to their sources (the `source` condition, as vitest does), maps `./x.js` to
 * `./x.ts`, and strips types with the workspace's TypeScript.
 */
import { readFile } from 'node:fs/promises';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

if (isMainThread) register(import.meta.url);

let typescript;

export async function resolve(specifier, context, next) {
  const conditions = [...(context.conditions ?? []), 'source'];
  try {
    return await next(specifier, { ...context, conditions });
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND' && specifier.startsWith('.') && specifier.endsWith('.js')) {
      return next(`${specifier.slice(0, -3)}.ts`, { ...context, conditions });
    }
    throw error;
  }
}

export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
  typescript ??= (await import('typescript')).default;
  const source = await readFile(new URL(url), 'utf8');
  const { outputText } = typescript.transpileModule(source, {
    fileName: url,
    compilerOptions: { module: typescript.ModuleKind.ESNext, target: typescript.ScriptTarget.ES2022, verbatimModuleSyntax: true },
  });
  return { format: 'module', source: outputText, shortCircuit: true };
}
