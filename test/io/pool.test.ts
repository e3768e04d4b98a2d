import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { BufferPool, NO_SLOT, SLOT_ALIGNMENT } from '../../src/io/pool.js';

const pools: BufferPool[] = [];
function createPool(...args: Parameters<typeof BufferPool.create>): BufferPool {
  const pool = BufferPool.create(...args);
  pools.push(pool);
  return pool;
}
afterEach(() => {
  for (const pool of pools.splice(0)) pool.destroy();
});

function freeHugePages(): number {
  const line = readFileSync('/proc/meminfo', 'utf8').split('\n').find((l) => l.startsWith('HugePages_Free:'));
  return line === undefined ? 0 : Number(line.split(/\s+/)[1]);
}

describe('BufferPool layout', () => {
  it('maps a page-aligned region and aligns every slot to a cache line', () => {
    // given a slot size that is not a multiple of 64
    const pool = createPool({ slotSize: 1500, slotCount: 10 });

    // then
    expect(pool.address % 4096n).toBe(0n);
    expect(pool.pageSize).toBe(4096);
    expect(pool.slotStride).toBe(1536);
    expect(pool.regionLength % 4096).toBe(0);
    expect(pool.regionLength).toBeGreaterThanOrEqual(pool.slotStride * 10);
    for (let slot = 0; slot < 10; slot++) {
      expect((pool.address + BigInt(pool.slotOffset(slot))) % BigInt(SLOT_ALIGNMENT)).toBe(0n);
    }
    expect(pool.bytes.byteLength).toBe(pool.regionLength);
  });

  it('gives slots disjoint memory through the one view', () => {
    const pool = createPool({ slotSize: 64, slotCount: 4 });
    for (let slot = 0; slot < 4; slot++) pool.bytes.fill(slot + 1, pool.slotOffset(slot), pool.slotOffset(slot) + 64);
    for (let slot = 0; slot < 4; slot++) {
      expect(pool.view.getUint8(pool.slotOffset(slot))).toBe(slot + 1);
      expect(pool.view.getUint8(pool.slotOffset(slot) + 63)).toBe(slot + 1);
    }
  });

  it('locks the region with mlock when asked', () => {
    const pool = createPool({ slotSize: 4096, slotCount: 4, locked: true });
    expect(pool.pageSize).toBe(4096);
  });

  it('falls back to 4 KiB pages with a reason when 2 MiB pages are not available', () => {
    // given
    const hugePagesAvailable = freeHugePages() > 0;

    // when
    const pool = createPool({ slotSize: 2048, slotCount: 16, hugePages: true });

    // then
    if (hugePagesAvailable) {
      expect(pool.pageSize).toBe(2 * 1024 * 1024);
      expect(pool.hugePageFallbackReason).toBeUndefined();
    } else {
      expect(pool.pageSize).toBe(4096);
      expect(pool.hugePageFallbackReason).toMatch(/^mmap MAP_HUGETLB: ENOMEM \(.+\).*; using 4 KiB pages$/);
    }
    expect(pool.address % BigInt(pool.pageSize)).toBe(0n);
  });

  it('does not report a fallback when huge pages were not asked for', () => {
    expect(createPool({ slotSize: 2048, slotCount: 16 }).hugePageFallbackReason).toBeUndefined();
  });

  it('rejects sizes it cannot honour, naming the value', () => {
    expect(() => BufferPool.create({ slotSize: 0, slotCount: 1 })).toThrow('slotSize=0');
    expect(() => BufferPool.create({ slotSize: 64, slotCount: 1.5 })).toThrow('slotCount=1.5');
  });
});

describe('BufferPool acquire/release', () => {
  it('hands out each slot once until it is released', () => {
    // given
    const pool = createPool({ slotSize: 128, slotCount: 3 });

    // when
    const acquired = [pool.acquire(), pool.acquire(), pool.acquire()];

    // then
    expect(new Set(acquired).size).toBe(3);
    expect(acquired.every((slot) => slot >= 0 && slot < 3)).toBe(true);
    expect(pool.inUseCount).toBe(3);
    pool.release(acquired[1]!);
    expect(pool.acquire()).toBe(acquired[1]);
  });

  it('rejects a double release and a foreign index', () => {
    const pool = createPool({ slotSize: 128, slotCount: 2 });
    const slot = pool.acquire();
    pool.release(slot);
    expect(() => pool.release(slot)).toThrow(`release of a slot that is not in use: slot=${slot}`);
    expect(() => pool.release(2)).toThrow('slot=2 (slotCount=2)');
    expect(() => pool.release(-1)).toThrow('slot=-1');
    expect(pool.availableCount).toBe(2);
  });

  it.each(['drop', 'backpressure'] as const)('counts exhaustion under the %s policy and recovers after a release', (policy) => {
    // given a full pool
    const pool = createPool({ slotSize: 64, slotCount: 2, exhaustionPolicy: policy });
    const first = pool.acquire();
    pool.acquire();

    // when
    const third = pool.acquire();
    const fourth = pool.acquire();

    // then
    expect(third).toBe(NO_SLOT);
    expect(fourth).toBe(NO_SLOT);
    expect(pool.exhaustedCount).toBe(2);
    expect(pool.exhaustionPolicy).toBe(policy);
    pool.release(first);
    expect(pool.acquire()).toBe(first);
    expect(pool.exhaustedCount).toBe(2);
  });

  it('keeps the free list consistent over a long random sequence', () => {
    const pool = createPool({ slotSize: 64, slotCount: 32 });
    const held = new Set<number>();
    let seed = 12345;
    for (let step = 0; step < 10_000; step++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      if (seed % 3 !== 0) {
        const slot = pool.acquire();
        if (held.size === 32) expect(slot).toBe(NO_SLOT);
        else {
          expect(held.has(slot)).toBe(false);
          held.add(slot);
        }
      } else if (held.size > 0) {
        const slot = [...held][seed % held.size]!;
        held.delete(slot);
        pool.release(slot);
      }
      expect(pool.inUseCount).toBe(held.size);
    }
  });

  it('lets another view of the region see the same bytes', () => {
    // given a second pool object attached from the first one's handle (as a worker would)
    const pool = createPool({ slotSize: 256, slotCount: 4 });
    const attached = BufferPool.attach(pool.handle());
    pool.view.setUint32(pool.slotOffset(3), 0xdeadbeef, true);

    // then
    expect(attached.view.getUint32(attached.slotOffset(3), true)).toBe(0xdeadbeef);
    attached.destroy();
    expect(pool.view.getUint32(pool.slotOffset(3), true)).toBe(0xdeadbeef);
  });
});
