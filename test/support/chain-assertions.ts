/**
 * The assertions on the three-service chain, exporting to an in-test OTLP
 * receiver: trace tree, response header and every pino line, for the four
 * ways a request can arrive. Each variant (CommonJS or ES module services,
 * `-r` or `--import`) declares them once with its own start options, in a
 * test file of its own, so a failure names the variant.
 */
import { requestIdToTraceId, traceIdToUuid } from '../../src/core/ids/trace-id';
import { startOtlpReceiver } from './otlp-receiver';
import type { OtlpReceiver, ReceivedSpan } from './otlp-receiver';
import { startChain } from './services';
import type { Chain, ChainOptions, LogLine } from './services';

const SERVER = 2;
const CLIENT = 3;
const SPANS_PER_REQUEST = 9; // gateway server span + 4 client spans + 4 downstream server spans
const REMOTE_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const REMOTE_PARENT = '00f067aa0ba902b7';

interface Case {
  title: string;
  headers: Record<string, string>;
  /** The request id the response must echo; undefined when a new one is made. */
  requestId?: string;
  traceId?: string;
  remoteParent?: string;
  /** The request id came bare from the client (born elsewhere): the gateway's chain is `<id>,<its hop>`, not `<id>`. */
  bareId?: boolean;
}

const cases: Case[] = [
  {
    title: 'a UUID X-Request-ID becomes the trace id',
    headers: { 'X-Request-ID': '0DADB33F-EE15-470A-BFC8-5E35926793A5' },
    requestId: '0DADB33F-EE15-470A-BFC8-5E35926793A5',
    traceId: '0dadb33fee15470abfc85e35926793a5',
    bareId: true,
  },
  {
    title: 'a non-UUID X-Request-ID maps to the SHA-256 trace id',
    headers: { 'X-Request-ID': 'lb-7f3a:req#42' },
    requestId: 'lb-7f3a:req#42',
    traceId: requestIdToTraceId('lb-7f3a:req#42'),
    bareId: true,
  },
  {
    title: 'a traceparent continues the caller trace',
    headers: { traceparent: `00-${REMOTE_TRACE_ID}-${REMOTE_PARENT}-01` },
    requestId: traceIdToUuid(REMOTE_TRACE_ID),
    traceId: REMOTE_TRACE_ID,
    remoteParent: REMOTE_PARENT,
  },
  { title: 'a request with no id gets a new one, echoed and used as the trace id', headers: {} },
];

export interface ChainVariant {
  /** Names the variant in every test title, e.g. "ES module services under --import". */
  readonly name: string;
  readonly options?: ChainOptions;
  /** Extra environment for the three services. */
  readonly env?: Readonly<Record<string, string>>;
  /** The instrumentation scope the services' server spans must come from, when the variant is about that. */
  readonly serverSpanScope?: string;
}

