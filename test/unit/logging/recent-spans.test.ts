import { trace } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import { RECENT_SPANS, RecentSpans } from '../../../src/logging/recent-spans';

function spans(count: number): Span[] {
  return Array.from({ length: count }, (_, i) =>
    trace.wrapSpanContext({ traceId: '0dadb33fee15470abfc85e35926793a5', spanId: (i + 1).toString(16).padStart(16, '0'), traceFlags: 1 }),
  );
}

describe('RecentSpans', () => {
  test('a span kept is found by identity, an unknown one is not', () => {
    const [kept, other] = spans(2);
    const recent = new RecentSpans<string>();
    recent.set(kept, 'fields');
    expect(recent.get(kept)).toBe('fields');
    expect(recent.get(other)).toBeUndefined();
  });

  test(`the last ${RECENT_SPANS} spans are kept, whatever the order they are read in`, () => {
    const all = spans(RECENT_SPANS);
    const recent = new RecentSpans<number>();
    all.forEach((span, i) => recent.set(span, i));
    expect([...all].reverse().map(span => recent.get(span))).toEqual([...all.keys()].reverse());
  });

  test('one more span pushes out the oldest only', () => {
    const all = spans(RECENT_SPANS + 1);
    const recent = new RecentSpans<number>();
    all.forEach((span, i) => recent.set(span, i));
    expect(recent.get(all[0])).toBeUndefined();
    expect(recent.get(all[1])).toBe(1);
    expect(recent.get(all[RECENT_SPANS])).toBe(RECENT_SPANS);
  });
});
