/**
 * WebSocket upgrades under the preload: a `ws` server on a plain http
 * server, real `ws` clients. The upgrade gets its request id by the usual
 * rules, X-Request-ID on the 101 (an acceptable incoming one echoed, and its
 * trace continued) and on a refusal, a SERVER span at the OTLP receiver, and
 * the upgrade's fields on the log lines of the `connection` and `message`
 * handlers, with no mix-ups between 50 sockets. A `ws` client made in a
 * request sees the handler's span in its callbacks, as an HTTP client does.
 */
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { WebSocket } from 'ws';
import { requestIdToTraceId } from '../../src/core/ids/trace-id';
import { startOtlpReceiver } from '../support/otlp-receiver';
import type { OtlpReceiver, ReceivedSpan } from '../support/otlp-receiver';
import { startService } from '../support/services';
import type { LogLine, Service } from '../support/services';

jest.setTimeout(60000);

const APP = path.join(__dirname, '..', 'fixtures', 'ws-app.js');
const SERVER = 2;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let receiver: OtlpReceiver;
let service: Service;
let wsUrl: string;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  service = await startService('ws-app', APP, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl, OTEL_BSP_SCHEDULE_DELAY: '50' });
  wsUrl = service.url.replace('http:', 'ws:');
});

afterAll(async () => {
  await service?.stop();
  await receiver?.close();
});

interface Opened {
  readonly socket: WebSocket;
  readonly headers: IncomingMessage['headers'];
}

