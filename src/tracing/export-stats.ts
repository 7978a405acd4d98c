/**
 * Span accounting for an export pipeline (a batch span processor and its
 * exporter), so that "where did my spans go" has an answer while the
 * collector misbehaves and when the process ends:
 *
 *   created = exported + dropped + unsent
 *
 * - created: sampled spans that ended and were offered to the pipeline;
 * - exported: the exporter reported success;
 * - dropped: the queue was full (OTEL_BSP_MAX_QUEUE_SIZE), the export failed
 *   (refused, reset, timed out, retries used up, a 4xx/5xx answer), or the
 *   span ended after shutdown began;
 * - unsent: still queued, or handed to the exporter with no answer yet.
 *
 * The cost on the request path is one flag test and two counter updates per
 * span.
 */
import { TraceFlags, context } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import { ExportResultCode, globalErrorHandler, suppressTracing } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { reporter } from '../diag';

export interface ExportStatsSnapshot {
  readonly created: number;
  readonly exported: number;
  /** The sum of the three reasons below. */
  readonly dropped: number;
  readonly droppedQueueFull: number;
  readonly droppedExportFailed: number;
  readonly droppedAfterShutdown: number;
  /** Waiting in the queue for the next batch. */
  readonly queued: number;
  /** Handed to the exporter, no answer yet. */
  readonly inFlight: number;
  /** The most spans the queue ever held: never more than `maxQueueSize`. */
  readonly peakQueued: number;
  readonly maxQueueSize: number;
}

/** The counters of one pipeline. Only the two wrappers below change them. */
export class ExportStats {
  private created = 0;
  private exported = 0;
  private droppedQueueFull = 0;
  private droppedExportFailed = 0;
  private droppedAfterShutdown = 0;
  private queued = 0;
  private inFlight = 0;
  private peakQueued = 0;

  constructor(readonly maxQueueSize: number) {}

  /** A sampled span ended: true when it may join the queue, false when the queue is full and it is dropped. */
  admit(): boolean {
    this.created++;
    if (this.queued >= this.maxQueueSize) {
      this.droppedQueueFull++;
      return false;
    }
    if (++this.queued > this.peakQueued) this.peakQueued = this.queued;
    return true;
  }

  /** A sampled span ended after shutdown began: the batch processor would ignore it. */
  endedAfterShutdown(): void {
    this.created++;
    this.droppedAfterShutdown++;
  }

  /** The batch processor took `count` spans off its queue and handed them to the exporter. */
  taken(count: number): void {
    this.queued -= count;
    this.inFlight += count;
  }

  /** The exporter answered for `count` spans. */
  settled(count: number, exported: boolean): void {
    this.inFlight -= count;
    if (exported) this.exported += count;
    else this.droppedExportFailed += count;
  }

  snapshot(): ExportStatsSnapshot {
    return {
      created: this.created,
      exported: this.exported,
      dropped: this.droppedQueueFull + this.droppedExportFailed + this.droppedAfterShutdown,
      droppedQueueFull: this.droppedQueueFull,
      droppedExportFailed: this.droppedExportFailed,
      droppedAfterShutdown: this.droppedAfterShutdown,
      queued: this.queued,
      inFlight: this.inFlight,
      peakQueued: this.peakQueued,
      maxQueueSize: this.maxQueueSize,
    };
  }
}

/** One line, for diag and for tests to parse: every count named. */
export function describeExportStats(stats: ExportStatsSnapshot): string {
  return `${stats.created} created, ${stats.exported} exported, ${stats.dropped} dropped `
    + `(${stats.droppedQueueFull} queue full, ${stats.droppedExportFailed} export failed, ${stats.droppedAfterShutdown} after shutdown), `
    + `${stats.queued + stats.inFlight} unsent; queue peak ${stats.peakQueued} of ${stats.maxQueueSize}`;
}

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

  constructor(private readonly batch: SpanProcessor, private readonly stats: ExportStats) {}

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
    this.batch.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return this.batch.forceFlush();
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

  shutdown(): Promise<void> {
    this.closed = true;
    // The batch processor empties its queue a few microtasks into its
    // shutdown. Emptying it now, synchronously, puts the spans in the
    // exporter's hands even when the app calls process.exit() in this very
    // tick (from its own signal handler), where the exit hand-off finds them.
    this.batch.forceFlush().catch(globalErrorHandler);
    return this.batch.shutdown();
  }
}

interface UnsentBatch {
  readonly spans: ReadableSpan[];
  readonly done: (result: ExportResult) => void;
}

/**
 * Wraps the real exporter: counts every answer, and holds each batch for one
 * turn of the event loop before handing it over. A batch still held when the
 * process exits has certainly not reached the network, so the exit hand-off
 * can send it without risking a duplicate.
 */
export class CountingSpanExporter implements SpanExporter {
  private unsent: UnsentBatch[] = [];
  private drainScheduled = false;

  constructor(private readonly exporter: SpanExporter, private readonly stats: ExportStats) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.stats.taken(spans.length);
    let answered = false;
    const done = (result: ExportResult) => {
      if (answered) return;
      answered = true;
      this.stats.settled(spans.length, result.code === ExportResultCode.SUCCESS);
      resultCallback(result);
    };
    this.unsent.push({ spans, done });
    if (!this.drainScheduled) {
      this.drainScheduled = true;
      setImmediate(() => this.drain());
    }
  }

  /**
   * At exit: sends every batch not yet handed over with `sendSync`, in one
   * request, and counts the outcome. Batches already handed over are left
   * alone: they may have arrived, and must not arrive twice.
   */
  sendUnsentSync(sendSync: (spans: ReadableSpan[]) => boolean): void {
    const batches = this.unsent.splice(0);
    if (batches.length === 0) return;
    let sent = false;
    try {
      sent = sendSync(batches.flatMap(batch => batch.spans));
    } catch {
      sent = false;
    }
    const result: ExportResult = sent ? { code: ExportResultCode.SUCCESS } : { code: ExportResultCode.FAILED, error: new Error('hand-off at exit failed') };
    for (const batch of batches) batch.done(result);
  }

  forceFlush(): Promise<void> {
    this.drain();
    return this.exporter.forceFlush?.() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.drain();
    return this.exporter.shutdown();
  }

  private drain(): void {
    this.drainScheduled = false;
    const batches = this.unsent.splice(0);
    if (batches.length === 0) return;
    // A drain may be called from shutdown() or forceFlush(), outside the batch
    // processor's suppressed context: the exporter's own HTTP request must
    // never become a span.
    context.with(suppressTracing(context.active()), () => {
      for (const { spans, done } of batches) {
        try {
          this.exporter.export(spans, done);
        } catch (error) {
          done({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
        }
      }
    });
  }
}
