/**
 * A Sentry ingest on loopback: accepts envelope POSTs (`/api/<project>/envelope/`,
 * gzipped or not), splits each envelope into its header and items
 * (newline-separated JSON: an item header, then its payload, of `length`
 * bytes when the header says so), and keeps the events, the logs, the
 * headers each request came with, and Sentry's own spans (streamed span
 * items, or the spans of a transaction, one shape for both).
 */
import * as http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { listenOnLoopback } from './ports';

export type SentryEvent = Record<string, unknown> & {
  event_id?: string;
  message?: string | { formatted?: string };
  exception?: { values?: { type?: string; value?: string }[] };
  tags?: Record<string, string>;
  contexts?: Record<string, Record<string, unknown>>;
  breadcrumbs?: { category?: string; message?: string; level?: string; data?: Record<string, unknown> }[];
};

/** One Sentry log (an item of a `log` envelope item's `items`). */
export type SentryLog = Record<string, unknown> & { body?: string; level?: string; trace_id?: string; attributes?: Record<string, { value?: unknown }> };

/** One of Sentry's spans, as a streamed span item has it (a transaction's own span and its children are given this shape). */
export interface SentrySpan {
  trace_id: string;
  span_id: string;
  parent_span_id?: string;
  name?: string;
  is_segment?: boolean;
}

/** The spans of one envelope item: a streamed span container (`items`) or a transaction. Pure. */
export function spansOfItem(type: unknown, payload: Record<string, unknown>): SentrySpan[] {
  if (type === 'span') return (Array.isArray(payload.items) ? payload.items : [payload]) as SentrySpan[];
  if (type !== 'transaction') return [];
  const own = (payload.contexts as { trace?: SentrySpan } | undefined)?.trace;
  const children = ((payload.spans ?? []) as (SentrySpan & { description?: string })[]).map(span => ({ ...span, name: span.description, is_segment: false }));
  return own === undefined ? children : [{ ...own, name: String(payload.transaction), is_segment: true }, ...children];
}

export interface SentryReceiver {
  /** `http://public@127.0.0.1:PORT/1`. */
  readonly dsn: string;
  readonly port: number;
  readonly events: SentryEvent[];
  /** Every log received (`enableLogs`), in arrival order. */
  readonly logs: SentryLog[];
  /** Sentry's own spans, streamed or in transactions. */
  readonly spans: SentrySpan[];
  /** The headers of every envelope request received. */
  readonly requestHeaders: http.IncomingHttpHeaders[];
  waitForEvents(count: number, timeoutMs?: number): Promise<SentryEvent[]>;
  /** Resolves with a copy of the spans once they satisfy `predicate`. */
  waitForSpans(predicate: (spans: SentrySpan[]) => boolean, timeoutMs?: number): Promise<SentrySpan[]>;
  close(): Promise<void>;
}

/** The items of one envelope body: [item header, payload] pairs. Pure. */
export function envelopeItems(body: Buffer): { header: Record<string, unknown>; payload: Buffer }[] {
  const items: { header: Record<string, unknown>; payload: Buffer }[] = [];
  let offset = body.indexOf(0x0a) + 1; // past the envelope header
  if (offset === 0) return items;
  while (offset < body.length) {
    const headerEnd = body.indexOf(0x0a, offset);
    if (headerEnd === -1) break;
    const header = JSON.parse(body.subarray(offset, headerEnd).toString('utf8')) as Record<string, unknown>;
    const start = headerEnd + 1;
    let end: number;
    if (typeof header.length === 'number') end = start + header.length;
    else {
      const newline = body.indexOf(0x0a, start);
      end = newline === -1 ? body.length : newline;
    }
    items.push({ header, payload: body.subarray(start, end) });
    offset = end + 1;
  }
  return items;
}

export async function startSentryReceiver(): Promise<SentryReceiver> {
  const events: SentryEvent[] = [];
  const logs: SentryLog[] = [];
  const spans: SentrySpan[] = [];
  const requestHeaders: http.IncomingHttpHeaders[] = [];
  const waiters = new Set<() => void>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requestHeaders.push(req.headers);
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      for (const item of envelopeItems(body)) {
        if (item.header.type === 'event') events.push(JSON.parse(item.payload.toString('utf8')) as SentryEvent);
        else if (item.header.type === 'log') logs.push(...(JSON.parse(item.payload.toString('utf8')) as { items: SentryLog[] }).items);
        else if (item.header.type === 'span' || item.header.type === 'transaction')
          spans.push(...spansOfItem(item.header.type, JSON.parse(item.payload.toString('utf8')) as Record<string, unknown>));
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      for (const wake of waiters) wake();
    });
  });
  /** Resolves with what `ready` returns once it returns something, checked as each envelope arrives. */
  function waitUntil<T>(ready: () => T | undefined, failure: () => string, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const value = ready();
        if (value === undefined) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(value);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(failure()));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  }
  const port = await listenOnLoopback(server);
  return {
    dsn: `http://public@127.0.0.1:${port}/1`,
    port,
    events,
    logs,
    requestHeaders,
    spans,
    waitForEvents(count, timeoutMs = 15_000) {
      return waitUntil(
        () => (events.length >= count ? [...events] : undefined),
        () => `${events.length} Sentry events of ${count} after ${timeoutMs} ms`,
        timeoutMs,
      );
    },
    waitForSpans(predicate, timeoutMs = 15_000) {
      return waitUntil(
        () => (predicate(spans) ? [...spans] : undefined),
        () => `Sentry's spans did not match after ${timeoutMs} ms: ${spans.length} received`,
        timeoutMs,
      );
    },
    close: () => new Promise(resolve => server.close(() => resolve())),
  };
}
