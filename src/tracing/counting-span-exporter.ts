/**
 * The exporter side of an export pipeline's accounting (export-stats.ts):
 * wraps the real exporter and counts every answer.
 */
import { context } from '@opentelemetry/api';
import { ExportResultCode, suppressTracing } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import type { EncodingSteps } from '../export';
import type { ExportStats } from './export-stats';

interface UnsentBatch {
  readonly spans: ReadableSpan[];
  readonly done: (result: ExportResult) => void;
  /** Where the exporter encodes ahead: the steps still to take, one per turn; undefined once the batch is ready. */
  steps: EncodingSteps | undefined;
}

/** What an exporter offers when its batches can be encoded ahead, a slice per turn (src/export/sliced-encoding.ts). */
interface EncodesAhead {
  encodeAhead?: (spans: ReadableSpan[]) => EncodingSteps;
}

/**
 * Wraps the real exporter: counts every answer, and holds each batch for at
 * least one turn of the event loop before handing it over. A batch still
 * held when the process exits has certainly not reached the network, so the
 * exit hand-off can send it without risking a duplicate. Where the exporter
 * encodes ahead, the batch is held while it is encoded, one slice per turn,
 * so no turn holds the event loop for a whole batch.
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
    const encodeAhead = (this.exporter as SpanExporter & EncodesAhead).encodeAhead;
    let steps: EncodingSteps | undefined;
    try {
      steps = typeof encodeAhead === 'function' ? encodeAhead.call(this.exporter, spans) : undefined;
    } catch {
      steps = undefined;
    }
    this.unsent.push({ spans, done, steps });
    this.schedule();
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

  private schedule(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => this.turn());
  }

  /**
   * One turn: takes at most one encoding step, for the first batch still
   * being encoded, and hands over every batch before it that is ready.
   */
  private turn(): void {
    this.drainScheduled = false;
    let stepped = false;
    const ready: UnsentBatch[] = [];
    while (this.unsent.length > 0) {
      const head = this.unsent[0];
      if (head.steps !== undefined) {
        if (stepped) break;
        stepped = true;
        if (!stepOnce(head.steps)) break;
        head.steps = undefined;
      }
      ready.push(this.unsent.shift() as UnsentBatch);
    }
    this.handOver(ready);
    if (this.unsent.length > 0) this.schedule();
  }

  /** Everything at once (forceFlush, shutdown): a batch not yet encoded ahead is encoded by the exporter itself. */
  private drain(): void {
    this.handOver(this.unsent.splice(0));
  }

  private handOver(batches: readonly UnsentBatch[]): void {
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

function stepOnce(steps: EncodingSteps): boolean {
  try {
    return steps.step();
  } catch {
    // The exporter encodes the batch itself.
    return true;
  }
}
