/**
 * The exporter side of an export pipeline's accounting (export-stats.ts):
 * wraps the real exporter and counts every answer.
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
