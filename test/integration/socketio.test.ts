/**
 * Socket.IO under the preload: a Socket.IO 4 server on a plain http server,
 * real socket.io-client clients (a Manager of their own each).
 * - `transports: ['websocket']`: the engine's upgrade gets an X-Request-ID
 *   on its 101 and a SERVER span, and the `connection` and message (`ping`)
 *   handlers' log lines carry that upgrade's ids, with no mix-ups between
 *   20 clients at once.
 * - The default transports (long-polling, then the upgrade): a handler's
 *   line carries the request that brought its packet to the server. The
 *   `connection` line carries the polling POST that carried the CONNECT
 *   packet; once the client has upgraded, message lines carry the WebSocket
 *   upgrade's ids; a client that stays on polling gets, on each message
 *   line, the POST that carried that message.
 */
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import type { WebSocket } from 'ws';
import { startOtlpReceiver } from '../support/otlp-receiver';
import type { OtlpReceiver, ReceivedSpan } from '../support/otlp-receiver';
import { startService } from '../support/services';
import type { LogLine, Service } from '../support/services';

jest.setTimeout(60000);

const APP = path.join(__dirname, '..', 'fixtures', 'socketio-app.js');
const SERVER = 2;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let receiver: OtlpReceiver;
let service: Service;
const clients: Socket[] = [];

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  service = await startService('socketio-app', APP, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl, OTEL_BSP_SCHEDULE_DELAY: '50' });
});

afterAll(async () => {
  for (const client of clients) client.close();
  await service?.stop();
  await receiver?.close();
});

interface Connected {
  readonly socket: Socket;
  /** X-Request-ID of the WebSocket upgrade's 101 (websocket-only clients). */
  readonly requestId?: string;
}

/** A client over the WebSocket transport only: the 101's headers are read from the engine's `ws` socket. */
function connectWebSocket(n: string): Promise<Connected> {
  return new Promise((resolve, reject) => {
    const socket = io(service.url, { transports: ['websocket'], query: { n }, forceNew: true, reconnection: false });
    clients.push(socket);
    let requestId: string | undefined;
    // The engine opens its transport as the client is made: its `ws` socket exists, not yet answered.
    const ws = (socket.io.engine.transport as unknown as { ws: WebSocket }).ws;
    ws.on('upgrade', (response: IncomingMessage) => {
      requestId = String(response.headers['x-request-id']);
    });
    socket.on('connect', () => resolve({ socket, requestId }));
    socket.on('connect_error', reject);
  });
}

/** A client with the default transports (long-polling first); `upgrade: false` keeps it on polling. */
function connectDefault(n: string, upgrade = true): Promise<Connected> {
  return new Promise((resolve, reject) => {
    const socket = io(service.url, { query: { n }, forceNew: true, reconnection: false, upgrade });
    clients.push(socket);
    socket.on('connect', () => resolve({ socket }));
    socket.on('connect_error', reject);
  });
}

function upgraded(socket: Socket): Promise<void> {
  return new Promise(resolve => {
    if (socket.io.engine.transport.name === 'websocket') resolve();
    else socket.io.engine.once('upgrade', () => resolve());
  });
}

function query(span: ReceivedSpan): URLSearchParams {
  const value = span.attributes['url.query'];
  return new URLSearchParams(typeof value === 'string' ? value : '');
}

function spansOf(spans: ReceivedSpan[], n: string): ReceivedSpan[] {
  return spans.filter(s => s.kind === SERVER && query(s).get('n') === n);
}

function upgradeOf(spans: ReceivedSpan[], n: string): ReceivedSpan | undefined {
  return spansOf(spans, n).find(s => query(s).get('transport') === 'websocket');
}

function linesOf(n: string): LogLine[] {
  return service.lines.filter(line => line.n === n);
}

function fieldsOf(span: ReceivedSpan): Record<string, unknown> {
  const requestId = span.attributes['request.id'];
  return { trace_id: span.traceId, span_id: span.spanId, request_id: requestId, request_chain: requestId };
}

test('websocket transport: the upgrade gets an X-Request-ID on its 101, a SERVER span, and its ids in the connection and message handlers', async () => {
  const { socket, requestId } = await connectWebSocket('ws');
  expect(requestId).toMatch(UUID);
  expect(await socket.emitWithAck('ping', 'one')).toBe('pong one');
  expect(await socket.emitWithAck('ping', 'two')).toBe('pong two');
  socket.close();
  const spans = await receiver.waitForSpans(all => upgradeOf(all, 'ws') !== undefined);
  // Over the websocket transport alone, the upgrade is the only request the client makes.
  expect(spansOf(spans, 'ws')).toHaveLength(1);
  const span = upgradeOf(spans, 'ws') as ReceivedSpan;
  expect(span.name).toBe('GET');
  expect(span.traceId).toBe(String(requestId).replace(/-/g, ''));
  expect(span.attributes).toMatchObject({ 'http.response.status_code': 101, 'url.path': '/socket.io/', 'request.id': requestId });
  await service.waitForLine(line => line.n === 'ws' && line.text === 'two' && line.msg === 'message answered');
  const lines = linesOf('ws');
  expect(lines.map(line => line.msg)).toEqual(['connection', 'message received', 'message answered', 'message received', 'message answered']);
  for (const line of lines) expect(line).toMatchObject({ ...fieldsOf(span), transport: 'websocket' });
});

