/**
 * The exporter side of an export pipeline's accounting (export-stats.ts):
 * wraps the real exporter and counts every answer. It also hands each batch
 * over in slices, one slice per turn of the event loop: the OTLP exporter
 * encodes what it is given synchronously, and a whole 512-span batch held the
 * event loop for several milliseconds (docs/performance.md, "Export stalls").
 */
import { context } from '@opentelemetry/api';
import { ExportResultCode, suppressTracing } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ExportStats } from './export-stats';

interface UnsentBatch {
  readonly spans: ReadableSpan[];
  readonly done: (result: ExportResult) => void;
}

/**
 * Wraps the real exporter: counts every answer, and holds each batch for at
 * least one turn of the event loop before handing it over, cut into slices of
 * at most `sliceSize` spans (0: whole), one slice per turn. Slices are sent
 * concurrently, and the batch processor gets one answer per batch once every
 * slice has answered: success only if all succeeded. Each slice is counted on
 * its own, so a slice that arrived counts as exported even when another
 * failed. A slice still held when the process exits has certainly not
 * reached the network, so the exit hand-off can send it without risking a
 * duplicate.
 */
export class CountingSpanExporter implements SpanExporter {
  private unsent: UnsentBatch[] = [];
  private drainScheduled = false;

  constructor(private readonly exporter: SpanExporter, private readonly stats: ExportStats, private readonly sliceSize = 0) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.stats.taken(spans.length);
    const slices = this.slice(spans);
    let waiting = slices.length;
    let failure: ExportResult | undefined;
    for (const slice of slices) {
      let answered = false;
      const done = (result: ExportResult) => {
        if (answered) return;
        answered = true;
        const exported = result.code === ExportResultCode.SUCCESS;
        this.stats.settled(slice.length, exported);
        if (!exported) failure ??= result;
        if (--waiting === 0) resultCallback(failure ?? result);
      };
      this.unsent.push({ spans: slice, done });
    }
    this.scheduleDrain();
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
    this.drain(Infinity);
    return this.exporter.forceFlush?.() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.drain(Infinity);
    return this.exporter.shutdown();
  }

  private slice(spans: ReadableSpan[]): ReadableSpan[][] {
    if (this.sliceSize === 0 || spans.length <= this.sliceSize) return [spans];
    const slices: ReadableSpan[][] = [];
    for (let start = 0; start < spans.length; start += this.sliceSize) slices.push(spans.slice(start, start + this.sliceSize));
    return slices;
  }

  private scheduleDrain(): void {
    if (this.drainScheduled || this.unsent.length === 0) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      // With slicing, one slice per turn, so requests waiting to be served get
      // the turns in between; without it, every batch held, as before.
      this.drain(this.sliceSize === 0 ? Infinity : 1);
      this.scheduleDrain();
    });
  }

  /** Hands the first `count` held slices to the real exporter. */
  private drain(count: number): void {
    const batches = this.unsent.splice(0, count);
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
