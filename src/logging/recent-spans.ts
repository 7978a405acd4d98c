/**
 * A value computed for each of the last few spans, found by span identity.
 *
 * The log fields of a span are read on every log call in it, and a service
 * writes a few lines per request, each request in its own span. A WeakMap
 * keyed by span costs an insertion per request that outweighs computing the
 * fields again; a short ring of the most recent spans costs a few identity
 * comparisons, and still covers a request whose lines interleave with those
 * of up to `RECENT_SPANS - 1` other requests.
 */
import type { Span } from '@opentelemetry/api';

/** Eight: more concurrent requests logging in between than that, and a call recomputes (about a microsecond). */
export const RECENT_SPANS = 8;

export class RecentSpans<T> {
  private readonly spans: Array<Span | undefined> = new Array(RECENT_SPANS).fill(undefined);
  private readonly values: Array<T | undefined> = new Array(RECENT_SPANS).fill(undefined);
  private last = 0;

  /** The value kept for `span`, most recent first; `undefined` if it is not among the last few. */
  get(span: Span): T | undefined {
    for (let i = 0, slot = this.last; i < RECENT_SPANS; i++, slot = slot === 0 ? RECENT_SPANS - 1 : slot - 1) {
      if (this.spans[slot] === span) return this.values[slot];
    }
    return undefined;
  }

  /** Keeps `value` for `span`, in place of the oldest entry. */
  set(span: Span, value: T): void {
    this.last = this.last === RECENT_SPANS - 1 ? 0 : this.last + 1;
    this.spans[this.last] = span;
    this.values[this.last] = value;
  }
}
