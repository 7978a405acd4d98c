/**
 * tracehop's own server span, over real http and https servers: one span
 * per request (aborted ones included, none left open), the handler's awaited
 * work inside it, status ERROR on 5xx, ignored paths, and a route name set
 * by a framework integration on the active span.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { startOtlpReceiver } from '../support/otlp-receiver';
import type { OtlpReceiver, ReceivedSpan } from '../support/otlp-receiver';
import { startService } from '../support/services';
import type { LogLine, Service } from '../support/services';

jest.setTimeout(60000);

const APP = path.join(__dirname, '..', 'fixtures', 'server-span-app.js');
// OTLP SpanKind and StatusCode numbers.
const SERVER = 2;
const STATUS_ERROR = 2;

let receiver: OtlpReceiver;
let service: Service;
let httpsPort: number;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tracehop-server-span-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'], {
    stdio: 'ignore',
  });
  receiver = await startOtlpReceiver();
  service = await startService('server-span-app', APP, {
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl,
    OTEL_BSP_SCHEDULE_DELAY: '50',
    TRACEHOP_IGNORE_PATHS: '/health',
    FIXTURE_TLS_KEY: key,
    FIXTURE_TLS_CERT: cert,
  });
  const listening = await service.waitForLine(line => line.msg === 'listening');
  httpsPort = Number(listening.httpsPort);
});

afterAll(async () => {
  await service?.stop();
  await receiver?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const client = url.startsWith('https:') ? https : http;
    client
      .get(url, { headers, rejectUnauthorized: false }, res => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      })
      .on('error', reject);
  });
}

/** A request the client gives up on once the handler has seen it. */
async function abandon(url: string): Promise<void> {
  const seen = service.lines.filter(line => line.msg === 'hanging').length;
  const request = http.get(url);
  request.on('error', () => {});
  await service.waitForLine(() => service.lines.filter(line => line.msg === 'hanging').length > seen);
  request.destroy();
}

function serverSpansFor(spans: ReceivedSpan[], urlPath: string): ReceivedSpan[] {
  return spans.filter(s => s.kind === SERVER && s.attributes['url.path'] === urlPath);
}

test('every request received makes exactly one server span, aborted ones included, and ignored paths none', async () => {
  const base = service.url;
  await Promise.all([get(`${base}/work/a`), get(`${base}/fail`), get(`${base}/users/7`), get(`${base}/health`)]);
  await abandon(`${base}/hang`);
  await abandon(`${base}/hang`);
  await receiver.waitForSpans(all => serverSpansFor(all, '/hang').length >= 2);
  await get(`${base}/work/last`);
  const all = await receiver.waitForSpans(received => serverSpansFor(received, '/work/last').length >= 1);
  const servers = all.filter(s => s.kind === SERVER);
  expect(servers.map(s => s.attributes['url.path']).sort()).toEqual(['/fail', '/hang', '/hang', '/users/7', '/work/a', '/work/last']);
  expect(servers.every(s => s.endTimeUnixNano >= s.startTimeUnixNano)).toBe(true);
  expect(servers.every(s => s.scope === 'tracehop-http-server')).toBe(true);
});

test("the handler's awaited work runs inside the server span, whose id is in the log line", async () => {
  const res = await get(`${service.url}/work/ctx?q=1`);
  const requestId = String(res.headers['x-request-id']);
  const line: LogLine = await service.waitForLine(l => l.msg === 'awaited work done' && l.request_id === requestId);
  const [span] = await receiver.waitForSpans(all => serverSpansFor(all, '/work/ctx').length === 1).then(all => serverSpansFor(all, '/work/ctx'));
  expect(line.trace_id).toBe(span.traceId);
  expect(line.span_id).toBe(span.spanId);
  expect(span.traceId).toBe(requestId.replace(/-/g, ''));
  expect(span.name).toBe('GET');
  expect(span.attributes).toMatchObject({
    'http.request.method': 'GET',
    'url.scheme': 'http',
    'url.path': '/work/ctx',
    'url.query': 'q=1',
    'server.address': '127.0.0.1',
    'server.port': Number(new URL(service.url).port),
    'network.protocol.version': '1.1',
    'client.address': '127.0.0.1',
    'http.response.status_code': 200,
    'request.id': requestId,
  });
  expect(span.statusCode).not.toBe(STATUS_ERROR);
});

