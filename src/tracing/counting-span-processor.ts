/**
 * The span processor an export pipeline registers: it counts every span
 * (export-stats.ts) and keeps the queue limit in front of the batch span
 * processor.
 */
import { TraceFlags } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import { globalErrorHandler } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { reporter } from '../diag';
import type { ExportStats } from './export-stats';

/**
 * Sits in front of a batch span processor and enforces its queue limit
 * itself, with the same number, so the processor never drops a span on its
 * own: its drop path counts nothing we can read, and it logs a warning each
 * time the queue recovers, which would break "one line per kind per
 * interval" while a collector is down.
 */
export class CountingSpanProcessor implements SpanProcessor {
  private closed = false;
  private dropping = false;
  private resourceSettling = false;

  /**
   * @param encodeOnEnd where the exporter encodes spans as they end
   *   (src/export/encoded-span.ts): the stand-in queued in the span's place
   */
  constructor(
    private readonly batch: SpanProcessor,
    private readonly stats: ExportStats,
    private readonly encodeOnEnd?: (span: ReadableSpan) => ReadableSpan,
  ) {}

  get isShutDown(): boolean {
    return this.closed;
  }

  onStart(span: Span, parentContext: Context): void {
    this.batch.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    // The batch processor exports sampled spans only; the others are not ours to count.
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.closed) {
      this.stats.endedAfterShutdown();
      return;
    }
    if (!this.stats.admit()) {
      // Reported once per episode of drops, and then at most once per interval.
      if (!this.dropping) {
        this.dropping = true;
        reporter.warn('queue full', `span queue full (OTEL_BSP_MAX_QUEUE_SIZE=${this.stats.maxQueueSize}): new spans are dropped, and counted, until the exporter catches up`);
      }
      return;
    }
    this.dropping = false;
    if (!this.resourceSettling) this.settleResource(span);
    this.batch.onEnd(this.encodeOnEnd === undefined ? span : this.encoded(span));
  }

  /** The span's stand-in; the span itself if it cannot be encoded now (the exporter's serializer then deals with it, and reports). */
  private encoded(span: ReadableSpan): ReadableSpan {
    try {
      return (this.encodeOnEnd as (span: ReadableSpan) => ReadableSpan)(span);
    } catch {
      return span;
    }
  }

  forceFlush(): Promise<void> {
    return this.batch.forceFlush();
  }

  shutdown(): Promise<void> {
    this.closed = true;
    // The batch processor empties its queue a few microtasks into its
    // shutdown. Emptying it now, synchronously, puts the spans in the
    // exporter's hands even when the app calls process.exit() in this very
    // tick (from its own signal handler), where the exit hand-off finds them.
    // The processor's own shutdown then finds its queue empty, so it must
    // wait for this flush, or it would end before the batch is sent.
    return this.batch.forceFlush().catch(globalErrorHandler).then(() => this.batch.shutdown());
  }

  /**
   * A resource with attributes still being detected (host.id is read
   * asynchronously) makes the batch processor wait for them before each
   * export, and only an export starts that wait. Starting it with the first
   * span means it has long settled when the process exits, where the
   * processor must hand its queue to the exporter synchronously.
   */
  private settleResource(span: ReadableSpan): void {
    this.resourceSettling = true;
    const resource = span.resource;
    if (resource.asyncAttributesPending) resource.waitForAsyncAttributes?.().catch(() => undefined);
  }
}
