/**
 * The exporter an export pipeline's batch span processor exports to: it
 * holds each batch at least one turn of the event loop before handing it
 * to the real exporter (encoding it ahead meanwhile, where the exporter
 * can), so the exit hand-off knows which batches cannot have been sent.
 */
import { context } from '@opentelemetry/api';
import { ExportResultCode, suppressTracing } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { EncodingSteps } from '.';
import type { ItemExporter } from './batch-span-processor';

interface UnsentBatch<Item> {
  readonly spans: Item[];
  readonly done: (result: ExportResult) => void;
  /** Where the exporter encodes ahead: the steps still to take, one per turn; undefined once the batch is ready. */
  steps: EncodingSteps | undefined;
}

/** What an exporter offers when its batches can be encoded ahead, a slice per turn (src/export/sliced-encoding.ts). */
export interface EncodesAhead<Item> {
  encodeAhead?(spans: Item[]): EncodingSteps;
}

/**
 * A batch the exit hand-off sends besides the held ones: the processor's
 * queue and the batches it holds while their resource settles
 * (BatchSpanProcessor.takeQueued).
 */
export interface BatchToSend<Item> {
  readonly items: Item[];
  done(result: ExportResult): unknown;
}

/**
 * Wraps the real exporter, and holds each batch for at least one turn of
 * the event loop before handing it over. A batch still held when the
 * process exits has certainly not reached the network, so the exit hand-off
 * can send it without risking a duplicate. Where the exporter encodes
 * ahead, the batch is held while it is encoded, one slice per turn, so no
 * turn holds the event loop for a whole batch. The answers go back to the
 * processor, which counts them.
 */
export class HoldingSpanExporter<Item> implements ItemExporter<Item> {
  private unsent: Array<UnsentBatch<Item>> = [];
  private drainScheduled = false;

  constructor(private readonly exporter: ItemExporter<Item> & EncodesAhead<Item>) {}

  export(spans: Item[], resultCallback: (result: ExportResult) => void): void {
    let steps: EncodingSteps | undefined;
    try {
      steps = typeof this.exporter.encodeAhead === 'function' ? this.exporter.encodeAhead(spans) : undefined;
    } catch {
      // Not lost: the exporter's serializer encodes the batch whole when it sends it.
      steps = undefined;
    }
    this.unsent.push({ spans, done: resultCallback, steps });
    this.schedule();
  }

  /**
   * At exit: sends every batch not yet handed over, and `also` (what the
   * processor has not handed over: its queue, and batches waiting for their
   * resource), with `sendSync`, in one request, and reports the
   * outcome to each. Batches already handed over are left alone: they may
   * have arrived, and must not arrive twice.
   */
  sendUnsentSync(sendSync: (spans: Item[]) => boolean, also?: BatchToSend<Item>): void {
    const batches: Array<BatchToSend<Item>> = this.unsent.splice(0).map(({ spans, done }) => ({ items: spans, done }));
    if (also !== undefined) batches.push(also);
    if (batches.length === 0) return;
    let sent = false;
    try {
      sent = sendSync(batches.flatMap(batch => batch.items));
    } catch {
      // Counted as failed below, and shown in the span counts line at exit.
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
    const ready: Array<UnsentBatch<Item>> = [];
    while (this.unsent.length > 0) {
      const head = this.unsent[0];
      if (head.steps !== undefined) {
        if (stepped) break;
        stepped = true;
        if (!stepOnce(head.steps)) break;
        head.steps = undefined;
      }
      ready.push(this.unsent.shift() as UnsentBatch<Item>);
    }
    this.handOver(ready);
    if (this.unsent.length > 0) this.schedule();
  }

  /** Everything at once (forceFlush, shutdown): a batch not yet encoded ahead is encoded by the exporter itself. */
  private drain(): void {
    this.handOver(this.unsent.splice(0));
  }

  private handOver(batches: ReadonlyArray<UnsentBatch<Item>>): void {
    if (batches.length === 0) return;
    // A turn runs in whatever context scheduled it, and a drain may be called
    // from shutdown() or forceFlush(): the exporter's own HTTP request must
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
