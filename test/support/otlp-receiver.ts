/**
 * An in-process OTLP/HTTP trace receiver for tests: it accepts what the real
 * OpenTelemetry JS exporters send (protobuf or JSON, optionally gzipped), keeps the
 * decoded spans and lets a test wait for the spans it expects.
 *
 * It answers like a collector would, so exporters see a successful export and do not
 * retry; `status` makes it answer every request with another status instead, to
 * exercise exporter failure handling.
 */
import * as http from 'node:http';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { decodeJsonExportTraceServiceRequest } from './otlp-json';
import { decodeExportTraceServiceRequest, type ReceivedResourceSpans, type ReceivedSpan } from './otlp-protobuf';
import { listenOnLoopback } from './ports';

export type { ReceivedAttributes, ReceivedAttributeValue, ReceivedEvent, ReceivedLink, ReceivedResourceSpans, ReceivedSpan } from './otlp-protobuf';

export interface OtlpReceiverOptions {
  /** HTTP status for every export request; spans are only stored when it is 2xx. Default 200. */
  status?: number;
  /** Refuse (415) a request whose body is not gzipped, as a collector that requires compression would. Default false. */
  requireGzip?: boolean;
}

export interface OtlpReceiver {
  /** Base URL, e.g. http://127.0.0.1:40123 (for OTEL_EXPORTER_OTLP_ENDPOINT). */
  readonly url: string;
  /** `url` + '/v1/traces' (for OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or an exporter's `url`). */
  readonly tracesUrl: string;
  /** Every span accepted so far, in arrival order, flattened across resources and scopes. */
  readonly spans: ReceivedSpan[];
  /** POST /v1/traces requests seen, including rejected and undecodable ones. */
  readonly requests: number;
  /** The media type (parameters dropped) of every request, in arrival order. */
  readonly contentTypes: string[];
  /** The content-encoding of every request ('identity' when absent), in arrival order. */
  readonly contentEncodings: string[];
  /** Why requests were refused (bad path, media type, encoding or body), for diagnosing failures. */
  readonly errors: string[];
  /**
   * Resolves with a snapshot of all spans as soon as they satisfy `predicate`
   * (checked now and after every accepted batch); rejects after `timeoutMs`
   * (default 15 000) with a summary of what did arrive.
   */
  waitForSpans(predicate: (spans: ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<ReceivedSpan[]>;
  /** Stops listening, drops keep-alive connections and rejects pending waits. */
  close(): Promise<void>;
}

const TRACES_PATH = '/v1/traces';
const DEFAULT_WAIT_MS = 15_000;
const gunzip = promisify(zlib.gunzip);

interface Waiter {
  predicate: (spans: ReceivedSpan[]) => boolean;
  resolve: (spans: ReceivedSpan[]) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function describeSpans(spans: ReceivedSpan[]): string {
  if (spans.length === 0) return '  (none)';
  return spans.map(s => `  ${s.service} "${s.name}" kind=${s.kind} trace=${s.traceId} span=${s.spanId} parent=${s.parentSpanId ?? '-'}`).join('\n');
}

function readBody(request: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
    // A connection dropped mid-body (for example by close()) may end with 'close' alone.
    request.on('close', () => {
      if (!request.complete) reject(new Error('request aborted before its body was complete'));
    });
  });
}

class Receiver implements OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly contentTypes: string[] = [];
  readonly contentEncodings: string[] = [];
  readonly errors: string[] = [];
  requests = 0;
  private readonly waiters = new Set<Waiter>();

  constructor(
    private readonly server: http.Server,
    readonly url: string,
    private readonly status: number,
    private readonly requireGzip = false,
  ) {}

  get tracesUrl(): string {
    return this.url + TRACES_PATH;
  }

