/**
 * The viewer: a receiver listening, a buffer of pending traces, an index of
 * logs waiting for their spans, and a timer that hands each trace on once it
 * has been quiet for the interval (no span and no log line of it). A log line
 * of a trace already handed on is handed on by itself, as a late log. Used by
 * `tracehop view` and embedded by the demo.
 */
import type { AddressInfo } from 'node:net';
import type { LogFieldNames } from '../../config';
import { PrintedTraces } from './late-logs';
import type { LateLogDocument } from './late-logs';
import { LogIndex, parseSpanLogLine } from './log-index';
import { createReceiver } from './receiver';
import { buildTraceDocument } from './trace-document';
import type { TraceDocument } from './trace-document';
import { TraceBuffer } from './trace-buffer';
import type { EvictionCounts, PendingTrace } from './trace-buffer';

export interface ViewerOptions {
  readonly host: string;
  readonly port: number;
  readonly quietMs: number;
  readonly maxSpans: number;
  readonly maxTraces: number;
  readonly maxLogs: number;
  readonly logFields: LogFieldNames;
  /** Each complete trace, once. */
  readonly onTrace: (doc: TraceDocument) => void;
  /** A log line of a trace already handed to onTrace (one of the last `maxTraces`); without it such lines are dropped. */
  readonly onLateLog?: (doc: LateLogDocument) => void;
  /** One line about the viewer itself (a refused body, evictions), for stderr. */
  readonly onNotice: (line: string) => void;
}

export interface Viewer {
  /** `http://host:port`, the value for OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly url: string;
  readonly port: number;
  /** Feeds one pino line; lines without a span id are ignored. Its time of arrival is when it is fed. */
  addLogLine(text: string): void;
  readonly evicted: EvictionCounts;
  readonly droppedLogs: number;
  /** Hands on every pending trace now, complete or not. */
  flush(): void;
  /** Stops listening, after flushing. */
  close(): Promise<void>;
}

export const DEFAULT_VIEW_PORT = 4318;
export const DEFAULT_VIEW_HOST = '127.0.0.1';
export const DEFAULT_QUIET_MS = 1000;
export const DEFAULT_MAX_SPANS = 100_000;
export const DEFAULT_MAX_TRACES = 10_000;
export const DEFAULT_MAX_LOGS = 100_000;

/** Starts listening; rejects with the listen error (EADDRINUSE and the like). */
export async function startViewer(options: ViewerOptions): Promise<Viewer> {
  const buffer = new TraceBuffer(options);
  const logs = new LogIndex(options.maxLogs);
  // As many as may be pending: a trace is remembered about as long as it could have waited.
  const printed = new PrintedTraces(options.maxTraces);
  let timer: NodeJS.Timeout | undefined;
  let reportedEvictions = 0;

  const emit = (traces: PendingTrace[]): void => {
    for (const trace of traces) {
      printed.add(trace.traceId);
      options.onTrace(buildTraceDocument(trace.traceId, trace.spans, spanId => logs.take(spanId)));
    }
  };
  const schedule = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    const due = buffer.nextDue();
    timer = due === undefined ? undefined : setTimeout(tick, Math.max(0, due - Date.now()));
  };
  const tick = (): void => {
    timer = undefined;
    emit(buffer.takeComplete(Date.now()));
    if (buffer.evicted.traces > reportedEvictions) {
      options.onNotice(
        `evicted ${buffer.evicted.traces - reportedEvictions} trace(s) over the cap (${options.maxSpans} spans, ${options.maxTraces} traces pending); ${buffer.evicted.traces} trace(s), ${buffer.evicted.spans} span(s) so far`,
      );
      reportedEvictions = buffer.evicted.traces;
    }
    schedule();
  };

  const server = createReceiver({
    onSpans: spans => {
      buffer.add(spans, Date.now());
      if (timer === undefined) schedule();
    },
    onRefused: (status, reason) => options.onNotice(`refused an export (${status}): ${reason}`),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const viewer: Viewer = {
    url: `http://${host}:${port}`,
    port,
    evicted: buffer.evicted,
    get droppedLogs() {
      return logs.dropped;
    },
    addLogLine(text) {
      const parsed = parseSpanLogLine(text, options.logFields);
      if (parsed === null) return;
      const { traceId, spanId, record } = parsed;
      // Pending: it waits for its trace, and keeps the trace waiting. Printed: it goes on by itself. Neither: its spans are still to come.
      if (traceId !== undefined && !buffer.noteLog(traceId, Date.now()) && printed.has(traceId)) {
        options.onLateLog?.({ traceId, spanId, lateLog: record });
        return;
      }
      logs.add(spanId, record);
    },
    flush() {
      emit(buffer.takeAll());
      schedule();
    },
    async close() {
      viewer.flush();
      if (timer !== undefined) clearTimeout(timer);
      const closed = new Promise<void>(resolve => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
  return viewer;
}
