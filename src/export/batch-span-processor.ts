/**
 * tracehop's batch span processor: it queues the sampled spans that end,
 * counts every one of them (export-stats.ts), and hands them to its
 * exporter a batch at a time.
 *
 * It exists because tracehop needs three things the SDK's
 * BatchSpanProcessor offers only through its private behaviour (issue 19,
 * decided in issue 23):
 * - the exit hand-off must take every queued span synchronously: here
 *   `takeQueued()`, where the SDK's offers only a `forceFlush()` that happens
 *   to export synchronously, and keeps a batch waiting for its resource's
 *   attributes where nothing else can reach it;
 * - the queue holds spans or their encoded stand-ins (src/otlp/encoded-span.ts)
 *   under a type of tracehop's own, where the SDK's holds `ReadableSpan`s only;
 * - every span is counted (queue full, export failed or timed out, ended
 *   after shutdown), where the SDK's counts drops nowhere we can read and
 *   logs a line each time its queue recovers.
 *
 * It follows the OpenTelemetry specification's batching processor
 * (specification/trace/sdk.md, "Batching processor") and its OTEL_BSP_*
 * parameters: a batch is exported when `maxExportBatchSize` spans are queued
 * or `scheduledDelayMillis` after the first span waiting, one batch of at
 * most `maxExportBatchSize` per export; a span that finds `maxQueueSize`
 * queued is dropped; an export with no answer within `exportTimeoutMillis`
 * is cancelled (here: counted as failed, its late answer ignored).
 */
import { context, TraceFlags } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import { ExportResultCode, globalErrorHandler, suppressTracing } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { Config } from '../config';
import { reporter } from '../diag';
import type { ExportStats } from './export-stats';

/** What the processor exports to: an exporter of its items (the SDK's SpanExporter is one, for spans). */
export interface ItemExporter<Item> {
  /**
   * `itemsSent`, where the exporter calls it, says the items are no longer
   * needed for anything but their count: their bytes are on their way, and
   * will not be sent again from the items. The processor then lets them go
   * while the answer is awaited (HoldingSpanExporter calls it).
   */
  export(items: Item[], resultCallback: (result: ExportResult) => void, itemsSent?: () => void): void;
  forceFlush?(): Promise<void>;
  shutdown(): Promise<void>;
}

/** What the processor reads of a queued item: its resource, whose attributes may still be settling. */
export interface Queueable {
  readonly resource: Resource;
}

/** Items the caller sends, then reports the outcome of through `done`, which is true when it counted. */
export interface SendableBatch<Item> {
  readonly items: Item[];
  done(result: ExportResult): boolean;
}

/**
 * Items taken off the queue, counted as in flight until `done` is called
 * with their outcome. Only the first outcome counts: an answer after the
 * export timeout, or a second answer, changes nothing.
 */
export class TakenBatch<Item> implements SendableBatch<Item> {
  /** How many items were taken: what the outcome counts, whether or not they are still held. */
  readonly size: number;
  private answered = false;
  private onDone: ((result: ExportResult) => void) | undefined;

  constructor(
    private held: Item[],
    private readonly stats: ExportStats,
  ) {
    this.size = held.length;
    stats.taken(this.size);
  }

  /** The items, until `release()`; then none. */
  get items(): Item[] {
    return this.held;
  }

  get settled(): boolean {
    return this.answered;
  }

  /**
   * Lets the items go once their bytes are on their way (the exporter says
   * so): an export's answer can take many young-generation collections to
   * come back under load, and every one of them would otherwise find a
   * whole batch alive, copy it, and promote it to the old generation, where
   * only a full collection frees it (docs/performance.md, "What the export
   * keeps alive"). The count stays: `size`.
   */
  release(): void {
    this.held = [];
  }

  /** `listener` is called with the outcome that counts, once it is counted, whoever reports it. */
  whenDone(listener: (result: ExportResult) => void): void {
    this.onDone = listener;
  }

  /** Counts the outcome; true when it was the first. */
  done(result: ExportResult): boolean {
    if (this.answered) return false;
    this.answered = true;
    this.stats.settled(this.size, result.code === ExportResultCode.SUCCESS);
    this.onDone?.(result);
    return true;
  }
}

/** What `takeQueued()` returns: batches sent as one, each counting the outcome once (their spans are counted once). */
class BatchesAtExit<Item> implements SendableBatch<Item> {
  readonly items: Item[];

  constructor(private readonly batches: ReadonlyArray<TakenBatch<Item>>) {
    this.items = batches.flatMap(batch => batch.items);
  }

  done(result: ExportResult): boolean {
    let counted = false;
    for (const batch of this.batches) counted = batch.done(result) || counted;
    return counted;
  }
}

