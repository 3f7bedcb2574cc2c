import { describe, expect, it } from 'vitest';
import { MessageMemoryBudget } from './message-budget.js';

describe('MessageMemoryBudget', () => {
  it('refuses what would pass the limit, grows reservations, and releases each once', () => {
    const budget = new MessageMemoryBudget({ limitBytes: 100, collectWhenEmptied: false });
    const a = budget.tryReserve(60)!;
    expect(budget.tryReserve(41)).toBeNull();
    const b = budget.tryReserve(40)!;
    expect(budget.inUse).toBe(100);
    expect(b.grow(1)).toBe(false);
    a.release();
    a.release();
    expect(budget.inUse).toBe(40);
    expect(b.grow(60)).toBe(true);
    expect(b.bytes).toBe(100);
    b.release();
    expect(budget.inUse).toBe(0);
    expect(b.grow(1)).toBe(false);
  });
});
