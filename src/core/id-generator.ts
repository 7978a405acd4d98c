/**
 * The id generator that lets a request id choose its trace id.
 *
 * The SDK asks an IdGenerator for a trace id, with no context, whenever a
 * span starts without a valid parent. Where a request's root span starts
 * (the server span, a job's consumer span, `runAsRequest`), the starter
 * decides the request id (src/core/request-start.ts) and starts the span
 * inside `withTraceId`, so that root span takes the trace id the request id
 * maps to: a true root whose trace id is derived from the request id, no
 * invented parent span. `propagation.extract` arms nothing, so an app's own
 * extract (a Kafka consumer's) decides no trace id.
 *
 * instrumentation-http's server path (TRACEHOP_SERVER_SPAN=instrumentation-http)
 * starts its span itself, so there the start hook uses `arm` and the
 * response hook `disarm`; an armed id is used once, and is dropped at the
 * end of the current synchronous run (a microtask), so it can never lend
 * itself to an unrelated span later.
 */
import { randomBytes } from 'node:crypto';
import type { IdGenerator } from '@opentelemetry/sdk-trace';

/** Random ids are taken from a pooled buffer: one `randomBytes` call per 512 ids, not per span. */
const POOL_SIZE = 4096;
const ZERO_SPAN_ID = '0000000000000000';
const ZERO_TRACE_ID = ZERO_SPAN_ID + ZERO_SPAN_ID;

export class RequestIdGenerator implements IdGenerator {
  private armed: string | undefined;
  private armedGeneration = 0;
  private pool = Buffer.alloc(0);
  private poolOffset = 0;

  /** The next root span takes `traceId`, if it starts before the current synchronous run ends. */
  arm(traceId: string): void {
    this.armed = traceId;
    const generation = ++this.armedGeneration;
    queueMicrotask(() => {
      if (this.armedGeneration === generation) this.armed = undefined;
    });
  }

  /**
   * Runs `start` (which starts one root span) with `traceId` armed, and
   * disarms after it, whether it returned or threw. With `traceId`
   * undefined it just runs `start`.
   */
  withTraceId<T>(traceId: string | undefined, start: () => T): T {
    if (traceId === undefined) return start();
    this.armed = traceId;
    ++this.armedGeneration;
    try {
      return start();
    } finally {
      this.armed = undefined;
    }
  }

  /** Drops an armed id that was not used (the span started with a remote parent, or not at all). */
  disarm(): void {
    this.armed = undefined;
  }

  generateTraceId(): string {
    const armed = this.armed;
    if (armed !== undefined) {
      this.armed = undefined;
      return armed;
    }
    return this.randomHex(16);
  }

  generateSpanId(): string {
    return this.randomHex(8);
  }

  private randomHex(bytes: number): string {
    if (this.poolOffset + bytes > this.pool.length) {
      this.pool = randomBytes(POOL_SIZE);
      this.poolOffset = 0;
    }
    const start = this.poolOffset;
    this.poolOffset += bytes;
    const hex = this.pool.toString('hex', start, start + bytes);
    // W3C Trace Context: an all-zero trace or span id is invalid.
    return hex === ZERO_SPAN_ID || hex === ZERO_TRACE_ID ? this.randomHex(bytes) : hex;
  }
}
