/**
 * One export pipeline: a batch span processor and its exporter, both counted
 * (export-stats.ts, counting-span-processor.ts, counting-span-exporter.ts),
 * and what can still be done for it when the process exits (exit-hand-off.ts).
 */
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { Config } from '../config';
import type { SlicingSpanExporter } from '../export';
import { CountingSpanExporter } from './counting-span-exporter';
import { CountingSpanProcessor } from './counting-span-processor';
import { ExportStats } from './export-stats';
import type { SyncSender } from './exit-hand-off';

export class ExportPipeline {
  readonly stats: ExportStats;
  /** The span processor to register with the SDK. */
  readonly processor: CountingSpanProcessor;
  private readonly exporter: CountingSpanExporter;

  /**
   * @param name the OTEL_TRACES_EXPORTER entry, for diag lines
   * @param exitSender how spans still unsent at process exit can be sent synchronously, if at all
   */
  constructor(readonly name: string, exporter: SpanExporter, batch: Config['batch'], private readonly exitSender?: SyncSender) {
    this.stats = new ExportStats(batch.maxQueueSize);
    this.exporter = new CountingSpanExporter(exporter, this.stats);
    const encodeOnEnd = (exporter as SpanExporter & Partial<Pick<SlicingSpanExporter, 'encodeOnEnd'>>).encodeOnEnd;
    this.processor = new CountingSpanProcessor(
      new BatchSpanProcessor({ ...batch, exporter: this.exporter }),
      this.stats,
      typeof encodeOnEnd === 'function' ? encodeOnEnd.bind(exporter) : undefined,
    );
  }

  /**
   * Synchronous, for an 'exit' listener: empties the queue and sends every
   * span not yet handed to the exporter through the exit sender. Spans in
   * flight are left alone: they may have arrived already.
   */
  handOffAtExit(): void {
    if (this.exitSender === undefined) return;
    // Nothing will settle this promise once the process exits; the spans it
    // moves are what matters.
    if (!this.processor.isShutDown) this.processor.forceFlush().catch(() => undefined);
    this.exporter.sendUnsentSync(this.exitSender);
  }
}