function open(urlPath: string, headers: Record<string, string> = {}): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${wsUrl}${urlPath}`, { headers });
    let answered: IncomingMessage['headers'] = {};
    socket.on('upgrade', response => {
      answered = response.headers;
    });
    socket.on('open', () => resolve({ socket, headers: answered }));
    socket.on('error', reject);
  });
}

function exchange(socket: WebSocket, text: string): Promise<string> {
  return new Promise(resolve => {
    socket.once('message', (data: Buffer) => resolve(data.toString('utf8')));
    socket.send(text);
  });
}

function spanOf(spans: ReceivedSpan[], query: string): ReceivedSpan | undefined {
  return spans.find(s => s.kind === SERVER && s.attributes['url.query'] === query);
}

function linesOf(n: string): LogLine[] {
  return service.lines.filter(line => line.n === n);
}

test('an upgrade gets a new request id on its 101, one SERVER span, and its fields in connection and message handlers', async () => {
  const { socket, headers } = await open('/echo?n=new');
  const requestId = String(headers['x-request-id']);
  expect(requestId).toMatch(UUID);
  expect(await exchange(socket, 'one')).toBe('echo one');
  expect(await exchange(socket, 'two')).toBe('echo two');
  socket.close();
  const spans = await receiver.waitForSpans(all => spanOf(all, 'n=new') !== undefined);
  const span = spanOf(spans, 'n=new') as ReceivedSpan;
  expect(span.name).toBe('GET');
  expect(span.traceId).toBe(requestId.replace(/-/g, ''));
  expect(span.parentSpanId).toBeUndefined();
  expect(span.attributes).toMatchObject({
    'http.request.method': 'GET',
    'http.response.status_code': 101,
    'url.scheme': 'http',
    'url.path': '/echo',
    'network.protocol.version': '1.1',
    'server.address': '127.0.0.1',
    'request.id': requestId,
  });
  await service.waitForLine(line => line.n === 'new' && line.text === 'two' && line.msg === 'message answered');
  const lines = linesOf('new');
  expect(lines.map(line => line.msg)).toEqual(['connection', 'message received', 'message answered', 'message received', 'message answered']);
  for (const line of lines) {
    expect(line).toMatchObject({ trace_id: span.traceId, span_id: span.spanId, request_id: requestId, request_chain: requestId });
  }
});

test('an acceptable incoming X-Request-ID is echoed on the 101 and names the trace; a traceparent is continued', async () => {
  const { socket, headers } = await open('/echo?n=given', { 'X-Request-ID': 'abc-123' });
  expect(headers['x-request-id']).toBe('abc-123');
  await exchange(socket, 'hi');
  socket.close();
  const traceId = '0af7651916cd43dd8448eb211c80319c';
  const continued = await open('/echo?n=parent', { traceparent: `00-${traceId}-b7ad6b7169203331-01`, 'X-Request-ID': 'req-9' });
  expect(continued.headers['x-request-id']).toBe('req-9');
  continued.socket.close();
  const spans = await receiver.waitForSpans(all => spanOf(all, 'n=given') !== undefined && spanOf(all, 'n=parent') !== undefined);
  const given = spanOf(spans, 'n=given') as ReceivedSpan;
  expect(given.traceId).toBe(requestIdToTraceId('abc-123'));
  expect(given.attributes['request.id']).toBe('abc-123');
  const parent = spanOf(spans, 'n=parent') as ReceivedSpan;
  expect(parent.traceId).toBe(traceId);
  expect(parent.parentSpanId).toBe('b7ad6b7169203331');
  const line = await service.waitForLine(l => l.n === 'given' && l.msg === 'message received');
  expect(line).toMatchObject({ request_id: 'abc-123', trace_id: given.traceId, request_chain: `abc-123,${given.spanId}` });
});

test('a refused upgrade answers with X-Request-ID, and its span has the refusal status', async () => {
  const refused = await new Promise<IncomingMessage>((resolve, reject) => {
    const socket = new WebSocket(`${wsUrl}/refuse?n=refused`, { headers: { 'X-Request-ID': 'refused-1' } });
    socket.on('unexpected-response', (_request, response) => resolve(response));
    socket.on('open', () => reject(new Error('opened')));
    socket.on('error', () => {});
  });
  expect(refused.statusCode).toBe(401);
  expect(refused.headers['x-request-id']).toBe('refused-1');
  refused.destroy();
  const spans = await receiver.waitForSpans(all => spanOf(all, 'n=refused') !== undefined);
  const span = spanOf(spans, 'n=refused') as ReceivedSpan;
  expect(span.attributes['http.response.status_code']).toBe(401);
  expect(span.traceId).toBe(requestIdToTraceId('refused-1'));
});

test("50 sockets exchanging messages at once: each handler line carries its own socket's ids", async () => {
  const ns = Array.from({ length: 50 }, (_, i) => `c${i}`);
  const opened = await Promise.all(ns.map(n => open(`/echo?n=${n}`, { 'X-Request-ID': `ws-${n}` })));
  await Promise.all(
    opened.map(async ({ socket }, i) => {
      for (const round of [1, 2, 3]) expect(await exchange(socket, `${ns[i]}-${round}`)).toBe(`echo ${ns[i]}-${round}`);
      socket.close();
    }),
  );
  await service.waitForLine(() => ns.every(n => linesOf(n).length === 7));
  const spans = await receiver.waitForSpans(all => ns.every(n => spanOf(all, `n=${n}`) !== undefined));
  for (const [i, n] of ns.entries()) {
    expect(opened[i].headers['x-request-id']).toBe(`ws-${n}`);
    const span = spanOf(spans, `n=${n}`) as ReceivedSpan;
    for (const line of linesOf(n)) {
      expect(line).toMatchObject({ request_id: `ws-${n}`, trace_id: span.traceId, span_id: span.spanId });
      if (typeof line.text === 'string') expect(line.text.startsWith(`${n}-`)).toBe(true);
    }
  }
});

test("inside a ws client's callbacks (made in a request) the active span is the handler's server span", async () => {
  const answer = await fetch(`${service.url}/client`);
  expect(await answer.text()).toBe('done');
  const handler = await service.waitForLine(line => line.where === 'client handler');
  await service.waitForLine(line => line.where === 'client message');
  for (const where of ['client open', 'client message']) {
    const line = service.lines.find(l => l.where === where) as LogLine;
    expect(line).toMatchObject({ span_id: handler.span_id, trace_id: handler.trace_id, request_id: handler.request_id });
  }
  // The upgrade it made is a server span of the same trace, continuing the client's propagated ids.
  const echo = await service.waitForLine(line => line.n === 'from-client' && line.msg === 'connection');
  expect(echo).toMatchObject({ trace_id: handler.trace_id, request_id: handler.request_id });
  expect(echo.span_id).not.toBe(handler.span_id);
});