/** Declares the chain's describe blocks for one variant: call it at the top level of a test file. */
export function describeLostAndStolenChain(variant: ChainVariant): void {
  describe(variant.name, () => {
    let receiver: OtlpReceiver;
    let chain: Chain;

    beforeAll(async () => {
      receiver = await startOtlpReceiver();
      chain = await startChain(
        {
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl,
          OTEL_BSP_SCHEDULE_DELAY: '50',
          ...variant.env,
        },
        variant.options,
      );
    });

    afterAll(async () => {
      await chain?.stop();
      await receiver?.close();
    });

    describe.each(cases)('the lost-and-stolen chain: $title', ({ headers, requestId: givenId, traceId: givenTrace, remoteParent, bareId }) => {
      let requestId: string;
      let traceId: string;
      let spans: ReceivedSpan[];
      let lines: Array<LogLine & { service: string }>;
      /** The gateway's chain: the id alone where it was born, else the id and the gateway's hop. */
      let gatewayChain: string;

      beforeAll(async () => {
        const res = await fetch(`${chain.gateway.url}/cards/lost_and_stolen/`, { method: 'POST', headers });
        expect(res.status).toBe(200);
        await res.text();
        requestId = res.headers.get('x-request-id') ?? '';
        traceId = givenTrace ?? requestId.replace(/-/g, '');
        spans = (await receiver.waitForSpans(all => all.filter(s => s.traceId === traceId).length >= SPANS_PER_REQUEST)).filter(s => s.traceId === traceId);
        // The last line each service writes for the request; stdout is read asynchronously.
        await Promise.all([
          chain.gateway.waitForLine(line => line.request_id === requestId && line.msg === 'card reported lost'),
          chain.cards.waitForLine(line => line.request_id === requestId && line.msg === 'card cancelled'),
          chain.accounts.waitForLine(line => line.request_id === requestId && line.msg === 'replacement card ordered'),
        ]);
        lines = chain.services.flatMap(service =>
          service.lines.filter(line => line.request_id === requestId).map(line => ({ ...line, service: service.name })),
        );
        const root = spans.find(s => s.service === 'gateway' && s.kind === SERVER);
        gatewayChain = bareId === true ? `${requestId},${root?.spanId}` : requestId;
      });

      test('the response echoes the request id', () => {
        if (givenId !== undefined) expect(requestId).toBe(givenId);
        else expect(requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      });

      test('the trace holds one root, the gateway server span, and every other parent exists', () => {
        expect(spans).toHaveLength(SPANS_PER_REQUEST);
        const ids = new Set(spans.map(s => s.spanId));
        const orphans = spans.filter(s => s.parentSpanId === undefined || !ids.has(s.parentSpanId));
        expect(orphans).toHaveLength(1);
        const [root] = orphans;
        expect(root).toMatchObject({ service: 'gateway', kind: SERVER, parentSpanId: remoteParent });
        expect(root.attributes).toMatchObject({ 'http.request.method': 'POST', 'url.path': '/cards/lost_and_stolen/' });
      });

      test('the four downstream calls are client spans, in order, each with its server span beneath', () => {
        const root = spans.find(s => s.service === 'gateway' && s.kind === SERVER)!;
        const clients = spans.filter(s => s.kind === CLIENT).sort((a, b) => Number(a.startTimeUnixNano - b.startTimeUnixNano));
        expect(clients.map(s => s.parentSpanId)).toEqual([root.spanId, root.spanId, root.spanId, root.spanId]);
        expect(clients.map(s => `${s.attributes['http.request.method']} ${new URL(String(s.attributes['url.full'])).pathname}`)).toEqual([
          'GET /cards/1234567890123456/',
          'GET /accounts/123456/',
          'DELETE /cards/1234567890123456/',
          'POST /accounts/123456/card/',
        ]);
        const expectedServices = ['cards', 'accounts', 'cards', 'accounts'];
        clients.forEach((client, i) => {
          const servers = spans.filter(s => s.parentSpanId === client.spanId);
          expect(servers).toHaveLength(1);
          expect(servers[0]).toMatchObject({ kind: SERVER, service: expectedServices[i] });
          expect(servers[0].attributes['http.request.method']).toBe(client.attributes['http.request.method']);
        });
        if (variant.serverSpanScope !== undefined) {
          expect(new Set(spans.filter(s => s.kind === SERVER).map(s => s.scope))).toEqual(new Set([variant.serverSpanScope]));
        }
      });

      test('every span carries request.id, and server spans the chain to their hop', () => {
        for (const span of spans) expect(span.attributes['request.id']).toBe(requestId);
        const root = spans.find(s => s.service === 'gateway' && s.kind === SERVER)!;
        expect(root.attributes['request.chain']).toBe(gatewayChain);
        for (const server of spans.filter(s => s.kind === SERVER && s !== root)) {
          expect(server.attributes['request.chain']).toBe(`${gatewayChain},${server.spanId}`);
        }
      });

      test('every pino line of the three services carries the trace, its span and the chain', () => {
        const byService = (name: string) => lines.filter(line => line.service === name);
        expect(byService('gateway').map(line => line.msg)).toEqual(['request received', 'card reported lost']);
        expect(byService('cards').map(line => line.msg)).toEqual(['request received', 'request received', 'card cancelled']);
        expect(byService('accounts').map(line => line.msg)).toEqual(['request received', 'request received', 'replacement card ordered']);
        const servers = new Map(spans.filter(s => s.kind === SERVER).map(s => [s.spanId, s]));
        for (const line of lines) {
          expect(line).toMatchObject({ trace_id: traceId, trace_flags: '01', request_id: requestId });
          const server = servers.get(String(line.span_id));
          expect(server?.service).toBe(line.service);
          expect(line.request_chain).toBe(line.service === 'gateway' ? gatewayChain : `${gatewayChain},${line.span_id}`);
        }
      });
    });

    describe('the request-id response header on errors', () => {
      test.each([
        ['/no-such-path', 404],
        ['/boom', 500],
      ])('GET %s answers %i with the request id', async (path, status) => {
        const res = await fetch(`${chain.gateway.url}${path}`, { headers: { 'X-Request-ID': 'err-check-1' } });
        await res.text();
        expect(res.status).toBe(status);
        expect(res.headers.get('x-request-id')).toBe('err-check-1');
      });

      test('an error log line carries the stack trace and the request ids', async () => {
        const res = await fetch(`${chain.gateway.url}/boom`, { headers: { 'X-Request-ID': 'err-check-2' } });
        await res.text();
        const line = (await chain.gateway.waitForLine(l => l.request_id === 'err-check-2' && l.msg === 'handler failed')) as LogLine & {
          err: { stack: string };
        };
        expect(line).toMatchObject({ trace_id: requestIdToTraceId('err-check-2'), request_chain: `err-check-2,${line.span_id}` });
        expect(line.err.stack).toContain('Error: boom');
      });
    });
  });
}