test("20 websocket clients exchanging messages at once: each handler line carries its own client's upgrade", async () => {
  const ns = Array.from({ length: 20 }, (_, i) => `c${i}`);
  const connected = await Promise.all(ns.map(n => connectWebSocket(n)));
  await Promise.all(
    connected.map(async ({ socket }, i) => {
      for (const round of [1, 2, 3]) expect(await socket.emitWithAck('ping', `${ns[i]}-${round}`)).toBe(`pong ${ns[i]}-${round}`);
      socket.close();
    }),
  );
  await service.waitForLine(() => ns.every(n => linesOf(n).length === 7));
  const spans = await receiver.waitForSpans(all => ns.every(n => upgradeOf(all, n) !== undefined));
  expect(new Set(connected.map(c => c.requestId)).size).toBe(ns.length);
  for (const [i, n] of ns.entries()) {
    const span = upgradeOf(spans, n) as ReceivedSpan;
    expect(span.attributes['request.id']).toBe(connected[i].requestId);
    for (const line of linesOf(n)) {
      expect(line).toMatchObject(fieldsOf(span));
      if (typeof line.text === 'string') expect(line.text.startsWith(`${n}-`)).toBe(true);
    }
  }
});

test('default transports: connection carries the polling POST that brought the CONNECT packet; messages after the upgrade carry the upgrade', async () => {
  const { socket } = await connectDefault('poll');
  await upgraded(socket);
  expect(await socket.emitWithAck('ping', 'one')).toBe('pong one');
  socket.close();
  const spans = await receiver.waitForSpans(all => upgradeOf(all, 'poll') !== undefined);
  const connection = await service.waitForLine(line => line.n === 'poll' && line.msg === 'connection');
  expect(connection.transport).toBe('polling');
  const carrier = spansOf(spans, 'poll').find(s => s.attributes['request.id'] === connection.request_id) as ReceivedSpan;
  expect(carrier).toBeDefined();
  expect(carrier.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.response.status_code': 200 });
  expect(query(carrier).get('transport')).toBe('polling');
  expect(connection).toMatchObject(fieldsOf(carrier));
  const upgrade = upgradeOf(spans, 'poll') as ReceivedSpan;
  expect(upgrade.attributes['http.response.status_code']).toBe(101);
  expect(upgrade.traceId).not.toBe(carrier.traceId);
  await service.waitForLine(line => line.n === 'poll' && line.msg === 'message answered');
  const messages = linesOf('poll').filter(line => line.msg !== 'connection');
  expect(messages).toHaveLength(2);
  for (const line of messages) expect(line).toMatchObject({ ...fieldsOf(upgrade), transport: 'websocket' });
});

test('a client that stays on long-polling: each message line carries the POST that brought that message', async () => {
  const { socket } = await connectDefault('stay', false);
  expect(await socket.emitWithAck('ping', 'one')).toBe('pong one');
  expect(await socket.emitWithAck('ping', 'two')).toBe('pong two');
  socket.close();
  await service.waitForLine(line => line.n === 'stay' && line.text === 'two' && line.msg === 'message answered');
  const lines = linesOf('stay');
  const ids = new Set(lines.map(line => line.request_id));
  const spans = await receiver.waitForSpans(all => [...ids].every(id => spansOf(all, 'stay').some(s => s.attributes['request.id'] === id)));
  expect(spansOf(spans, 'stay').some(s => query(s).get('transport') === 'websocket')).toBe(false);
  // The connection and the two messages: three POSTs, three requests.
  expect(ids.size).toBe(3);
  for (const line of lines) {
    expect(line.transport).toBe('polling');
    const span = spansOf(spans, 'stay').find(s => s.attributes['request.id'] === line.request_id) as ReceivedSpan;
    expect(span.attributes['http.request.method']).toBe('POST');
    expect(line).toMatchObject(fieldsOf(span));
  }
  for (const text of ['one', 'two']) {
    const [received, answered] = lines.filter(line => line.text === text);
    expect(answered.request_id).toBe(received.request_id);
  }
});

test("20 default-transport clients at once: every handler line carries a request of its own client's", async () => {
  const ns = Array.from({ length: 20 }, (_, i) => `d${i}`);
  const connected = await Promise.all(ns.map(n => connectDefault(n)));
  await Promise.all(
    connected.map(async ({ socket }, i) => {
      for (const round of [1, 2, 3]) expect(await socket.emitWithAck('ping', `${ns[i]}-${round}`)).toBe(`pong ${ns[i]}-${round}`);
      socket.close();
    }),
  );
  await service.waitForLine(() => ns.every(n => linesOf(n).length === 7));
  const ids = ns.flatMap(n => linesOf(n).map(line => line.request_id));
  const spans = await receiver.waitForSpans(all => ids.every(id => all.some(s => s.kind === SERVER && s.attributes['request.id'] === id)));
  for (const n of ns) {
    for (const line of linesOf(n)) {
      const span = spans.find(s => s.kind === SERVER && s.attributes['request.id'] === line.request_id) as ReceivedSpan;
      expect(query(span).get('n')).toBe(n);
      expect(line).toMatchObject(fieldsOf(span));
    }
  }
});