test('listeners of the request body and of the response, run from socket callbacks after the handler returned, run inside the server span', async () => {
  const expected = service.lines.filter(line => line.msg === 'body expected').length;
  const answered = new Promise<string>((resolve, reject) => {
    const request = http.request(`${service.url}/body`, { method: 'POST', headers: { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' } }, res => {
      res.resume();
      res.on('end', () => resolve(String(res.headers['x-request-id'])));
    });
    request.on('error', reject);
    request.flushHeaders();
    service
      .waitForLine(() => service.lines.filter(line => line.msg === 'body expected').length > expected)
      .then(() => request.end('a body sent once the handler has returned'), reject);
  });
  const requestId = await answered;
  const read = await service.waitForLine(l => l.msg === 'body read' && l.request_id === requestId);
  const finished = await service.waitForLine(l => l.msg === 'response finished' && l.request_id === requestId);
  const [span] = await receiver.waitForSpans(all => serverSpansFor(all, '/body').length === 1).then(all => serverSpansFor(all, '/body'));
  expect(read.size).toBe('a body sent once the handler has returned'.length);
  expect([read.span_id, finished.span_id]).toEqual([span.spanId, span.spanId]);
  expect([read.trace_id, finished.trace_id]).toEqual([span.traceId, span.traceId]);
});

test('a method outside the known set names its span HTTP, with http.request.method _OTHER and the method as sent', async () => {
  await new Promise<void>((resolve, reject) => {
    http
      .request(`${service.url}/dav/folder`, { method: 'PROPFIND' }, res => {
        res.resume();
        res.on('end', resolve);
      })
      .on('error', reject)
      .end();
  });
  const [span] = await receiver.waitForSpans(all => serverSpansFor(all, '/dav/folder').length === 1).then(all => serverSpansFor(all, '/dav/folder'));
  expect(span.name).toBe('HTTP');
  expect(span.attributes).toMatchObject({ 'http.request.method': '_OTHER', 'http.request.method_original': 'PROPFIND', 'http.response.status_code': 404 });
});

test('a 5xx answer ends its server span with status ERROR, a 404 without', async () => {
  await Promise.all([get(`${service.url}/fail`), get(`${service.url}/nothing-here`)]);
  const all = await receiver.waitForSpans(spans => serverSpansFor(spans, '/nothing-here').length === 1 && serverSpansFor(spans, '/fail').length >= 2);
  expect(serverSpansFor(all, '/fail').every(s => s.statusCode === STATUS_ERROR && s.attributes['http.response.status_code'] === 503)).toBe(true);
  expect(serverSpansFor(all, '/nothing-here')[0].statusCode).not.toBe(STATUS_ERROR);
});

test('a handler that throws marks its server span ERROR with the exception, and the span still ends when the socket closes', async () => {
  const request = http.get(`${service.url}/throw`);
  request.on('error', () => {});
  await service.waitForLine(line => line.msg === 'uncaught' && line.err === 'handler failed');
  request.destroy();
  const [span] = await receiver.waitForSpans(all => serverSpansFor(all, '/throw').length === 1).then(all => serverSpansFor(all, '/throw'));
  expect(span.statusCode).toBe(STATUS_ERROR);
  expect(span.statusMessage).toBe('handler failed');
  // Recorded by the crash recording (src/errors/): the server span no longer catches the throw, so that Node's banner shows the app's line.
  expect(span.events.map(event => event.name)).toContain('exception');
});

test('an https request gets a server span with url.scheme https and the request-id header', async () => {
  const res = await get(`https://127.0.0.1:${httpsPort}/work/tls`);
  expect(res.status).toBe(200);
  expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  const [span] = await receiver.waitForSpans(all => serverSpansFor(all, '/work/tls').length === 1).then(all => serverSpansFor(all, '/work/tls'));
  expect(span.attributes).toMatchObject({ 'url.scheme': 'https', 'server.port': httpsPort });
});

test('a route name set on the active server span is kept: name METHOD template, http.route the template', async () => {
  await get(`${service.url}/users/42`);
  const [span] = await receiver.waitForSpans(all => serverSpansFor(all, '/users/42').length === 1).then(all => serverSpansFor(all, '/users/42'));
  expect(span.name).toBe('GET /users/:id');
  expect(span.attributes['http.route']).toBe('/users/:id');
});

describe('with OTEL_TRACES_SAMPLER=always_off', () => {
  let unsampled: Service;

  beforeAll(async () => {
    unsampled = await startService('server-span-app-unsampled', APP, {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl,
      OTEL_BSP_SCHEDULE_DELAY: '50',
      OTEL_TRACES_SAMPLER: 'always_off',
      FIXTURE_TLS_KEY: path.join(dir, 'key.pem'),
      FIXTURE_TLS_CERT: path.join(dir, 'cert.pem'),
    });
  });

  afterAll(async () => {
    await unsampled?.stop();
  });

  test('a request still gets its request id, echoed, in its log line and in a not-sampled Server-Timing, and no span', async () => {
    const res = await get(`${unsampled.url}/work/unsampled`);
    const requestId = String(res.headers['x-request-id']);
    const traceId = requestId.replace(/-/g, '');
    expect(res.headers['server-timing']).toMatch(new RegExp(`^traceparent;desc="00-${traceId}-[0-9a-f]{16}-00"$`));
    const line = await unsampled.waitForLine(l => l.msg === 'awaited work done' && l.request_id === requestId);
    expect(line.trace_id).toBe(traceId);
    expect(String(line.request_chain).startsWith(requestId)).toBe(true);
    // Stopped, the service has flushed whatever it would ever export.
    await unsampled.stop();
    expect(receiver.spans.filter(s => s.traceId === traceId)).toEqual([]);
  });
});
