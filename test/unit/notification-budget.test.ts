import { describe, expect, it } from 'vitest';
import { NotificationBudget } from '../../src/actors/notification-budget.js';

describe('NotificationBudget', () => {
  it('lets a burst through, then the sustained rate, and counts what it drops', () => {
    const budget = new NotificationBudget({ perSecond: 10, burst: 5 }, 0);
    const passed = Array.from({ length: 8 }, () => budget.take(0)).filter(Boolean).length;
    expect(passed).toBe(5);
    expect(budget.dropped).toBe(3);
    expect(budget.take(100)).toBe(true); // 100 ms at 10/s refills one
    expect(budget.take(100)).toBe(false);
  });

  it('passes a flood at no more than the rate over time', () => {
    const budget = new NotificationBudget({ perSecond: 100, burst: 200 }, 0);
    let passed = 0;
    for (let ms = 0; ms < 10_000; ms += 1) for (let sent = 0; sent < 50; sent += 1) if (budget.take(ms)) passed += 1;
    expect(passed).toBeLessThanOrEqual(200 + 100 * 10);
    expect(passed).toBeGreaterThanOrEqual(100 * 10);
  });

  it('never refills past the burst after a quiet hour', () => {
    const budget = new NotificationBudget({ perSecond: 100, burst: 3 }, 0);
    const passed = Array.from({ length: 10 }, () => budget.take(3_600_000)).filter(Boolean).length;
    expect(passed).toBe(3);
  });
});
