/**
 * A Sentry ingest on loopback: accepts envelope POSTs (`/api/<project>/envelope/`,
 * gzipped or not), splits each envelope into its header and items
 * (newline-separated JSON: an item header, then its payload, of `length`
 * bytes when the header says so), and keeps the events, the logs and the
 * headers each request came with.
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

export interface SentryReceiver {
  /** `http://public@127.0.0.1:PORT/1`. */
  readonly dsn: string;
  readonly port: number;
  readonly events: SentryEvent[];
  /** Every log received (`enableLogs`), in arrival order. */
  readonly logs: SentryLog[];
  /** The headers of every envelope request received. */
  readonly requestHeaders: http.IncomingHttpHeaders[];
  waitForEvents(count: number, timeoutMs?: number): Promise<SentryEvent[]>;
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
        if (item.header.type === 'log') logs.push(...(JSON.parse(item.payload.toString('utf8')) as { items: SentryLog[] }).items);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      for (const wake of waiters) wake();
    });
  });
  const port = await listenOnLoopback(server);
  return {
    dsn: `http://public@127.0.0.1:${port}/1`,
    port,
    events,
    logs,
    requestHeaders,
    waitForEvents(count, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (events.length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve([...events]);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${events.length} Sentry events of ${count} after ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise(resolve => server.close(() => resolve())),
  };
}
