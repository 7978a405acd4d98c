/**
 * The OTLP/HTTP trace receiver (OTLP specification, "OTLP/HTTP"): POST
 * /v1/traces with an ExportTraceServiceRequest in protobuf
 * (application/x-protobuf) or JSON (application/json), optionally gzipped.
 * A success is answered as a collector would, so exporters do not retry; a
 * body that cannot be decoded gets 400 and is reported, and the receiver
 * keeps going.
 */
import * as http from 'node:http';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { decodeJsonExportTraceServiceRequest } from '../../otlp/decode-json';
import { decodeExportTraceServiceRequest } from '../../otlp/decode-protobuf';
import type { ReceivedSpan } from '../../otlp/decode-protobuf';

export const TRACES_PATH = '/v1/traces';
/** Larger than any batch the OpenTelemetry exporters send (512 spans of a few KB), small enough to bound memory. */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;
const gunzip = promisify(zlib.gunzip);

export interface ReceiverHandlers {
  onSpans(spans: ReceivedSpan[]): void;
  /** One refused request, with why; never the body. */
  onRefused(status: number, reason: string): void;
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** An http.Server that decodes trace exports and hands their spans on. Not yet listening. */
export function createReceiver(handlers: ReceiverHandlers): http.Server {
  return http.createServer((request, response) => {
    handle(request, handlers).then(
      mediaType => {
        if (mediaType === 'application/json') response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        // An ExportTraceServiceResponse with no partial_success encodes to zero bytes.
        else response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      },
      (error: unknown) => {
        const refusal = error instanceof Refusal ? error : new Refusal(400, error instanceof Error ? error.message : String(error));
        handlers.onRefused(refusal.status, refusal.message);
        if (!response.headersSent) response.writeHead(refusal.status, { 'content-type': 'text/plain' }).end(`${refusal.message}\n`);
      },
    );
  });
}

async function handle(request: http.IncomingMessage, handlers: ReceiverHandlers): Promise<string> {
  const path = (request.url ?? '').split('?')[0];
  if (request.method !== 'POST' || path !== TRACES_PATH) {
    request.resume();
    throw new Refusal(404, `${request.method ?? '?'} ${path.slice(0, 100)} is not ${TRACES_PATH}`);
  }
  const mediaType = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (mediaType !== 'application/x-protobuf' && mediaType !== 'application/json') {
    request.resume();
    throw new Refusal(415, `unsupported content-type ${JSON.stringify(mediaType.slice(0, 100))}`);
  }
  const encoding = (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip') {
    request.resume();
    throw new Refusal(415, `unsupported content-encoding ${JSON.stringify(encoding.slice(0, 100))}`);
  }
  const raw = await readBody(request);
  const body =
    encoding === 'gzip'
      ? await gunzip(raw, { maxOutputLength: MAX_BODY_BYTES }).catch(() => {
          throw new Refusal(400, 'malformed gzip body');
        })
      : raw;
  let batch;
  try {
    batch =
      mediaType === 'application/json'
        ? decodeJsonExportTraceServiceRequest(JSON.parse(body.toString('utf8')))
        : decodeExportTraceServiceRequest(new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
  } catch (error) {
    throw new Refusal(
      400,
      `malformed ${mediaType === 'application/json' ? 'OTLP/JSON' : 'OTLP protobuf'} body: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  handlers.onSpans(
    batch.flatMap(resourceSpans => resourceSpans.spans).filter(span => /^[0-9a-f]{32}$/.test(span.traceId) && /^[0-9a-f]{16}$/.test(span.spanId)),
  );
  return mediaType;
}

function readBody(request: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Refusal(413, `body larger than ${MAX_BODY_BYTES} bytes`));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
    request.on('close', () => {
      if (!request.complete) reject(new Refusal(400, 'request aborted before its body was complete'));
    });
  });
}
