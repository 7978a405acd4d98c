/**
 * The three-service chain under `node -r ./register.js`, viewed through a real
 * Jaeger's HTTP API only: once through the shipped collector-config.yaml on a
 * real OpenTelemetry Collector, once straight to Jaeger's OTLP port.
 */
import { createHash } from 'node:crypto';
import { startChain } from '../support/services';
import type { Chain, LogLine } from '../support/services';
import { jaegerApi, parentSpanId, serviceName, spanTag, startCollector, startJaeger } from './support/otel-stack';
import type { Collector, Jaeger, JaegerApi, JaegerSpan, JaegerTrace } from './support/otel-stack';

const SPANS_PER_REQUEST = 9; // gateway server span + 4 client spans + 4 downstream server spans
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Path = 'collector' | 'jaeger';

describe.each<Path>(['collector', 'jaeger'])('app -> %s -> Jaeger', path => {
  let jaeger: Jaeger;
  let collector: Collector | undefined;
  let chain: Chain;
  let api: JaegerApi;
  let failed = false;

  beforeAll(async () => {
    jaeger = await startJaeger();
    api = jaegerApi(jaeger.queryUrl);
    const endpoint =
      path === 'collector' ? (collector = await startCollector({ jaegerOtlpGrpcEndpoint: jaeger.otlpGrpcEndpoint })).otlpHttpUrl : jaeger.otlpHttpUrl;
    chain = await startChain({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_BSP_SCHEDULE_DELAY: '100' });
  });

  /** A test whose failure also prints the Jaeger, collector and service logs. */
  const check = (title: string, body: () => Promise<void>) =>
    test(title, async () => {
      try {
        await body();
      } catch (error) {
        failed = true;
        throw error;
      }
    });

  afterAll(async () => {
    if (failed) {
      process.stderr.write(`--- Jaeger log ---\n${jaeger?.logs()}\n--- collector log ---\n${collector?.logs() ?? '(not used)'}\n`);
      for (const service of chain?.services ?? []) process.stderr.write(`--- ${service.name} stderr ---\n${service.stderr}\n`);
    }
    await chain?.stop();
    await collector?.stop();
    await jaeger?.stop();
  });

  async function report(headers: Record<string, string>): Promise<{ requestId: string; trace: JaegerTrace; traceId: string }> {
    const res = await fetch(`${chain.gateway.url}/cards/lost_and_stolen/`, { method: 'POST', headers });
    await res.text();
    expect(res.status).toBe(200);
    const requestId = res.headers.get('x-request-id') ?? '';
    const given = headers['X-Request-ID'];
    const traceId =
      given === undefined || UUID.test(given)
        ? requestId.replace(/-/g, '').toLowerCase()
        : createHash('sha256').update(given, 'utf8').digest('hex').slice(0, 32);
    const trace = await api.waitForTrace(traceId, t => t.spans.length >= SPANS_PER_REQUEST, 30_000);
    return { requestId, trace, traceId };
  }

  function kind(span: JaegerSpan): unknown {
    return spanTag(span, 'span.kind');
  }

  function assertChainTree(trace: JaegerTrace): { root: JaegerSpan; servers: JaegerSpan[] } {
    expect(trace.spans).toHaveLength(SPANS_PER_REQUEST);
    const ids = new Set(trace.spans.map(s => s.spanID));
    const roots = trace.spans.filter(s => parentSpanId(s) === undefined);
    expect(roots).toHaveLength(1);
    for (const span of trace.spans) {
      const parent = parentSpanId(span);
      if (parent !== undefined) expect(ids.has(parent)).toBe(true);
    }
    expect(trace.warnings ?? []).toEqual([]);
    const [root] = roots;
    expect(serviceName(trace, root)).toBe('gateway');
    expect(kind(root)).toBe('server');
    expect(spanTag(root, 'http.request.method')).toBe('POST');
    expect(spanTag(root, 'url.path')).toBe('/cards/lost_and_stolen/');
    const clients = trace.spans.filter(s => kind(s) === 'client').sort((a, b) => a.startTime - b.startTime);
    expect(clients.map(s => parentSpanId(s))).toEqual([root.spanID, root.spanID, root.spanID, root.spanID]);
    expect(clients.map(s => `${spanTag(s, 'http.request.method')} ${new URL(String(spanTag(s, 'url.full'))).pathname}`)).toEqual([
      'GET /cards/1234567890123456/',
      'GET /accounts/123456/',
      'DELETE /cards/1234567890123456/',
      'POST /accounts/123456/card/',
    ]);
    const servers = clients.map(client => {
      const beneath = trace.spans.filter(s => parentSpanId(s) === client.spanID);
      expect(beneath).toHaveLength(1);
      expect(kind(beneath[0])).toBe('server');
      return beneath[0];
    });
    expect(servers.map(s => serviceName(trace, s))).toEqual(['cards', 'accounts', 'cards', 'accounts']);
    expect(new Set(trace.spans.map(s => serviceName(trace, s)))).toEqual(new Set(['gateway', 'cards', 'accounts']));
    return { root, servers };
  }

  async function assertLogLines(requestId: string, traceId: string, trace: JaegerTrace): Promise<void> {
    await Promise.all([
      chain.gateway.waitForLine(l => l.request_id === requestId && l.msg === 'card reported lost'),
      chain.cards.waitForLine(l => l.request_id === requestId && l.msg === 'card cancelled'),
      chain.accounts.waitForLine(l => l.request_id === requestId && l.msg === 'replacement card ordered'),
    ]);
    const spans = new Map(trace.spans.map(s => [s.spanID, s]));
    const lines: Array<LogLine & { service: string }> = chain.services.flatMap(service =>
      service.lines.filter(l => l.trace_id === traceId).map(l => ({ ...l, service: service.name })),
    );
    expect(lines).toHaveLength(8);
    for (const line of lines) {
      expect(line.request_id).toBe(requestId);
      const span = spans.get(String(line.span_id));
      expect(span).toBeDefined();
      expect(serviceName(trace, span!)).toBe(line.service);
      const [first, ...hops] = String(line.request_chain).split(',');
      expect(first).toBe(requestId);
      for (const hop of hops) expect(kind(spans.get(hop)!)).toBe('server');
      // A bare incoming id adds the gateway's hop; an id born at the gateway does not.
      if (line.service !== 'gateway') expect(hops[hops.length - 1]).toBe(line.span_id);
      expect(hops.length).toBeLessThanOrEqual(line.service === 'gateway' ? 1 : 2);
    }
  }

  check('a UUID X-Request-ID is the trace id of one correct trace, and its log lines point into it', async () => {
    const uuid = '0DADB33F-EE15-470A-BFC8-5E35926793A5'.replace('0DAD', path === 'collector' ? '1DAD' : '2DAD');
    const { requestId, trace, traceId } = await report({ 'X-Request-ID': uuid });
    expect(requestId).toBe(uuid);
    expect(trace.traceID).toBe(uuid.replace(/-/g, '').toLowerCase());
    assertChainTree(trace);
    await assertLogLines(requestId, traceId, trace);
  });

  check('a tag search on request.id finds the trace', async () => {
    const uuid = path === 'collector' ? '3dadb33f-ee15-470a-bfc8-5e35926793a5' : '4dadb33f-ee15-470a-bfc8-5e35926793a5';
    const { traceId } = await report({ 'X-Request-ID': uuid });
    const found = await api.findTraces('gateway', { 'request.id': uuid });
    expect(found.map(t => t.traceID)).toEqual([traceId]);
  });

  check('a request with no id: the X-Request-ID response header read as hex is the trace Jaeger holds', async () => {
    const { requestId, trace, traceId } = await report({});
    expect(requestId).toMatch(UUID);
    expect(trace.traceID).toBe(requestId.replace(/-/g, ''));
    assertChainTree(trace);
    await assertLogLines(requestId, traceId, trace);
  });

  check('a non-UUID X-Request-ID maps to the SHA-256 trace id', async () => {
    const id = `mobile-app:${path}:7f3a#42`;
    const { requestId, trace, traceId } = await report({ 'X-Request-ID': id });
    expect(requestId).toBe(id);
    expect(trace.traceID).toBe(createHash('sha256').update(id).digest('hex').slice(0, 32));
    assertChainTree(trace);
    await assertLogLines(requestId, traceId, trace);
  });
});
