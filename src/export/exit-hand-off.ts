/**
 * The last resort when the app calls process.exit() (or crashes): only
 * synchronous code runs in an 'exit' listener, so the batch processor's
 * timers and the exporter's sockets never get another turn. Spans not yet
 * handed to the exporter are encoded as the exporter encodes them (for
 * http/protobuf tracehop's own encoder, src/export/; for http/json the
 * exporter's serializer) and posted by a short-lived child `node`, which the exiting process waits for,
 * at most TRACEHOP_SHUTDOWN_TIMEOUT_MS. One attempt, no retry.
 *
 * The child reaches the collector as the exporter does: the same headers,
 * the same compression (OTEL_EXPORTER_OTLP_[TRACES_]COMPRESSION), the same
 * TLS files (the certificate authority and the client's key and certificate
 * of OTEL_EXPORTER_OTLP_[TRACES_]CERTIFICATE, CLIENT_KEY, CLIENT_CERTIFICATE,
 * read once: tls-files.ts), and of the environment only the
 * variables that decide how a request reaches it (certificate authorities
 * such as NODE_EXTRA_CA_CERTS, TLS verification, proxies:
 * `Config.exportEnvironment`), so no NODE_OPTIONS: no preload (tracehop's or
 * the app's) and no app code runs in it. Its instructions arrive on stdin, so
 * header values and the client key (credentials) stay out of the process list.
 */
import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { Config, Protocol } from '../config';
import { isEncodedSpan, librarySerializerWhenNeeded, tracehopTraceSerializer } from '.';
import type { QueuedSpan, TraceSerializer } from '.';
import type { TlsOptions } from './tls-files';

/** Sends spans (or their encoded stand-ins) synchronously; true when the collector accepted them. */
export type SyncSender = (spans: QueuedSpan[]) => boolean;

// stdin: one line of JSON ({ url, headers, timeout, gzip, tls }), then the
// request body. Exit status 0 only for a 2xx answer. The body is compressed
// here, in the child, so that the exiting process does no more than encode.
const POST_SCRIPT = `'use strict';
const chunks = [];
process.stdin.on('data', chunk => chunks.push(chunk));
process.stdin.on('end', () => {
  const input = Buffer.concat(chunks);
  const newline = input.indexOf(10);
  const { url, headers, timeout, gzip, tls } = JSON.parse(input.subarray(0, newline).toString('utf8'));
  const raw = input.subarray(newline + 1);
  const body = gzip ? require('node:zlib').gzipSync(raw) : raw;
  const https = url.startsWith('https:');
  const transport = require(https ? 'node:https' : 'node:http');
  const encoding = gzip ? { 'Content-Encoding': 'gzip' } : {};
  const request = transport.request(url, { method: 'POST', headers: { ...headers, ...encoding, 'Content-Length': body.length }, timeout, ...(https ? tls : {}) }, response => {
    response.resume();
    response.on('end', () => process.exit(response.statusCode >= 200 && response.statusCode < 300 ? 0 : 1));
  });
  request.on('timeout', () => request.destroy());
  request.on('error', () => process.exit(1));
  request.end(body);
});`;

/**
 * The sender for the OTLP pipeline, or undefined when there must be no
 * hand-off: TRACEHOP_SHUTDOWN_TIMEOUT_MS=0, or a binary that is not a plain
 * `node` (see `isPlainNode`).
 */
export function otlpExitSender(config: Config, tls: () => TlsOptions = () => ({})): SyncSender | undefined {
  const timeout = config.shutdownTimeoutMillis;
  if (timeout === 0) return undefined;
  return spans => {
    if (!isPlainNode()) return false;
    const serializer = loadSerializer(config.protocol);
    const body = serializer?.serializeRequest(spans);
    if (body === undefined) return false;
    const contentType = config.protocol === 'http/json' ? 'application/json' : 'application/x-protobuf';
    const instructions = JSON.stringify({
      url: config.tracesEndpoint,
      headers: { ...config.exporterHeaders, 'Content-Type': contentType },
      timeout,
      gzip: config.compression === 'gzip',
      tls: tls(),
    });
    const child = spawnSync(process.execPath, ['-e', POST_SCRIPT], {
      input: Buffer.concat([Buffer.from(`${instructions}\n`), body]),
      env: { ...config.exportEnvironment },
      timeout,
      killSignal: 'SIGKILL',
      stdio: ['pipe', 'ignore', 'ignore'],
      windowsHide: true,
    });
    return child.status === 0;
  };
}

/**
 * The serializer the exporter itself uses: for protobuf tracehop's encoder,
 * with the library's serializer loaded only if it must take over a batch (so
 * an exit does not wait for that package to load); for JSON the library's,
 * resolved from the exporter's own location so it is the very version that
 * exporter depends on.
 */
function loadSerializer(protocol: Protocol): TraceSerializer | undefined {
  if (protocol === 'http/protobuf') return tracehopTraceSerializer(librarySerializerWhenNeeded());
  let json: TraceSerializer<unknown, ReadableSpan>;
  try {
    const transformerPath = require.resolve('@opentelemetry/otlp-transformer', {
      paths: [dirname(require.resolve('@opentelemetry/exporter-trace-otlp-http'))],
    });
    json = (require(transformerPath) as { JsonTraceSerializer: TraceSerializer<unknown, ReadableSpan> }).JsonTraceSerializer;
  } catch {
    // No hand-off: its spans are counted as failed, in the span counts line at exit.
    return undefined;
  }
  return {
    // The http/json exporter never queues stand-ins (they are protobuf bytes); a batch holding one cannot be sent as JSON.
    serializeRequest: spans => (spans.some(isEncodedSpan) ? undefined : json.serializeRequest(spans.filter(isSpan))),
    deserializeResponse: data => json.deserializeResponse(data),
  };
}

function isSpan(span: QueuedSpan): span is ReadableSpan {
  return !isEncodedSpan(span);
}

/**
 * `process.execPath -e script` runs the script only in a plain node binary. A
 * single-executable app, a pkg binary or Electron would start the app itself
 * again instead, which must never happen after it asked to exit. Without
 * `node:sea` (Node before 20.12) a single-executable app cannot be told
 * apart, so there is no hand-off.
 */
function isPlainNode(): boolean {
  if (process.release?.name !== 'node' || process.versions.electron !== undefined || 'pkg' in process) return false;
  try {
    return !(require('node:sea') as { isSea(): boolean }).isSea();
  } catch {
    // No node:sea (or it refused): not provably a plain node, so no hand-off; the span counts say what stayed unsent.
    return false;
  }
}
