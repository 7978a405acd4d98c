/**
 * HTTP/2 servers under the preload: an h2 server over TLS with allowHTTP1
 * (compatibility API) and an h2c server (core `stream` API), with a real
 * `http2.connect` client. Each gets what an HTTP/1.1 request gets: the id
 * rules, X-Request-ID on 200, 404 and 500, the chain, a SERVER span with the
 * stable semantic-convention attributes, log fields in the handler,
 * propagation from the handler's calls, and no mix-ups between 200
 * concurrent streams on one session. The HTTP/1.1 requests of the
 * allowHTTP1 server keep working as before, and Fastify (`http2: true`)
 * names its routes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { requestIdToTraceId } from '../../src/core/ids/trace-id';
import { startOtlpReceiver } from '../support/otlp-receiver';
import type { OtlpReceiver, ReceivedSpan } from '../support/otlp-receiver';
import { listenOnLoopback } from '../support/ports';
import { startService } from '../support/services';
import type { LogLine, Service } from '../support/services';

jest.setTimeout(60000);

const APP = path.join(__dirname, '..', 'fixtures', 'http2-app.js');
// OTLP SpanKind and StatusCode numbers.
const SERVER = 2;
const STATUS_UNSET = 0;
const STATUS_ERROR = 2;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let receiver: OtlpReceiver;
let service: Service;
let downstream: http.Server;
const downstreamHeaders: http.IncomingHttpHeaders[] = [];
let dir: string;
let h2Url: string;
let h2cUrl: string;
let fastifyUrl: string;
let koaUrl: string;
const sessions: http2.ClientHttp2Session[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tracehop-http2-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'], {
    stdio: 'ignore',
  });
  downstream = http.createServer((req, res) => {
    downstreamHeaders.push(req.headers);
    res.end('downstream');
  });
  const downstreamPort = await listenOnLoopback(downstream);
  receiver = await startOtlpReceiver();
  service = await startService('http2-app', APP, {
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl,
    OTEL_BSP_SCHEDULE_DELAY: '50',
    TRACEHOP_IGNORE_PATHS: '/health',
    FIXTURE_TLS_KEY: key,
    FIXTURE_TLS_CERT: cert,
    DOWNSTREAM_URL: `http://127.0.0.1:${downstreamPort}/downstream`,
  });
  const listening = await service.waitForLine(line => line.msg === 'listening');
  h2cUrl = `http://127.0.0.1:${Number(listening.port)}`;
  h2Url = `https://127.0.0.1:${Number(listening.securePort)}`;
  fastifyUrl = `http://127.0.0.1:${Number(listening.fastifyPort)}`;
  koaUrl = `http://127.0.0.1:${Number(listening.koaPort)}`;
});

afterAll(async () => {
  for (const session of sessions) session.destroy();
  await service?.stop();
  await receiver?.close();
  await new Promise(resolve => downstream?.close(resolve));
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

function connect(url: string): http2.ClientHttp2Session {
  const session = http2.connect(url, { rejectUnauthorized: false });
  session.on('error', () => {});
  sessions.push(session);
  return session;
}

interface Answer {
  readonly status: number;
  readonly headers: http2.IncomingHttpHeaders;
  readonly body: string;
}

function request(session: http2.ClientHttp2Session, urlPath: string, headers: http2.OutgoingHttpHeaders = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':path': urlPath, ...headers });
    let answered: http2.IncomingHttpHeaders = {};
    let body = '';
    stream.setEncoding('utf8');
    stream.on('response', responseHeaders => {
      answered = responseHeaders;
    });
    stream.on('data', (chunk: string) => {
      body += chunk;
    });
    stream.on('end', () => resolve({ status: Number(answered[':status']), headers: answered, body }));
    stream.on('error', reject);
  });
}

function serverSpanOf(spans: ReceivedSpan[], urlPath: string, query: string): ReceivedSpan | undefined {
  return spans.find(s => s.kind === SERVER && s.attributes['url.path'] === urlPath && s.attributes['url.query'] === query);
}

/** The handler's three lines for this request (entered, work done, body read): written before or as it answers, read maybe later. */
async function linesFor(pathWithQuery: string): Promise<LogLine[]> {
  const ofRequest = (): LogLine[] => service.lines.filter(line => line.path === pathWithQuery);
  await service.waitForLine(() => ofRequest().length >= 3);
  return ofRequest();
}

