import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NO_RECORD, OrderTable, RecordKind } from '../../src/order/order-table.js';

describe('OrderTable', () => {
  it('finds exactly the live ClOrdIDs after any sequence of inserts and removals', () => {
    const operation = fc.oneof(
      fc.record({ insert: fc.integer({ min: 1, max: 2 ** 40 }) }),
      fc.record({ removeIndex: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 16 }), fc.array(operation, { maxLength: 200 }), (capacity, operations) => {
        // given a table and a Map as the model
        const table = new OrderTable(capacity);
        const model = new Map<number, number>();
        for (const op of operations) {
          // when
          if ('insert' in op) {
            if (model.has(op.insert)) continue;
            const record = table.insert(op.insert, RecordKind.Order, 0);
            if (model.size === capacity) {
              expect(record).toBe(NO_RECORD);
              continue;
            }
            expect(record).not.toBe(NO_RECORD);
            model.set(op.insert, record);
          } else if (model.size > 0) {
            const key = [...model.keys()][op.removeIndex % model.size]!;
            table.remove(model.get(key)!);
            model.delete(key);
          }
          // then every live key maps to its record, and removed keys are gone
          expect(table.size).toBe(model.size);
          for (const [key, record] of model) expect(table.find(key)).toBe(record);
        }
        for (const op of operations) if ('insert' in op && !model.has(op.insert)) expect(table.find(op.insert)).toBe(NO_RECORD);
      }),
    );
  });

  it('finds the live ClOrdIDs of a sliding window of sequential ones, oldest removed first, across many index wraps', () => {
    // given a full window of consecutive ClOrdIDs, as the order router hands them out
    const window = 1000;
    const table = new OrderTable(window);
    const records = new Int32Array(window);
    for (let id = 1; id <= window; id++) records[id % window] = table.insert(id, RecordKind.Order, 0);
    // when each new order replaces the oldest, for 20 times the index length
    for (let id = window + 1; id <= 50 * window; id++) {
      table.remove(records[id % window]!);
      records[id % window] = table.insert(id, RecordKind.Order, 0);
    }
    // then exactly the last window is found, at its records
    const last = 50 * window;
    for (let id = last - window + 1; id <= last; id++) expect(table.find(id)).toBe(records[id % window]);
    expect(table.find(last - window)).toBe(NO_RECORD);
    expect(table.size).toBe(window);
  });

  it('keeps a record number stable while other records come and go', () => {
    const table = new OrderTable(4);
    const kept = table.insert(7, RecordKind.Order, 3);
    table.securityId[kept] = 12345;
    for (let id = 8; id < 100; id++) table.remove(table.insert(id, RecordKind.CancelRequest, 0));

    expect(table.find(7)).toBe(kept);
    expect([table.securityId[kept], table.strategy[kept], table.kind[kept]]).toEqual([12345, 3, RecordKind.Order]);
  });

  it('refuses to remove a record that is not in use', () => {
    const table = new OrderTable(2);
    expect(() => table.remove(1)).toThrow('order table: record 1 is not in use');
  });
});
