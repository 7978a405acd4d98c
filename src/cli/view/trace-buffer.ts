/**
 * Holds spans by trace until the trace is complete: neither a span nor a log
 * line of it has arrived for the quiet interval. Log lines keep a trace
 * waiting only for LOG_WAIT_INTERVALS intervals after its last span, so a
 * trace whose app logs on and on (a long poll, a stream) still prints; a line
 * after that is a late one. Memory is bounded: past `maxSpans` spans or
 * `maxTraces` traces pending, the trace that has waited longest since its last
 * arrival is evicted (not printed) and counted.
 */
import type { ReceivedSpan } from '../../otlp/decode-protobuf';

export interface TraceBufferOptions {
  readonly quietMs: number;
  readonly maxSpans: number;
  readonly maxTraces: number;
}

export interface PendingTrace {
  readonly traceId: string;
  readonly spans: ReceivedSpan[];
  /** The last span or log line of the trace. */
  lastArrival: number;
  lastSpan: number;
}

/** How many quiet intervals after its last span a trace's log lines may keep it waiting. */
export const LOG_WAIT_INTERVALS = 10;

export interface EvictionCounts {
  traces: number;
  spans: number;
}

export class TraceBuffer {
  /** Map order is the order of each trace's latest arrival: the front is always the quietest trace. */
  private readonly traces = new Map<string, PendingTrace>();
  private spanCount = 0;
  readonly evicted: EvictionCounts = { traces: 0, spans: 0 };

  constructor(private readonly options: TraceBufferOptions) {}

  get pendingSpans(): number {
    return this.spanCount;
  }

  get pendingTraces(): number {
    return this.traces.size;
  }

  add(spans: readonly ReceivedSpan[], now: number): void {
    for (const span of spans) {
      let trace = this.traces.get(span.traceId);
      if (trace === undefined) {
        trace = { traceId: span.traceId, spans: [], lastArrival: now, lastSpan: now };
      } else {
        this.traces.delete(span.traceId);
      }
      trace.lastArrival = now;
      trace.lastSpan = now;
      trace.spans.push(span);
      this.traces.set(span.traceId, trace);
      this.spanCount++;
      this.enforceCaps();
    }
  }

  /**
   * A log line of `traceId` arrived: when the trace is pending, it waits a
   * quiet interval more (within LOG_WAIT_INTERVALS of its last span). True
   * when the trace is pending, so the line will be printed with it.
   */
  noteLog(traceId: string, now: number): boolean {
    const trace = this.traces.get(traceId);
    if (trace === undefined) return false;
    if (now - trace.lastSpan < LOG_WAIT_INTERVALS * this.options.quietMs && now > trace.lastArrival) {
      this.traces.delete(traceId);
      trace.lastArrival = now;
      this.traces.set(traceId, trace);
    }
    return true;
  }

  /** Removes and returns every trace that has been quiet for the interval, oldest first. */
  takeComplete(now: number): PendingTrace[] {
    const done: PendingTrace[] = [];
    for (const trace of this.traces.values()) {
      if (now - trace.lastArrival < this.options.quietMs) break;
      done.push(trace);
    }
    for (const trace of done) this.remove(trace);
    return done;
  }

  /** Removes and returns every pending trace (on shutdown). */
  takeAll(): PendingTrace[] {
    const all = [...this.traces.values()];
    for (const trace of all) this.remove(trace);
    return all;
  }

  /** The time at which the quietest trace completes, or undefined when none is pending. */
  nextDue(): number | undefined {
    const first = this.traces.values().next();
    return first.done ? undefined : first.value.lastArrival + this.options.quietMs;
  }

  private enforceCaps(): void {
    while (this.spanCount > this.options.maxSpans || this.traces.size > this.options.maxTraces) {
      const oldest = this.traces.values().next().value as PendingTrace;
      // A single trace larger than the whole cap: keep its newest spans rather than lose it all.
      if (this.traces.size === 1 && this.spanCount > this.options.maxSpans) {
        const drop = this.spanCount - this.options.maxSpans;
        oldest.spans.splice(0, drop);
        this.spanCount -= drop;
        this.evicted.spans += drop;
        return;
      }
      this.remove(oldest);
      this.evicted.traces++;
      this.evicted.spans += oldest.spans.length;
    }
  }

  private remove(trace: PendingTrace): void {
    this.traces.delete(trace.traceId);
    this.spanCount -= trace.spans.length;
  }
}