describe.each([
  ['h2 over TLS, compatibility API', () => h2Url, 'https', 'compat'],
  ['h2c, core stream API', () => h2cUrl, 'http', 'core'],
])('%s', (title, urlOf, scheme, api) => {
  let session: http2.ClientHttp2Session;
  beforeAll(() => {
    session = connect(urlOf());
  });

  test.each([
    ['/ok', 200, STATUS_UNSET],
    ['/missing', 404, STATUS_UNSET],
    ['/fail', 500, STATUS_ERROR],
  ])(
    `${title}: %s answers %i with a new X-Request-ID, one SERVER span and the request's fields in the handler's lines`,
    async (urlPath, status, spanStatus) => {
      const query = `t=${api}-new-${status}`;
      const answer = await request(session, `${urlPath}?${query}`);
      expect(answer.status).toBe(status);
      const requestId = String(answer.headers['x-request-id']);
      expect(requestId).toMatch(UUID);
      const spans = await receiver.waitForSpans(all => serverSpanOf(all, urlPath, query) !== undefined);
      const span = serverSpanOf(spans, urlPath, query) as ReceivedSpan;
      expect(span.traceId).toBe(requestId.replace(/-/g, ''));
      expect(span.parentSpanId).toBeUndefined();
      expect(span.name).toBe('GET');
      expect(span.statusCode).toBe(spanStatus);
      expect(span.attributes).toMatchObject({
        'network.protocol.version': '2',
        'http.request.method': 'GET',
        'url.scheme': scheme,
        'url.path': urlPath,
        'http.response.status_code': status,
        'server.address': '127.0.0.1',
        'request.id': requestId,
        'request.chain': requestId,
      });
      const lines = await linesFor(`${urlPath}?${query}`);
      expect(lines.map(line => line.msg).sort()).toEqual(['awaited work done', 'handler entered', 'request body read']);
      for (const line of lines) {
        expect(line).toMatchObject({ trace_id: span.traceId, span_id: span.spanId, request_id: requestId, request_chain: requestId });
      }
      expect(lines.find(line => line.msg === 'handler entered')?.api).toBe(api);
    },
  );

  test(`${title}: an incoming X-Request-ID is echoed, names the trace, and the chain is the id and this hop`, async () => {
    const requestId = `h2-${api}-incoming`;
    const answer = await request(session, `/ok?t=${api}-incoming`, { 'x-request-id': requestId });
    expect(answer.headers['x-request-id']).toBe(requestId);
    const spans = await receiver.waitForSpans(all => serverSpanOf(all, '/ok', `t=${api}-incoming`) !== undefined);
    const span = serverSpanOf(spans, '/ok', `t=${api}-incoming`) as ReceivedSpan;
    expect(span.traceId).toBe(requestIdToTraceId(requestId));
    expect(span.attributes['request.chain']).toBe(`${requestId},${span.spanId}`);
    for (const line of await linesFor(`/ok?t=${api}-incoming`)) {
      expect(line).toMatchObject({ request_id: requestId, request_chain: `${requestId},${span.spanId}`, trace_id: span.traceId });
    }
  });

  test(`${title}: an incoming traceparent is continued, and the handler's outgoing call carries the trace and the request id`, async () => {
    const traceId = api === 'core' ? '4bf92f3577b34da6a3ce929d0e0e4736' : '0af7651916cd43dd8448eb211c80319c';
    const parent = '00f067aa0ba902b7';
    const seen = downstreamHeaders.length;
    const answer = await request(session, `/call?t=${api}-traceparent`, { traceparent: `00-${traceId}-${parent}-01` });
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('downstream 200');
    const spans = await receiver.waitForSpans(all => serverSpanOf(all, '/call', `t=${api}-traceparent`) !== undefined);
    const span = serverSpanOf(spans, '/call', `t=${api}-traceparent`) as ReceivedSpan;
    expect(span.traceId).toBe(traceId);
    expect(span.parentSpanId).toBe(parent);
    const requestId = String(answer.headers['x-request-id']);
    expect(requestId.replace(/-/g, '')).toBe(traceId);
    expect(downstreamHeaders.length).toBe(seen + 1);
    const sent = downstreamHeaders[seen];
    expect(sent['x-request-id']).toBe(requestId);
    expect(String(sent.traceparent)).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(String(sent.traceparent).split('-')[2]).not.toBe(span.spanId);
    const client = spans.find(s => s.parentSpanId === span.spanId);
    if (client !== undefined) expect(String(sent.traceparent).split('-')[2]).toBe(client.spanId);
  });
});

test('200 concurrent streams on one h2c session: each answer, span and log line keeps its own request', async () => {
  await concurrentStreams(connect(h2cUrl), 'core');
});

test('200 concurrent streams on one h2 session over TLS (compatibility API): each answer, span and log line keeps its own request', async () => {
  await concurrentStreams(connect(h2Url), 'compat');
});