export class BatchSpanProcessor<Item extends Queueable> implements SpanProcessor {
  private queue: Item[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** A batch started by size or delay is in flight: the next waits for it (the specification's exports never overlap). */
  private exporting = false;
  private closed = false;
  private dropping = false;
  private resourceWaitStarted = false;
  private readonly inFlight = new Set<Promise<void>>();
  /**
   * Batches taken off the queue (counted in flight) that wait for their
   * resource's attributes before they go to the exporter: `takeQueued()`
   * takes them too. Each maps to what hands it to the exit hand-off instead.
   */
  private readonly waiting = new Map<TakenBatch<Item>, () => void>();
  private shutdownOnce: Promise<void> | undefined;

  /**
   * @param options the OTEL_BSP_* values (Config already keeps the batch no larger than the queue)
   * @param stats the pipeline's counts; `stats.maxQueueSize` is the queue limit
   * @param toItem what is queued for a span that ended: the span itself, or
   *   its stand-in; it runs inside the app's `span.end()`, so it must not throw
   */
  constructor(
    private readonly exporter: ItemExporter<Item>,
    private readonly options: Config['batch'],
    private readonly stats: ExportStats,
    private readonly toItem: (span: ReadableSpan) => Item,
  ) {}

  get isShutDown(): boolean {
    return this.closed;
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    // The specification's batching processor exports sampled spans only; the others are not ours to count.
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.closed) {
      this.stats.endedAfterShutdown();
      return;
    }
    if (!this.stats.admit()) {
      // Reported once per episode of drops (and the reporter holds it to once per interval).
      if (!this.dropping) {
        this.dropping = true;
        reporter.warn(
          'queue full',
          `span queue full (OTEL_BSP_MAX_QUEUE_SIZE=${this.stats.maxQueueSize}): new spans are dropped, and counted, until the exporter catches up`,
        );
      }
      return;
    }
    this.dropping = false;
    if (!this.resourceWaitStarted) this.startResourceWait(span.resource);
    this.queue.push(this.toItem(span));
    this.schedule();
  }

  /**
   * Exports everything queued, in batches, then asks the exporter to flush
   * (the specification's ForceFlush); resolves when every export in flight
   * has settled, whatever its outcome (failures are counted and reported).
   * A batch whose resource is still detecting attributes reaches the exporter
   * only once they settle (or fails at the export timeout); until then
   * `takeQueued()` finds it, and its outcome is the hand-off's.
   */
  forceFlush(): Promise<void> {
    if (this.shutdownOnce !== undefined) return this.shutdownOnce;
    // The exporter is flushed once the batches are in its hands and settled,
    // not at once: a batch handed to the exporter before its turn could no
    // longer be told apart from one already sent (holding-span-exporter.ts).
    return this.flush().then(() => this.flushExporter());
  }

  /**
   * Flushes, then shuts the exporter down; spans ending from now on are
   * counted as dropped after shutdown. The queue is emptied synchronously,
   * in this call, so spans are already out of it when the app calls
   * process.exit() in this very tick (from its own signal handler): each
   * batch is handed to the exporter in this call, except while the resource
   * is still detecting attributes (the NodeSDK path: its host detector is
   * asynchronous). Such a batch waits in the processor until they settle,
   * and the exit hand-off finds it there (`takeQueued()`), as it finds the
   * exporter's unsent batches.
   */
  shutdown(): Promise<void> {
    if (this.shutdownOnce === undefined) {
      this.closed = true;
      this.shutdownOnce = this.flush().then(() => this.exporter.shutdown());
    }
    return this.shutdownOnce;
  }

  /**
   * For the exit hand-off, synchronous: takes every item not yet handed to
   * the exporter, counted as in flight once: the batches waiting for their
   * resource's attributes (already in flight; they are never exported once
   * taken, whenever the attributes settle), then the queue. The caller sends
   * them and reports the outcome through `done`, which settles the waiting
   * batches' exports too. Undefined when there is nothing to take.
   */
  takeQueued(): SendableBatch<Item> | undefined {
    this.clearTimer();
    const batches: Array<TakenBatch<Item>> = [];
    for (const [batch, handOff] of this.waiting) {
      handOff();
      batches.push(batch);
    }
    this.waiting.clear();
    if (this.queue.length > 0) {
      batches.push(new TakenBatch(this.queue, this.stats));
      this.queue = [];
    }
    if (batches.length === 0) return undefined;
    return batches.length === 1 ? batches[0] : new BatchesAtExit(batches);
  }

  /** After a span joined the queue or an export settled: a full batch goes now, otherwise the delay starts (if it has not). */
  private schedule(): void {
    if (this.exporting || this.closed || this.queue.length === 0) return;
    if (this.queue.length >= this.options.maxExportBatchSize) {
      this.clearTimer();
      this.exportNext();
      return;
    }
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.exportNext();
    }, this.options.scheduledDelayMillis);
    // Spans waiting for their batch never keep the process alive: the exit path flushes them.
    this.timer.unref();
  }

  private exportNext(): void {
    if (this.exporting || this.queue.length === 0) return;
    this.exporting = true;
    void this.export(this.take()).then(() => {
      this.exporting = false;
      this.schedule();
    });
  }

  private flush(): Promise<void> {
    this.clearTimer();
    const waits: Array<Promise<unknown>> = [...this.inFlight];
    // All batches at once, as the SDK's processor flushes: a shutdown has a deadline (TRACEHOP_SHUTDOWN_TIMEOUT_MS).
    while (this.queue.length > 0) waits.push(this.export(this.take()));
    return Promise.all(waits).then(() => undefined);
  }

  private flushExporter(): Promise<void> {
    try {
      return (this.exporter.forceFlush?.() ?? Promise.resolve()).catch(globalErrorHandler);
    } catch (error) {
      globalErrorHandler(error as Error);
      return Promise.resolve();
    }
  }

  private take(): TakenBatch<Item> {
    const size = this.options.maxExportBatchSize;
    let items: Item[];
    if (this.queue.length <= size) {
      items = this.queue;
      this.queue = [];
    } else {
      items = this.queue.splice(0, size);
    }
    return new TakenBatch(items, this.stats);
  }

  /**
   * Exports one batch, after its resources' attributes have settled; never
   * rejects: the outcome is counted by the batch, and a failure reported
   * through the global error handler (as the SDK's processor reports it).
   * While it waits for the attributes, the batch is in `waiting`, where
   * `takeQueued()` can take it instead: then the hand-off's outcome counts,
   * and the batch is not exported when they settle.
   */
  private export(batch: TakenBatch<Item>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    let takenAtExit = false;
    const exported = new Promise<ExportResult>(resolve => {
      batch.whenDone(result => {
        clearTimeout(timer);
        this.waiting.delete(batch);
        resolve(result);
      });
      timer = setTimeout(
        () =>
          batch.done({
            code: ExportResultCode.FAILED,
            error: new Error(`the export did not answer within OTEL_BSP_EXPORT_TIMEOUT (${this.options.exportTimeoutMillis} ms)`),
          }),
        this.options.exportTimeoutMillis,
      );
      timer.unref();
      const fail = (error: unknown) => batch.done({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
      const send = () => {
        // The exporter's own requests must never become spans.
        context.with(suppressTracing(context.active()), () => {
          try {
            this.exporter.export(
              batch.items,
              result => batch.done(result),
              () => batch.release(),
            );
          } catch (error) {
            // The batch fails, counted and reported through the global error handler like any failed export.
            fail(error);
          }
        });
      };
      const settling = resourcesSettling(batch.items);
      if (settling === undefined) {
        send();
        return;
      }
      this.waiting.set(batch, () => {
        // The exit hand-off has it: no export timeout, and no export when the attributes settle.
        takenAtExit = true;
        clearTimeout(timer);
      });
      // Still waiting when they settle: neither timed out (which counted it
      // as failed) nor taken by the exit hand-off (which sent it).
      settling.then(
        () => {
          if (this.waiting.delete(batch)) send();
        },
        (error: unknown) => {
          if (this.waiting.delete(batch)) fail(error);
        },
      );
    }).then(result => {
      // Reported a microtask after the answer, as the SDK's processor does; a
      // failure of the exit hand-off is left to the span counts line.
      if (result.code !== ExportResultCode.SUCCESS && !takenAtExit) globalErrorHandler(result.error ?? new Error('span export failed'));
    });
    this.inFlight.add(exported);
    void exported.then(() => this.inFlight.delete(exported));
    return exported;
  }

  /**
   * A resource with attributes still being detected makes every export wait
   * for them. Starting that wait with the first span means it has long
   * settled by the time a batch is due.
   */
  private startResourceWait(resource: Resource): void {
    this.resourceWaitStarted = true;
    // Not lost: each export waits for the resource again, and reports a failure.
    if (resource.asyncAttributesPending) resource.waitForAsyncAttributes?.().catch(() => undefined);
  }

  private clearTimer(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** The wait for the batch's resources still detecting attributes; undefined when none is. */
function resourcesSettling(items: readonly Queueable[]): Promise<unknown> | undefined {
  let pending: Set<Resource> | undefined;
  for (const { resource } of items) {
    if (resource.asyncAttributesPending && resource.waitForAsyncAttributes) (pending ??= new Set()).add(resource);
  }
  return pending === undefined ? undefined : Promise.all(Array.from(pending, resource => resource.waitForAsyncAttributes?.()));
}
