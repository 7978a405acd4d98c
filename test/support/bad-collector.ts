/**
 * A misbehaving OTLP/HTTP collector for fault tests, on an ephemeral
 * 127.0.0.1 port. Its mode can be switched while an app exports to it:
 *
 * - healthy: decodes the spans (protobuf or JSON) and answers 200;
 * - down: nothing listens on the port, so connections are refused; switching
 *   back listens on the same port again (a collector that comes back);
 * - hang: accepts the connection, reads the request, never answers;
 * - status: answers every request with that status, and `Retry-After` when given;
 * - reset: resets the connection (TCP RST) once the request starts arriving;
 * - drip: reads the request, answers 200 and then sends its body one byte
 *   every `intervalMs`, never ending it (each byte resets a socket's idle timer).
 *
 * Every request is recorded with its arrival time and the mode that met it.
 */
import * as http from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import * as zlib from 'node:zlib';
import { decodeJsonExportTraceServiceRequest } from './otlp-json';
import { decodeExportTraceServiceRequest } from './otlp-protobuf';
import type { ReceivedSpan } from './otlp-protobuf';
import { listenOnLoopback } from './ports';

export type CollectorMode =
  | { readonly kind: 'healthy' }
  | { readonly kind: 'down' }
  | { readonly kind: 'hang' }
  | { readonly kind: 'status'; readonly status: number; readonly retryAfter?: string }
  | { readonly kind: 'reset' }
  | { readonly kind: 'drip'; readonly intervalMs: number };

export interface CollectorRequest {
  /** performance.now() when the request's headers arrived. */
  readonly at: number;
  readonly mode: CollectorMode['kind'];
  /** Spans in the request, when the collector was healthy and decoded it. */
  readonly spans: number;
}

export interface BadCollector {
  /** Base URL, for OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly url: string;
  /** `url` + '/v1/traces', for OTEL_EXPORTER_OTLP_TRACES_ENDPOINT. */
  readonly tracesUrl: string;
  readonly mode: CollectorMode;
  /** Every request that reached the collector (none arrive while it is down). */
  readonly requests: readonly CollectorRequest[];
  /** Every span accepted while healthy, in arrival order. */
  readonly spans: readonly ReceivedSpan[];
  /** Resolves once the mode is in force (for `down` and back: once the port is closed or listening again). */
  setMode(mode: CollectorMode): Promise<void>;
  /** Resolves when `check` holds, checked now and after every request; rejects after `timeoutMs`. */
  waitFor(what: string, check: (collector: BadCollector) => boolean, timeoutMs?: number): Promise<void>;
  /** Stops listening and destroys every connection, hung ones included. */
  close(): Promise<void>;
}

const TRACES_PATH = '/v1/traces';

class Collector implements BadCollector {
  readonly requests: CollectorRequest[] = [];
  readonly spans: ReceivedSpan[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly waiters = new Set<() => void>();
  private current: CollectorMode;

  constructor(
    private readonly server: http.Server,
    private readonly port: number,
    mode: CollectorMode,
  ) {
    this.current = mode;
    server.on('connection', socket => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    server.on('request', (request, response) => this.handle(request, response));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get tracesUrl(): string {
    return this.url + TRACES_PATH;
  }

  get mode(): CollectorMode {
    return this.current;
  }

  async setMode(mode: CollectorMode): Promise<void> {
    const wasDown = this.current.kind === 'down';
    this.current = mode;
    if (mode.kind === 'down' && !wasDown) await this.stopListening();
    if (mode.kind !== 'down' && wasDown) await this.listen();
  }

  waitFor(what: string, check: (collector: BadCollector) => boolean, timeoutMs = 15_000): Promise<void> {
    if (check(this)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = () => {
        if (!check(this)) return;
        this.waiters.delete(waiter);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(
          new Error(`bad collector: ${what} did not happen within ${timeoutMs} ms; ${this.requests.length} request(s), ${this.spans.length} span(s) accepted`),
        );
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  async close(): Promise<void> {
    this.waiters.clear();
    if (this.current.kind !== 'down') await this.stopListening();
  }

  // The same port again. Nothing reserves it while the collector is down, but
  // the kernel hands out ephemeral loopback ports in rotation, so in practice
  // it is still free a few seconds later.
  private listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  private stopListening(): Promise<void> {
    const closed = new Promise<void>(resolve => this.server.close(() => resolve()));
    // Kept-alive and hung connections too: a collector that is down answers nothing.
    for (const socket of this.sockets) socket.destroy();
    return closed;
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    const mode = this.current;
    const at = performance.now();
    if (mode.kind === 'reset') {
      const reset = () => request.socket.resetAndDestroy();
      request.once('data', reset);
      request.once('end', reset);
      this.record({ at, mode: mode.kind, spans: 0 });
      return;
    }
    if (mode.kind === 'hang') {
      request.resume();
      this.record({ at, mode: mode.kind, spans: 0 });
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (mode.kind === 'status') {
        response.writeHead(mode.status, mode.retryAfter === undefined ? {} : { 'Retry-After': mode.retryAfter }).end();
        this.record({ at, mode: mode.kind, spans: 0 });
        return;
      }
      if (mode.kind === 'drip') {
        response.writeHead(200, { 'Content-Type': 'application/x-protobuf' });
        response.flushHeaders();
        const drip = setInterval(() => response.write(Buffer.alloc(1)), mode.intervalMs);
        response.once('close', () => clearInterval(drip));
        this.record({ at, mode: mode.kind, spans: 0 });
        return;
      }
      const spans = this.decode(request, Buffer.concat(chunks));
      if (spans === undefined || request.url?.split('?')[0] !== TRACES_PATH) {
        response.writeHead(400).end();
        this.record({ at, mode: mode.kind, spans: 0 });
        return;
      }
      this.spans.push(...spans);
      response.writeHead(200, { 'Content-Type': request.headers['content-type'] ?? 'application/x-protobuf' }).end();
      this.record({ at, mode: mode.kind, spans: spans.length });
    });
  }

  private decode(request: http.IncomingMessage, raw: Buffer): ReceivedSpan[] | undefined {
    try {
      const body = request.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(raw) : raw;
      const mediaType = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      const batch =
        mediaType === 'application/json'
          ? decodeJsonExportTraceServiceRequest(JSON.parse(body.toString('utf8')))
          : decodeExportTraceServiceRequest(new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
      return batch.flatMap(resourceSpans => resourceSpans.spans);
    } catch {
      return undefined;
    }
  }

  private record(entry: CollectorRequest): void {
    this.requests.push(entry);
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** Starts a collector on an ephemeral 127.0.0.1 port, in `mode` (default healthy). */
export async function startBadCollector(mode: CollectorMode = { kind: 'healthy' }): Promise<BadCollector> {
  const server = http.createServer();
  const collector = new Collector(server, await listenOnLoopback(server), { kind: 'healthy' });
  await collector.setMode(mode);
  return collector;
}
