/**
 * The exporter an export pipeline's batch span processor exports to: it
 * holds each batch at least one turn of the event loop before handing it
 * to the real exporter (encoding it ahead meanwhile, where the exporter
 * can), so the exit hand-off knows which batches cannot have been sent.
 *
 * A batch stays re-sendable after it is handed over, until its request may
 * have put bytes on the wire. The mechanism: the hand-over runs inside an
 * AsyncLocalStorage holding the batch, which follows the exporter's own
 * awaits, retries and timers to the `http.request` it makes; Node publishes
 * every client request on the documented diagnostics channel
 * `http.client.request.start` as the request gets its socket, and there the
 * batch is marked as on the wire at once if the socket is connected (its
 * head and body are written in this very turn), or at the socket's
 * `connect` otherwise. Until then not one byte of the batch can have left
 * the process, so the exit hand-off sends it again without any risk of a
 * duplicate. The mark is conservative: it comes a turn or so before the
 * body is actually written (the exporter pipes it), so an exit in exactly
 * that turn loses the batch rather than risking it twice. Holding batches
 * until the request's `finish` instead would be wrong the other way: the
 * bytes are in the kernel's socket buffer, and so on their way, before
 * `finish` is emitted. An exporter that makes no request through `http`
 * (the console exporter) answers synchronously, and is never in flight.
 *
 * Once a batch is on the wire its items are let go, here and by the
 * processor (`itemsSent`): the exporter resends only the bytes it
 * serialized, and nothing else needs them while the answer is awaited,
 * which under load takes many young-generation collections, each of which
 * would otherwise copy the whole batch (docs/performance.md, "What the
 * export keeps alive").
 */
import { context } from '@opentelemetry/api';
import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { ExportResultCode, suppressTracing } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { EncodingSteps } from '.';
import type { ItemExporter } from './batch-span-processor';

interface UnsentBatch<Item> {
  readonly spans: Item[];
  readonly done: (result: ExportResult) => void;
  /** The caller's `itemsSent`, called once the batch is on the wire. */
  readonly sent: (() => void) | undefined;
  /** Where the exporter encodes ahead: the steps still to take, one per turn; undefined once the batch is ready. */
  steps: EncodingSteps | undefined;
}

/** A batch in the exporter's hands, until it answers. */
interface HandedOverBatch<Item> {
  /** Its items, while the exit hand-off may still send them; none once it is on the wire. */
  spans: Item[];
  /** Reports the outcome once: the exporter's answer, or the hand-off's, whichever comes first. */
  readonly done: (result: ExportResult) => void;
  /** True once its request may have written a byte: from then on only the exporter may send it. */
  onTheWire: boolean;
  /** The caller's `itemsSent`: it lets go of the items too. */
  readonly sent: (() => void) | undefined;
}

/**
 * From now on only the exporter sends the batch, from the bytes it
 * serialized before its request started (retries resend those bytes): the
 * items are let go, here and by whoever handed them over.
 */
function markOnTheWire(batch: HandedOverBatch<unknown>): void {
  if (batch.onTheWire) return;
  batch.onTheWire = true;
  batch.spans = [];
  batch.sent?.();
}

/** The batch whose hand-over (and everything it awaits) is running. */
const handingOver = new AsyncLocalStorage<HandedOverBatch<unknown>>();
let watchingRequests = false;

