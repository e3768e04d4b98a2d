/**
 * MBP book operations, table-driven: each row starts from a side, applies one MDUpdateAction
 * and states the side after it. Levels in the rows are 1-based as on the wire.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyAction } from '../../src/feed/book-builder.js';
import { PriceLevels } from '../../src/feed/book.js';
import { MDUpdateAction } from '../../src/generated/mdp3/index.js';

type Level = [price: number, quantity: number, orders: number];

/** Prices reach the book as the int64 mantissa in the message: here, at offset 0 of a small view. */
function priceView(price: number): DataView {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigInt64(0, BigInt(price), true);
  return view;
}

function side(levels: Level[], depth = 5): PriceLevels {
  const result = new PriceLevels(depth);
  levels.forEach(([price, quantity, orders], index) => result.set(index, priceView(price), 0, quantity, orders));
  return result;
}

function levelsOf(result: PriceLevels): Level[] {
  return Array.from({ length: result.levelCount }, (_, level) => [result.price(level), result.quantity(level), result.orderCount(level)]);
}

const START: Level[] = [
  [100, 10, 1],
  [99, 20, 2],
  [98, 30, 3],
];

interface Row {
  name: string;
  start: Level[];
  action: number;
  level: number;
  entry?: Level;
  applied: boolean;
  after: Level[];
  depth?: number;
}

const ROWS: Row[] = [
  { name: 'New at level 1 shifts every level down', start: START, action: MDUpdateAction.New, level: 1, entry: [101, 5, 1], applied: true,
    after: [[101, 5, 1], [100, 10, 1], [99, 20, 2], [98, 30, 3]] },
  { name: 'New in the middle shifts the levels below it', start: START, action: MDUpdateAction.New, level: 2, entry: [995, 5, 1], applied: true,
    after: [[100, 10, 1], [995, 5, 1], [99, 20, 2], [98, 30, 3]] },
  { name: 'New just below the deepest level appends', start: START, action: MDUpdateAction.New, level: 4, entry: [97, 1, 1], applied: true,
    after: [...START, [97, 1, 1]] },
  { name: 'New on a full book pushes the deepest level out', start: START, depth: 3, action: MDUpdateAction.New, level: 1, entry: [101, 5, 1], applied: true,
    after: [[101, 5, 1], [100, 10, 1], [99, 20, 2]] },
  { name: 'New beyond the depth is rejected', start: START, depth: 3, action: MDUpdateAction.New, level: 4, entry: [97, 1, 1], applied: false, after: START },
  { name: 'New leaving a hole is rejected', start: START, action: MDUpdateAction.New, level: 5, entry: [96, 1, 1], applied: false, after: START },
  { name: 'Change restates quantity and orders of the level', start: START, action: MDUpdateAction.Change, level: 2, entry: [99, 25, 3], applied: true,
    after: [[100, 10, 1], [99, 25, 3], [98, 30, 3]] },
  { name: 'Change of a level not in the book is rejected', start: START, action: MDUpdateAction.Change, level: 4, entry: [97, 1, 1], applied: false, after: START },
  { name: 'Delete removes the level and shifts the rest up', start: START, action: MDUpdateAction.Delete, level: 1, applied: true,
    after: [[99, 20, 2], [98, 30, 3]] },
  { name: 'Delete of the deepest level', start: START, action: MDUpdateAction.Delete, level: 3, applied: true, after: [[100, 10, 1], [99, 20, 2]] },
  { name: 'Delete of a level not in the book is rejected', start: [], action: MDUpdateAction.Delete, level: 1, applied: false, after: [] },
  { name: 'DeleteThru empties the side', start: START, action: MDUpdateAction.DeleteThru, level: 1, applied: true, after: [] },
  { name: 'DeleteFrom removes the top levels through the given one', start: START, action: MDUpdateAction.DeleteFrom, level: 2, applied: true,
    after: [[98, 30, 3]] },
  { name: 'DeleteFrom past the deepest level empties the side', start: START, action: MDUpdateAction.DeleteFrom, level: 5, applied: true, after: [] },
  { name: 'Overlay restates the level, price included', start: START, action: MDUpdateAction.Overlay, level: 1, entry: [1005, 7, 2], applied: true,
    after: [[1005, 7, 2], [99, 20, 2], [98, 30, 3]] },
  { name: 'an unknown action is rejected', start: START, action: 9, level: 1, entry: [1, 1, 1], applied: false, after: START },
];

describe('price level operations (MDUpdateAction on one side)', () => {
  it.each(ROWS)('$name', ({ start, action, level, entry = [0, 0, 0], applied, after, depth }) => {
    // given
    const levels = side(start, depth);
    // when
    const result = applyAction(levels, action, level - 1, priceView(entry[0]), 0, entry[1], entry[2]);
    // then
    expect(result).toBe(applied);
    expect(levelsOf(levels)).toEqual(after);
  });

  it('reads an empty level as NaN price and zero quantity', () => {
    const levels = side(START);
    expect([levels.price(3), levels.quantity(3), levels.orderCount(3)]).toEqual([Number.NaN, 0, 0]);
  });

  it('refuses a depth it cannot hold, naming the value', () => {
    expect(() => new PriceLevels(0)).toThrow('depth=0');
    expect(() => new PriceLevels(200)).toThrow('depth=200');
  });

  it('agrees with a plain-array model of the side over any sequence of actions, whatever the depth', () => {
    const ACTIONS = [MDUpdateAction.New, MDUpdateAction.Change, MDUpdateAction.Delete, MDUpdateAction.DeleteThru, MDUpdateAction.DeleteFrom, MDUpdateAction.Overlay];
    const step = fc.record({
      action: fc.constantFrom(...ACTIONS),
      level: fc.integer({ min: -1, max: 13 }),
      entry: fc.tuple(fc.integer({ min: -1e6, max: 1e6 }), fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 50 })),
    });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(step, { maxLength: 60 }), (depth, steps) => {
        const levels = new PriceLevels(depth);
        const model: Level[] = [];
        for (const { action, level, entry } of steps) {
          const expected = applyToModel(model, depth, action, level, entry);
          expect(applyAction(levels, action, level, priceView(entry[0]), 0, entry[1], entry[2])).toBe(expected);
          expect(levelsOf(levels)).toEqual(model);
        }
      }),
    );
  });
});

/** What each action does to a side, stated with Array#splice (0-based level); false when it cannot apply. */
function applyToModel(model: Level[], depth: number, action: number, level: number, entry: Level): boolean {
  const inBook = level >= 0 && level < model.length;
  switch (action) {
    case MDUpdateAction.New:
      if (level < 0 || level >= depth || level > model.length) return false;
      model.splice(level, 0, entry);
      model.length = Math.min(model.length, depth);
      return true;
    case MDUpdateAction.Change:
    case MDUpdateAction.Overlay:
      if (inBook) model[level] = entry;
      return inBook;
    case MDUpdateAction.Delete:
      if (inBook) model.splice(level, 1);
      return inBook;
    case MDUpdateAction.DeleteThru:
      model.length = 0;
      return true;
    case MDUpdateAction.DeleteFrom: {
      const removed = Math.min(level + 1, model.length);
      if (removed <= 0) return false;
      model.splice(0, removed);
      return true;
    }
    default:
      return false;
  }
}
