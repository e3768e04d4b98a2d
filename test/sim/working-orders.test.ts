/** WorkingOrders: a session's working orders by ClOrdID, their objects reused once the orders are done. */
import { describe, expect, it } from 'vitest';
import type { ClientOrder, OrderOwner } from '../../src/sim/order-book.js';
import { WorkingOrders } from '../../src/sim/working-orders.js';

const owner: OrderOwner = { onOrderFill: () => {} };

function workingClOrdIds(orders: WorkingOrders): number[] {
  const ids: number[] = [];
  for (let index = 0; index < orders.size; index++) ids.push(orders.at(index).clOrdId);
  return ids.sort((a, b) => a - b);
}

describe('WorkingOrders', () => {
  it('finds an order by its ClOrdID until it is closed, and by its new one after a rename', () => {
    // given three open orders
    const orders = new WorkingOrders(owner);
    const [first, second, third] = [1, 2, 3].map((clOrdId) => orders.open(clOrdId)) as [ClientOrder, ClientOrder, ClientOrder];
    // when the first closes and the third is replaced under ClOrdID 30
    orders.close(first);
    orders.rename(third, 30);
    // then
    expect(orders.get(1)).toBeUndefined();
    expect(orders.get(2)).toBe(second);
    expect(orders.get(3)).toBeUndefined();
    expect(orders.get(30)).toBe(third);
    expect(third.clOrdId).toBe(30);
    expect(workingClOrdIds(orders)).toEqual([2, 30]);
  });

  it('reuses a closed order for the next one, blank but for its new ClOrdID', () => {
    // given an order that filled and closed
    const orders = new WorkingOrders(owner);
    const done = orders.open(7);
    done.orderQty = 5;
    done.cumQty = 5;
    done.priceTicks = 100;
    orders.close(done);
    // its fields stay readable until the next open: its last reports are written from it
    expect(done.cumQty).toBe(5);
    // when
    const next = orders.open(8);
    // then
    expect(next).toBe(done);
    expect(next.owner).toBe(owner);
    expect(next).toMatchObject({ clOrdId: 8, orderQty: 0, cumQty: 0, level: null, workingIndex: 0 });
    expect(Number.isNaN(next.priceTicks)).toBe(true);
    expect(orders.get(8)).toBe(next);
  });

  it('closes every order at once, all of them reusable', () => {
    const orders = new WorkingOrders(owner);
    const opened = new Set([1, 2, 3, 4].map((clOrdId) => orders.open(clOrdId)));
    orders.closeAll();
    expect(orders.size).toBe(0);
    expect(orders.get(3)).toBeUndefined();
    const reopened = new Set([5, 6, 7, 8].map((clOrdId) => orders.open(clOrdId)));
    expect(reopened).toEqual(opened);
  });
});
