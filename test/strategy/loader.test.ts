import { describe, expect, it } from 'vitest';
import { StrategyLoadError, loadStrategies, loadStrategy } from '../../src/strategy/loader.js';

const fixture = (name: string): string => `test/strategy/fixtures/${name}.ts`;

describe('loadStrategy', () => {
  it('loads a TypeScript module by path, names it after its file, overlays params', async () => {
    const strategy = await loadStrategy({ path: fixture('good'), params: { spread: 5 }, onError: 'restart' });
    expect(strategy.name).toBe('good');
    expect(strategy.params).toEqual({ size: 1, spread: 5 });
    expect(strategy.onError).toBe('restart');
    expect(typeof strategy.definition.onBook).toBe('function');
  });

  it.each([
    ['no-default', 'test/strategy/fixtures/no-default.ts: has no default export (export default defineStrategy({...}))'],
    ['not-an-object', 'test/strategy/fixtures/not-an-object.ts: default export is number, not a strategy'],
    ['misspelt-handler', 'test/strategy/fixtures/misspelt-handler.ts: onBookUpdate is not a strategy handler'],
    ['timer-without-interval', 'test/strategy/fixtures/timer-without-interval.ts: onTimer needs timerIntervalMs > 0'],
    ['throws-on-import', 'test/strategy/fixtures/throws-on-import.ts: cannot be loaded: cannot initialise: missing API key'],
    ['syntax-error', 'test/strategy/fixtures/syntax-error.ts: cannot be loaded'],
    ['does-not-exist', 'test/strategy/fixtures/does-not-exist.ts: cannot be loaded'],
  ])('rejects %s with a message naming the file', async (name, message) => {
    const error = await loadStrategy({ path: fixture(name) }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StrategyLoadError);
    expect((error as Error).message).toContain(message);
  });

  it('refuses to start when any strategy fails, listing every failing file', async () => {
    const error = (await loadStrategies([{ path: fixture('good') }, { path: fixture('no-default') }, { path: fixture('throws-on-import') }]).catch(
      (caught: unknown) => caught,
    )) as Error;
    expect(error.message).toMatch(/^cannot start: /);
    expect(error.message).toContain('no-default.ts: has no default export');
    expect(error.message).toContain('throws-on-import.ts: cannot be loaded');
    expect(error.message).not.toContain('good.ts');
  });
});
