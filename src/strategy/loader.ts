/**
 * Loads strategy modules by path. TypeScript modules load without a build step: the gateway's
 * worker registers tsx's loader before it calls this (see src/gateway/worker-bootstrap.ts).
 *
 * Policy: every configured strategy must load, or the gateway refuses to start. A trading
 * gateway that silently runs without one of its strategies is worse than one that does not
 * start; `loadStrategies` checks every file and reports all the failures together, each naming
 * its file.
 */
import { basename, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { StrategyDefinition } from './strategy.js';
import { MESSAGE_HANDLER_TEMPLATES, isKnownHandlerName } from './handler-names.js';

export type OnStrategyError = 'stop' | 'restart';

/** One strategy as configured: where it is and how to run it. */
export interface StrategySpec {
  /** Path of the module (absolute, or relative to the process's working directory). */
  path: string;
  /** Overrides the definition's default parameters, key by key. */
  params?: Record<string, unknown>;
  /** What to do when a handler throws. Default 'stop'. */
  onError?: OnStrategyError;
  /** With onError 'restart': restarts allowed before the strategy is stopped for good. Default 3. */
  maxRestarts?: number;
}

export interface LoadedStrategy {
  name: string;
  path: string;
  definition: StrategyDefinition;
  params: Readonly<Record<string, unknown>>;
  onError: OnStrategyError;
  maxRestarts: number;
}

export const DEFAULT_MAX_RESTARTS = 3;

export class StrategyLoadError extends Error {
  override name = 'StrategyLoadError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

export async function loadStrategy(spec: StrategySpec): Promise<LoadedStrategy> {
  const path = resolve(spec.path);
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (error) {
    throw new StrategyLoadError(spec.path, `cannot be loaded: ${describeImportError(error)}`);
  }
  const definition = checkDefinition(spec.path, module.default);
  return {
    name: definition.name ?? basename(path, extname(path)),
    path: spec.path,
    definition,
    params: { ...(definition.params as Record<string, unknown> | undefined), ...spec.params },
    onError: spec.onError ?? 'stop',
    maxRestarts: spec.maxRestarts ?? DEFAULT_MAX_RESTARTS,
  };
}

/** Loads every spec; throws one error listing every file that failed. */
export async function loadStrategies(specs: readonly StrategySpec[]): Promise<LoadedStrategy[]> {
  const results = await Promise.allSettled(specs.map((spec) => loadStrategy(spec)));
  const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as Error] : []));
  if (failures.length > 0) {
    throw new Error(`cannot start: ${failures.map((failure) => failure.message).join('; ')}`);
  }
  return results.map((result) => (result as PromiseFulfilledResult<LoadedStrategy>).value);
}

function checkDefinition(path: string, exported: unknown): StrategyDefinition {
  if (exported === undefined) {
    throw new StrategyLoadError(path, 'has no default export (export default defineStrategy({...}))');
  }
  if (typeof exported !== 'object' || exported === null) {
    throw new StrategyLoadError(path, `default export is ${exported === null ? 'null' : typeof exported}, not a strategy (export default defineStrategy({...}))`);
  }
  for (const [key, value] of Object.entries(exported)) {
    if (!key.startsWith('on')) continue;
    if (!isKnownHandlerName(key)) {
      throw new StrategyLoadError(path, `${key} is not a strategy handler (on<MessageName> for ${[...MESSAGE_HANDLER_TEMPLATES.keys()].join(', ')}; or onStart, onStop, onBook, onGap, onExecutionReport, onReject, onTimer)`);
    }
    if (typeof value !== 'function') throw new StrategyLoadError(path, `${key} is ${typeof value}, not a function`);
  }
  const { name, timerIntervalMs, params } = exported as StrategyDefinition;
  if (name !== undefined && (typeof name !== 'string' || name === '')) throw new StrategyLoadError(path, 'name must be a non-empty string');
  if (params !== undefined && (typeof params !== 'object' || params === null)) throw new StrategyLoadError(path, 'params must be an object');
  if ('onTimer' in exported && !(typeof timerIntervalMs === 'number' && timerIntervalMs > 0)) {
    throw new StrategyLoadError(path, `onTimer needs timerIntervalMs > 0 (got ${String(timerIntervalMs)})`);
  }
  return exported as StrategyDefinition;
}

function describeImportError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // The module's own stack says where it threw; keep its first frame, not the loader's.
  const firstFrame = error.stack?.split('\n').find((line) => line.trimStart().startsWith('at '));
  return firstFrame === undefined ? error.message : `${error.message} (${firstFrame.trim()})`;
}
