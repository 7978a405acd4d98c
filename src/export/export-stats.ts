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
 * - unsent: still queued, taken off the queue but waiting for the resource's
 *   attributes to settle, or handed to the exporter with no answer yet.
 *
 * The counting is done by BatchSpanProcessor (batch-span-processor.ts);
 * its cost on the request path is one flag test and two counter updates per
 * span.
 */
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
  /** Taken off the queue (handed to the exporter, or waiting for the resource's attributes), no answer yet. */
  readonly inFlight: number;
  /** The most spans the queue ever held: never more than `maxQueueSize`. */
  readonly peakQueued: number;
  readonly maxQueueSize: number;
}

/** The counters of one pipeline. Only the counting processor and exporter change them. */
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
  return (
    `${stats.created} created, ${stats.exported} exported, ${stats.dropped} dropped ` +
    `(${stats.droppedQueueFull} queue full, ${stats.droppedExportFailed} export failed, ${stats.droppedAfterShutdown} after shutdown), ` +
    `${stats.queued + stats.inFlight} unsent; queue peak ${stats.peakQueued} of ${stats.maxQueueSize}`
  );
}
