/**
 * pino records waiting for their span, by the `span_id` they carry. Bounded:
 * past `maxRecords` the oldest records are dropped and counted, so a log
 * stream with no matching traces cannot grow it without limit.
 */
import type { LogFieldNames } from '../../config';
import { readPinoRecord } from '../pino-line';
import type { PinoRecord } from '../pino-line';

export type LogRecord = PinoRecord;

/** Reads one pino line: the record, its span id and its trace id (undefined when absent or not one), or null for noise and lines outside any span. Pure. */
export function parseSpanLogLine(text: string, fields: LogFieldNames): { spanId: string; traceId: string | undefined; record: LogRecord } | null {
  const record = readPinoRecord(text);
  if (record === null) return null;
  const spanId = record[fields.spanId];
  if (typeof spanId !== 'string' || !/^[0-9a-f]{16}$/.test(spanId)) return null;
  const traceId = record[fields.traceId];
  return { spanId, traceId: typeof traceId === 'string' && /^[0-9a-f]{32}$/.test(traceId) ? traceId : undefined, record };
}

export class LogIndex {
  private readonly bySpan = new Map<string, LogRecord[]>();
  /** Span ids in the order their records arrived, one entry per record, for eviction. */
  private readonly order: string[] = [];
  private head = 0;
  dropped = 0;

  constructor(private readonly maxRecords: number) {}

  get size(): number {
    return this.order.length - this.head;
  }

  add(spanId: string, record: LogRecord): void {
    const records = this.bySpan.get(spanId);
    if (records === undefined) this.bySpan.set(spanId, [record]);
    else records.push(record);
    this.order.push(spanId);
    while (this.size > this.maxRecords) this.evictOldest();
    // Compact the queue now and then instead of shifting it on every eviction.
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Removes and returns the records of one span, in arrival order. */
  take(spanId: string): LogRecord[] {
    const records = this.bySpan.get(spanId);
    if (records === undefined) return [];
    this.bySpan.delete(spanId);
    return records;
  }

  private evictOldest(): void {
    const spanId = this.order[this.head++];
    const records = this.bySpan.get(spanId);
    // The span may have been taken already: its entries in the queue are stale, not records.
    if (records === undefined || records.length === 0) return;
    records.shift();
    if (records.length === 0) this.bySpan.delete(spanId);
    this.dropped++;
  }
}