  async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const path = (request.url ?? '').split('?')[0];
    if (request.method !== 'POST' || path !== TRACES_PATH) {
      // The body is drained so a keep-alive connection stays usable for the next request.
      request.resume();
      this.refuse(response, new HttpError(404, `${request.method} ${request.url} is not an OTLP trace endpoint`));
      return;
    }
    this.requests += 1;
    const mediaType = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    this.contentTypes.push(mediaType);
    try {
      const body = await this.readDecompressed(request);
      const batch = this.decode(mediaType, body);
      if (this.status < 200 || this.status > 299) {
        response.writeHead(this.status).end();
        return;
      }
      this.accept(batch);
      if (mediaType === 'application/json') {
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } else {
        // An ExportTraceServiceResponse with no partial_success encodes to zero bytes.
        response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      }
    } catch (error) {
      this.refuse(response, error instanceof HttpError ? error : new HttpError(400, String(error)));
    }
  }

  waitForSpans(predicate: (spans: ReceivedSpan[]) => boolean, timeoutMs = DEFAULT_WAIT_MS): Promise<ReceivedSpan[]> {
    return new Promise((resolve, reject) => {
      try {
        if (predicate(this.spans)) {
          resolve([...this.spans]);
          return;
        }
      } catch (error) {
        reject(error);
        return;
      }
      const waiter: Waiter = {
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(
            new Error(
              `OTLP receiver: spans did not match within ${timeoutMs} ms; ` +
                `${this.requests} request(s), ${this.spans.length} span(s) received:\n${describeSpans(this.spans)}` +
                (this.errors.length > 0 ? `\nrefused requests:\n  ${this.errors.join('\n  ')}` : ''),
            ),
          );
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  async close(): Promise<void> {
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error('OTLP receiver closed before the expected spans arrived'));
    }
    this.waiters.clear();
    const closed = new Promise<void>((resolve, reject) => this.server.close(error => (error ? reject(error) : resolve())));
    // server.close() alone waits for idle keep-alive sockets (which exporters' agents hold open) to time out.
    this.server.closeAllConnections();
    await closed;
  }

  private async readDecompressed(request: http.IncomingMessage): Promise<Buffer> {
    const raw = await readBody(request);
    const encoding = (request.headers['content-encoding'] ?? '').trim().toLowerCase() || 'identity';
    this.contentEncodings.push(encoding);
    if (encoding === 'identity' && this.requireGzip) throw new HttpError(415, 'this receiver requires content-encoding gzip');
    if (encoding === 'identity') return raw;
    if (encoding === 'gzip') return gunzip(raw);
    throw new HttpError(415, `unsupported content-encoding ${encoding}`);
  }

  private decode(mediaType: string, body: Buffer): ReceivedResourceSpans[] {
    if (mediaType === 'application/x-protobuf') {
      return decodeExportTraceServiceRequest(new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
    }
    if (mediaType === 'application/json') {
      return decodeJsonExportTraceServiceRequest(JSON.parse(body.toString('utf8')));
    }
    throw new HttpError(415, `unsupported content-type ${mediaType || '(none)'}`);
  }

  private accept(batch: ReceivedResourceSpans[]): void {
    for (const resourceSpans of batch) this.spans.push(...resourceSpans.spans);
    for (const waiter of [...this.waiters]) {
      let matched: boolean;
      try {
        matched = waiter.predicate(this.spans);
      } catch (error) {
        this.settle(waiter);
        waiter.reject(error instanceof Error ? error : new Error(String(error)));
        continue;
      }
      if (matched) {
        this.settle(waiter);
        waiter.resolve([...this.spans]);
      }
    }
  }

  private settle(waiter: Waiter): void {
    clearTimeout(waiter.timer);
    this.waiters.delete(waiter);
  }

  private refuse(response: http.ServerResponse, error: HttpError): void {
    this.errors.push(`${error.status} ${error.message}`);
    response.writeHead(error.status, { 'content-type': 'text/plain' }).end(error.message);
  }
}

/** Starts a receiver on an ephemeral 127.0.0.1 port. */
export async function startOtlpReceiver(options: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
  const server = http.createServer();
  const port = await listenOnLoopback(server);
  const receiver = new Receiver(server, `http://127.0.0.1:${port}`, options.status ?? 200, options.requireGzip);
  server.on('request', (request, response) => {
    // A failure after the response has started (client went away) has no one left to tell.
    receiver.handle(request, response).catch(() => response.destroy());
  });
  return receiver;
}
