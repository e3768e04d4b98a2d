/**
 * Starts the hot-path worker with tsx's loader registered in it, so that strategies written in
 * TypeScript load with a plain import() and no build step, and so that the worker itself runs
 * from src/ (tsx, vitest) as well as from dist/. A worker does not inherit the main thread's
 * module hooks, hence the small bootstrap evaluated as the worker's first module.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

function tsxApiUrl(): string {
  const tsxRoot = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  return pathToFileURL(join(tsxRoot, 'dist', 'esm', 'api', 'index.mjs')).href;
}

/** `entry`: the worker module's URL (.ts or .js). */
export function startWorkerWithTsx(entry: URL, workerData: unknown): Worker {
  const bootstrap = [
    `import { register } from ${JSON.stringify(tsxApiUrl())};`,
    'register();',
    `await import(${JSON.stringify(entry.href)});`,
  ].join('\n');
  return new Worker(bootstrap, { eval: true, workerData, name: 'zerotick-hot-path' });
}

/** The sibling module `name` of the calling module, with the caller's own extension (.ts from src/, .js from dist/). */
export function siblingModule(callerUrl: string, name: string): URL {
  const extension = callerUrl.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${extension}`, callerUrl);
}
