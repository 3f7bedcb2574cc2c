import { describe, expect, it } from 'vitest';
import { LoadGate } from './spooled-load.js';

describe('LoadGate', () => {
  it('admits in order within the bound, always one alone, and releases once', async () => {
    const gate = new LoadGate(100);
    const order: string[] = [];
    const big = await gate.acquire(250); // larger than the bound, but nothing else is held
    expect(gate.inUse).toBe(250);
    const a = gate.acquire(60).then((release) => (order.push('a'), release));
    const b = gate.acquire(60).then((release) => (order.push('b'), release));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(order).toEqual([]);
    big();
    big(); // a second call gives nothing back twice
    const releaseA = await a;
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(order).toEqual(['a']);
    expect(gate.inUse).toBe(60);
    releaseA();
    (await b)();
    expect(order).toEqual(['a', 'b']);
    expect(gate.inUse).toBe(0);
  });
});
