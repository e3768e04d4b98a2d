/** IntegerIndex: a Map<number, number> in typed arrays, checked against a JS Map under any mix of operations. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ABSENT, IntegerIndex } from '../../src/order/integer-index.js';

type Operation = { kind: 'set'; key: number; value: number } | { kind: 'delete'; key: number };

/** Keys from a small range collide and share probe runs often; large ones test both 32-bit halves. */
const key = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 64 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }) });
/** More sets than deletes, so the table fills, grows and holds long probe runs for the deletes to break. */
const operation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('set' as const), key, value: fc.integer({ min: 0, max: 2 ** 31 - 1 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), key }) },
);

describe('IntegerIndex', () => {
  it('answers get, has, delete and size as a Map does, through growth and backward-shift deletes', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 400, size: 'max' }), fc.array(key, { maxLength: 20 }), (operations, probes) => {
        // given a map that starts small enough to grow, and a reference Map
        const map = new IntegerIndex(2);
        const reference = new Map<number, number>();
        // when both take the same operations
        for (const op of operations) {
          if (op.kind === 'set') {
            map.set(op.key, op.value);
            reference.set(op.key, op.value);
          } else {
            expect(map.delete(op.key)).toBe(reference.delete(op.key));
          }
        }
        // then every key, present or not, reads the same
        expect(map.size).toBe(reference.size);
        for (const probe of [...reference.keys(), ...probes]) {
          expect(map.get(probe)).toBe(reference.get(probe) ?? ABSENT);
          expect(map.has(probe)).toBe(reference.has(probe));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps its capacity under steady add and delete churn', () => {
    // given a map holding 100 entries in 256 slots
    const map = new IntegerIndex(256);
    for (let id = 1; id <= 100; id++) map.set(id, id);
    // when a million more come and go, 100 at a time
    for (let id = 101; id <= 1_000_100; id++) {
      map.set(id, id);
      map.delete(id - 100);
    }
    // then it never had to grow, and finds what it holds
    expect(map.capacity).toBe(256);
    expect(map.size).toBe(100);
    expect(map.get(1_000_100)).toBe(1_000_100);
    expect(map.has(1_000_001)).toBe(true);
    expect(map.has(1_000_000)).toBe(false);
  });

  it('holds the entries it was sized for without growing, and doubles once half full', () => {
    // given an index sized for 1000 entries: 2048 slots, half of them usable
    const index = IntegerIndex.forEntries(1000);
    expect(index.capacity).toBe(2048);
    // when it takes 1024 entries, then one more
    for (let n = 0; n < 1024; n++) index.set(2 ** 33 + n * 7, n);
    expect(index.capacity).toBe(2048);
    index.set(-1, 1024);
    // then it doubled, and every entry moved with its value
    expect(index.capacity).toBe(4096);
    for (let n = 0; n < 1024; n++) expect(index.get(2 ** 33 + n * 7)).toBe(n);
    expect(index.get(-1)).toBe(1024);
  });

  it('forgets everything on clear', () => {
    const map = new IntegerIndex(4);
    map.set(1, 10);
    map.set(2 ** 40, 20);
    map.clear();
    expect(map.size).toBe(0);
    expect(map.get(1)).toBe(ABSENT);
    expect(map.has(2 ** 40)).toBe(false);
  });

  it('refuses a capacity that is not a power of two, naming it', () => {
    expect(() => new IntegerIndex(100)).toThrow('capacity=100');
  });
});
