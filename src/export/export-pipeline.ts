/**
 * One export pipeline: tracehop's batch span processor and its exporter
 * (batch-span-processor.ts, holding-span-exporter.ts), counted
 * (export-stats.ts), and what can still be done for it when the process
 * exits (exit-hand-off.ts).
 */
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { Config } from '../config';
import type { QueuedSpan, SlicingSpanExporter } from '.';
import { BatchSpanProcessor } from './batch-span-processor';
import type { ItemExporter, Queueable } from './batch-span-processor';
import { HoldingSpanExporter } from './holding-span-exporter';
import type { EncodesAhead, OwnTrafficRunner } from './holding-span-exporter';
import { ExportStats } from './export-stats';
import type { SyncSender } from './exit-hand-off';

export class ExportPipeline {
  readonly stats: ExportStats;
  /** The span processor to register with the SDK. */
  readonly processor: SpanProcessor;
  /** The exporter, as an exporter of spans (tracehop's protobuf exporter takes spans as well as stand-ins). */
  readonly exporter: SpanExporter;
  /** Synchronous: sends what is queued or held with the sender given. */
  private readonly sendUnsentSync: (sender: SyncSender) => void;

  /**
   * @param name the OTEL_TRACES_EXPORTER entry, for diag lines
   * @param exporter an exporter of spans, or tracehop's OTLP/HTTP protobuf
   *   exporter, which takes spans encoded as they end in their place
   * @param exitSender how spans still unsent at process exit can be sent synchronously, if at all
   * @param ownTraffic runs each export so that the app's other tools (Sentry) trace none of its requests
   */
  constructor(
    readonly name: string,
    exporter: SpanExporter | SlicingSpanExporter,
    batch: Config['batch'],
    private readonly exitSender?: SyncSender,
    ownTraffic?: OwnTrafficRunner,
  ) {
    this.stats = new ExportStats(batch.maxQueueSize);
    this.exporter = exporter;
    const assembled = isSlicing(exporter)
      ? assemble<QueuedSpan>(exporter, batch, this.stats, span => standInOrSpan(exporter, span), ownTraffic)
      : assemble<ReadableSpan>(exporter, batch, this.stats, span => span, ownTraffic);
    this.processor = assembled.processor;
    this.sendUnsentSync = assembled.sendUnsentSync;
  }

  /**
   * Synchronous, for an 'exit' listener: empties the queue and sends every
   * span not yet handed to the exporter through the exit sender, including
   * batches still waiting for their resource's attributes (sent with the
   * attributes detected so far). Spans handed to the exporter are left
   * alone: they may have arrived already.
   */
  handOffAtExit(): void {
    if (this.exitSender !== undefined) this.sendUnsentSync(this.exitSender);
  }
}

/** The processor and exporter for one kind of queued item. */
function assemble<Item extends Queueable & QueuedSpan>(
  exporter: ItemExporter<Item> & EncodesAhead<Item>,
  batch: Config['batch'],
  stats: ExportStats,
  toItem: (span: ReadableSpan) => Item,
  ownTraffic: OwnTrafficRunner | undefined,
): { processor: SpanProcessor; sendUnsentSync: (sender: SyncSender) => void } {
  const holding = new HoldingSpanExporter<Item>(exporter, ownTraffic);
  const processor = new BatchSpanProcessor<Item>(holding, batch, stats, toItem);
  return {
    processor,
    sendUnsentSync: sender => holding.sendUnsentSync(sender, processor.takeQueued()),
  };
}

function isSlicing(exporter: SpanExporter | SlicingSpanExporter): exporter is SlicingSpanExporter {
  return typeof (exporter as Partial<SlicingSpanExporter>).encodeOnEnd === 'function';
}

/** The span's stand-in; the span itself if it cannot be encoded now (the exporter's serializer then deals with it, and reports). */
function standInOrSpan(exporter: SlicingSpanExporter, span: ReadableSpan): QueuedSpan {
  try {
    return exporter.encodeOnEnd(span);
  } catch {
    // Queued as itself: the exporter's serializer encodes it with the batch, and reports if it cannot.
    return span;
  }
}
