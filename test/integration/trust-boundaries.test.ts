/**
 * Trust boundaries: the propagation policy keeps our headers away from
 * destinations the user did not allow, and edge mode never lets a client's
 * ids pick our trace or request id.
 */
import * as http from 'node:http';
import * as path from 'node:path';
import { startOtlpReceiver } from '../support/otlp-receiver';
import type { OtlpReceiver } from '../support/otlp-receiver';
import { startService } from '../support/services';
import type { Service } from '../support/services';

const CALLER = path.join(__dirname, '..', 'fixtures', 'caller.js');
const OUR_HEADERS = ['traceparent', 'tracestate', 'baggage', 'x-request-id'];

interface Recorder {
  url: string;
  seen: Array<{ path: string; headers: http.IncomingHttpHeaders }>;
  close(): Promise<void>;
}

/** A downstream server on a loopback address that records the headers it receives. */
async function recorder(address: string): Promise<Recorder> {
  const seen: Recorder['seen'] = [];
  const server = http.createServer((req, res) => {
    seen.push({ path: req.url ?? '', headers: req.headers });
    res.end('ok');
  });
  await new Promise<void>(resolve => server.listen(0, address, resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://${address}:${port}`,
    seen,
    close: () =>
      new Promise(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let receiver: OtlpReceiver;
let trusted: Recorder;
let outside: Recorder;
const running: Service[] = [];

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  // 127.0.0.2 is loopback too (all of 127/8 is), so the "third party" stays on this machine.
  [trusted, outside] = await Promise.all([recorder('127.0.0.1'), recorder('127.0.0.2')]);
});

afterAll(async () => {
  await Promise.all(running.map(service => service.stop()));
  await Promise.all([trusted.close(), outside.close(), receiver.close()]);
});

async function caller(env: Record<string, string>): Promise<Service> {
  const service = await startService('caller', CALLER, {
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl,
    OTEL_BSP_SCHEDULE_DELAY: '50',
    FIXTURE_TARGETS: `${trusted.url},${outside.url}`,
    ...env,
  });
  running.push(service);
  return service;
}

describe('the propagation policy', () => {
  test('only allowed destinations receive traceparent, baggage and X-Request-ID; others still get client spans', async () => {
    const service = await caller({ TRACEHOP_PROPAGATE_TO: '127.0.0.1/32' });
    const res = await fetch(`${service.url}/policy`, { headers: { 'X-Request-ID': 'policy-1' } });
    expect(await res.text()).toBe('done');
    const inside = trusted.seen.filter(r => r.headers['x-request-id'] === 'policy-1');
    expect(inside.map(r => r.path).sort()).toEqual(['/fetch', '/http']);
    for (const request of inside) expect(request.headers).toHaveProperty('traceparent');
    const leaked = outside.seen.filter(r => OUR_HEADERS.some(header => header in r.headers));
    expect(leaked).toEqual([]);
    expect(outside.seen.length).toBeGreaterThanOrEqual(2);
    const spans = await receiver.waitForSpans(all => all.filter(s => s.kind === 3 && String(s.attributes['url.full']).startsWith(outside.url)).length >= 2);
    const outsideSpans = spans.filter(s => s.kind === 3 && String(s.attributes['url.full']).startsWith(outside.url));
    for (const span of outsideSpans) expect(span.attributes['request.id']).toBe('policy-1');
  });

  test('the default policy allows loopback destinations', async () => {
    const service = await caller({});
    await (await fetch(`${service.url}/default`, { headers: { 'X-Request-ID': 'policy-2' } })).text();
    const received = [...trusted.seen, ...outside.seen].filter(r => r.headers['x-request-id'] === 'policy-2');
    expect(received).toHaveLength(4);
  });

  test('TRACEHOP_PROPAGATE_TO=* turns the policy off', async () => {
    const service = await caller({ TRACEHOP_PROPAGATE_TO: '*' });
    await (await fetch(`${service.url}/off`, { headers: { 'X-Request-ID': 'policy-3' } })).text();
    expect(outside.seen.filter(r => r.headers['x-request-id'] === 'policy-3')).toHaveLength(2);
  });
});

describe('a request id the app forwards itself', () => {
  test('is sent once, as the app set it, by http and by fetch', async () => {
    const service = await caller({ FIXTURE_FORWARD_ID: '1', FIXTURE_TARGETS: trusted.url });
    await (await fetch(`${service.url}/forwarding`, { headers: { 'X-Request-ID': 'forwarded-1' } })).text();
    const received = trusted.seen.filter(r => String(r.headers['x-request-id']).startsWith('forwarded-1'));
    expect(received.map(r => [r.path, r.headers['x-request-id']]).sort()).toEqual([
      ['/fetch', 'forwarded-1'],
      ['/http', 'forwarded-1'],
    ]);
    for (const request of received) expect(request.headers).toHaveProperty('traceparent');
  });
});

describe('edge mode', () => {
  const CLIENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
  const CLIENT_SPAN = '00f067aa0ba902b7';

  test('a client traceparent, request id and baggage never pick our ids; they are kept as an attribute and a link', async () => {
    const service = await caller({ TRACEHOP_EDGE_MODE: 'true', FIXTURE_TARGETS: trusted.url });
    const res = await fetch(`${service.url}/edge`, {
      headers: { traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`, 'X-Request-ID': 'client-chosen', baggage: 'tenant=evil,request.chain=forged' },
    });
    await res.text();
    const requestId = res.headers.get('x-request-id')!;
    expect(requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const traceId = requestId.replace(/-/g, '');
    const spans = await receiver.waitForSpans(all => all.some(s => s.traceId === traceId && s.kind === 2));
    const server = spans.find(s => s.traceId === traceId && s.kind === 2)!;
    expect(server.parentSpanId).toBeUndefined();
    expect(server.attributes['request.client_id']).toBe('client-chosen');
    expect(server.links).toEqual([expect.objectContaining({ traceId: CLIENT_TRACE, spanId: CLIENT_SPAN })]);
    const downstream = trusted.seen.filter(r => r.headers['x-request-id'] === requestId);
    expect(downstream).toHaveLength(2);
    for (const request of downstream) {
      expect(request.headers.traceparent).toContain(traceId);
      expect(request.headers.baggage).not.toContain('tenant');
      expect(request.headers.baggage).not.toContain('forged');
    }
  });
});