/** Subscribed once per process, on the first hand-over: the requests made for batches are marked as they reach the wire. */
function watchExportRequests(): void {
  if (watchingRequests) return;
  watchingRequests = true;
  subscribe('http.client.request.start', message => {
    const batch = handingOver.getStore();
    if (batch === undefined || batch.onTheWire) return;
    // Nothing is lost by a throw here: the batch just stays unmarked, and the hand-off might send it again, so guard it.
    try {
      const socket = (message as { request?: ClientRequest }).request?.socket;
      if (socket === undefined || socket === null || !socket.connecting) {
        markOnTheWire(batch);
        return;
      }
      socket.once('connect', () => markOnTheWire(batch));
    } catch {
      // Unknown shape of the request: treated as on the wire, so that no batch can arrive twice.
      markOnTheWire(batch);
    }
  });
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
/** Runs `send` so that the app's other tools take its requests for the exporter's own traffic. */
export type OwnTrafficRunner = (send: () => void) => void;

export class HoldingSpanExporter<Item> implements ItemExporter<Item> {
  private unsent: Array<UnsentBatch<Item>> = [];
  /** Handed to the exporter, not yet answered. */
  private readonly inFlight = new Set<HandedOverBatch<Item>>();
  private drainScheduled = false;

  /**
   * @param ownTraffic runs each hand-over as the app's other tools' own
   *   traffic is run (Sentry's suppressed tracing, src/sentry/), so that they
   *   trace none of the exporter's requests; plain by default
   */
  constructor(
    private readonly exporter: ItemExporter<Item> & EncodesAhead<Item>,
    private readonly ownTraffic: OwnTrafficRunner = send => send(),
  ) {}

  /** `itemsSent` is called once the batch's request is on the wire (markOnTheWire). */
  export(spans: Item[], resultCallback: (result: ExportResult) => void, itemsSent?: () => void): void {
    let steps: EncodingSteps | undefined;
    try {
      steps = typeof this.exporter.encodeAhead === 'function' ? this.exporter.encodeAhead(spans) : undefined;
    } catch {
      // Not lost: the exporter's serializer encodes the batch whole when it sends it.
      steps = undefined;
    }
    this.unsent.push({ spans, done: resultCallback, sent: itemsSent, steps });
    this.schedule();
  }

  /**
   * At exit: sends every batch not yet handed over, every batch handed
   * over whose request has not reached the wire, and `also` (what the
   * processor has not handed over: its queue, and batches waiting for their
   * resource), with `sendSync`, in one request, and reports the outcome to
   * each. Batches whose request may have written a byte are left alone:
   * they may have arrived, and must not arrive twice.
   */
  sendUnsentSync(sendSync: (spans: Item[]) => boolean, also?: BatchToSend<Item>): void {
    const batches: Array<BatchToSend<Item>> = this.unsent.splice(0).map(({ spans, done }) => ({ items: spans, done }));
    for (const batch of this.inFlight) {
      if (batch.onTheWire) continue;
      // The exporter's own answer, should one still come, is then ignored (done reports once).
      this.inFlight.delete(batch);
      batches.push({ items: batch.spans, done: batch.done });
    }
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
    // never become a span, ours or another tool's.
    watchExportRequests();
    this.ownTraffic(() => this.handOverQuietly(batches));
  }

  private handOverQuietly(batches: ReadonlyArray<UnsentBatch<Item>>): void {
    context.with(suppressTracing(context.active()), () => {
      for (const batch of batches) this.handOverOne(batch.spans, batch.done, batch.sent);
    });
  }

  /**
   * A method of its own, taking only what it keeps: the closures made here
   * live until the exporter answers, and a closure keeps its whole chain of
   * scopes alive. Made inside handOver's loop, they kept `batches`, so every
   * span of the batch, alive until the answer, whatever markOnTheWire let go.
   */
  private handOverOne(spans: Item[], done: (result: ExportResult) => void, sent: (() => void) | undefined): void {
    let settled = false;
    const handed: HandedOverBatch<Item> = {
      spans,
      done: result => {
        if (settled) return;
        settled = true;
        this.inFlight.delete(handed);
        done(result);
      },
      onTheWire: false,
      sent,
    };
    this.inFlight.add(handed);
    try {
      // Read through `handed`, which markOnTheWire empties.
      handingOver.run(handed, () => this.exporter.export(handed.spans, handed.done));
    } catch (error) {
      // A throwing exporter fails the batch: counted, and reported as a failed export.
      handed.done({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
    }
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
