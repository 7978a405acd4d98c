/**
 * Log lines that arrive after their trace was printed: the app logged after
 * its response, or the log pipe is slower than the OTLP export. They are not
 * lost: the viewer remembers the ids of the traces it printed, a bounded
 * number of them (the oldest forgotten first), and hands such a line on by
 * itself, with its trace and span ids. Pure: no I/O.
 */
import type { LogRecord } from './log-index';

/** A late line as `--json` prints it: one document per line, told apart from a trace by its `lateLog` key. */
export interface LateLogDocument {
  readonly traceId: string;
  readonly spanId: string;
  /** The pino record, as it was logged. */
  readonly lateLog: LogRecord;
}

/** The ids of the last `max` traces printed. */
export class PrintedTraces {
  /** Insertion order is printing order: the first is forgotten first. */
  private readonly ids = new Set<string>();

  constructor(private readonly max: number) {}

  add(traceId: string): void {
    this.ids.delete(traceId);
    this.ids.add(traceId);
    if (this.ids.size > this.max) this.ids.delete(this.ids.values().next().value as string);
  }

  has(traceId: string): boolean {
    return this.ids.has(traceId);
  }

  get size(): number {
    return this.ids.size;
  }
}