async function concurrentStreams(session: http2.ClientHttp2Session, api: string): Promise<void> {
  const count = 200;
  const ids = Array.from({ length: count }, (_, n) => `${api}-conc-${n}`);
  const answers = await Promise.all(ids.map((id, n) => request(session, `/concurrent/${n}?api=${api}`, { 'x-request-id': id })));
  answers.forEach((answer, n) => {
    expect(answer.status).toBe(200);
    expect(answer.headers['x-request-id']).toBe(ids[n]);
  });
  const spans = await receiver.waitForSpans(all => all.filter(s => s.kind === SERVER && s.attributes['url.query'] === `api=${api}`).length >= count);
  const ours = spans.filter(s => s.kind === SERVER && s.attributes['url.query'] === `api=${api}`);
  expect(ours).toHaveLength(count);
  for (const span of ours) {
    const n = Number((span.attributes['url.path'] as string).slice('/concurrent/'.length));
    expect(span.attributes['request.id']).toBe(ids[n]);
    expect(span.traceId).toBe(requestIdToTraceId(ids[n]));
  }
  const spanOf = new Map(ours.map(span => [span.attributes['request.id'], span]));
  for (let n = 0; n < count; n++) {
    // The line went to stdout before the answer, but may be read after it.
    const line = await service.waitForLine(candidate => candidate.msg === 'concurrent work done' && candidate.n === String(n) && candidate.api === api);
    const span = spanOf.get(ids[n]) as ReceivedSpan;
    expect(line).toMatchObject({ request_id: ids[n], trace_id: span.traceId, span_id: span.spanId, request_chain: `${ids[n]},${span.spanId}` });
  }
}

test('an ignored path over h2c gets no request id, no span and no log fields', async () => {
  const session = connect(h2cUrl);
  const ignored = await request(session, '/health?t=ignored');
  expect(ignored.headers['x-request-id']).toBeUndefined();
  // A traced request after it, on the same session: once its span arrives, the ignored one would have too.
  await request(session, '/ok?t=after-ignored');
  const spans = await receiver.waitForSpans(all => serverSpanOf(all, '/ok', 't=after-ignored') !== undefined);
  expect(serverSpanOf(spans, '/health', 't=ignored')).toBeUndefined();
  const lines = await linesFor('/health?t=ignored');
  for (const line of lines) expect(line.request_id).toBeUndefined();
});

test('Fastify with http2: true names the h2 span after its route, with http.route', async () => {
  const answer = await request(connect(fastifyUrl), '/users/7?t=fastify');
  expect(answer.status).toBe(200);
  const spans = await receiver.waitForSpans(all => serverSpanOf(all, '/users/7', 't=fastify') !== undefined);
  const span = serverSpanOf(spans, '/users/7', 't=fastify') as ReceivedSpan;
  expect(span.name).toBe('GET /users/:id');
  expect(span.attributes).toMatchObject({ 'http.route': '/users/:id', 'network.protocol.version': '2', 'request.id': answer.headers['x-request-id'] });
  const line = await service.waitForLine(candidate => candidate.msg === 'fastify route' && candidate.path === '/users/7?t=fastify');
  expect(line).toMatchObject({ span_id: span.spanId, request_id: answer.headers['x-request-id'] });
});

test('Koa with @koa/router over h2c (compatibility API) names the span after the route that answered; a 404 past a pass-on route keeps GET', async () => {
  const session = connect(koaUrl);
  const answer = await request(session, '/koa/items/7?t=koa');
  expect(answer.status).toBe(200);
  const missing = await request(session, '/koa/nothing?t=koa-404');
  expect(missing.status).toBe(404);
  const spans = await receiver.waitForSpans(
    all => serverSpanOf(all, '/koa/items/7', 't=koa') !== undefined && serverSpanOf(all, '/koa/nothing', 't=koa-404') !== undefined,
  );
  const span = serverSpanOf(spans, '/koa/items/7', 't=koa') as ReceivedSpan;
  expect(span.name).toBe('GET /koa/items/:id');
  expect(span.attributes).toMatchObject({ 'http.route': '/koa/items/:id', 'network.protocol.version': '2', 'request.id': answer.headers['x-request-id'] });
  const notFound = serverSpanOf(spans, '/koa/nothing', 't=koa-404') as ReceivedSpan;
  expect(notFound.name).toBe('GET');
  expect(notFound.attributes['http.route']).toBeUndefined();
  const line = await service.waitForLine(candidate => candidate.msg === 'koa route' && candidate.path === '/koa/items/7?t=koa');
  expect(line).toMatchObject({ span_id: span.spanId, request_id: answer.headers['x-request-id'] });
});

test('an allowHTTP1 server still traces its HTTP/1.1 requests as before', async () => {
  const answer = await new Promise<{ status: number; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
    https
      .get(`${h2Url}/ok?t=http1`, { rejectUnauthorized: false }, res => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      })
      .on('error', reject);
  });
  expect(answer.status).toBe(200);
  const requestId = String(answer.headers['x-request-id']);
  expect(requestId).toMatch(UUID);
  const spans = await receiver.waitForSpans(all => serverSpanOf(all, '/ok', 't=http1') !== undefined);
  const span = serverSpanOf(spans, '/ok', 't=http1') as ReceivedSpan;
  expect(span.attributes).toMatchObject({
    'network.protocol.version': '1.1',
    'url.scheme': 'https',
    'http.response.status_code': 200,
    'request.id': requestId,
  });
  const entered = (await linesFor('/ok?t=http1')).find(line => line.msg === 'handler entered');
  expect(entered).toMatchObject({ api: 'http1', request_id: requestId, span_id: span.spanId });
});
