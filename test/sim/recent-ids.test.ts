/** RecentIds: duplicate detection among the last `capacity` distinct ids, in fixed memory. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecentIds } from '../../src/sim/recent-ids.js';

/** The behaviour RecentIds must have, in the plainest terms: a Set whose oldest entry goes when it is full. */
class ReferenceRecentIds {
  readonly ids = new Set<number>();
  constructor(private readonly capacity: number) {}
  add(id: number): boolean {
    if (this.ids.has(id)) return false;
    if (this.ids.size === this.capacity) this.ids.delete(this.ids.values().next().value!);
    this.ids.add(id);
    return true;
  }
}

describe('RecentIds', () => {
  it('says whether an id is new exactly as a Set that forgets its oldest entry past capacity does', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.array(fc.integer({ min: 0, max: 80 }), { maxLength: 500, size: 'max' }), (capacity, ids) => {
        const recent = new RecentIds(capacity);
        const reference = new ReferenceRecentIds(capacity);
        for (const id of ids) expect(recent.add(id)).toBe(reference.add(id));
        expect(recent.size).toBe(reference.ids.size);
        for (let id = 0; id <= 80; id++) expect(recent.has(id)).toBe(reference.ids.has(id));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a repeated id until capacity newer ids have pushed it out', () => {
    // given ids 1..4 in a memory of 4
    const recent = new RecentIds(4);
    for (let id = 1; id <= 4; id++) expect(recent.add(id)).toBe(true);
    // then 1 is a duplicate, and stays one when refused (a refusal is not a newer id)
    expect(recent.add(1)).toBe(false);
    expect(recent.add(1)).toBe(false);
    // when a fifth id arrives, the oldest (1) is forgotten
    expect(recent.add(5)).toBe(true);
    expect(recent.add(1)).toBe(true);
    expect(recent.has(2)).toBe(false);
    expect(recent.size).toBe(4);
  });

  it('refuses a capacity below one, naming it', () => {
    expect(() => new RecentIds(0)).toThrow('capacity=0');
  });
});
