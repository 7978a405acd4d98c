import { ROOT_CONTEXT, defaultTextMapGetter, defaultTextMapSetter, trace } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import { buildPropagator } from '../../../src/propagation/composite';
import { getCorrelation } from '../../../src/core/correlation';
import { RequestIdPropagator } from '../../../src/propagation/request-id-propagator';
import { RequestIdGenerator } from '../../../src/core/id-generator';
import { RequestIdPolicy, builtInRequestIds } from '../../../src/core/request-id-policy';
import { decideRequest } from '../../../src/core/request-start';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function setup(edge = false) {
  const idGenerator = new RequestIdGenerator();
  const requestIds = new RequestIdPolicy(builtInRequestIds('uuid4'));
  const requestId = new RequestIdPropagator({ headers: ['x-request-id', 'x-correlation-id'], outgoingHeader: 'X-Request-ID', requestIds, edge });
  const propagator = buildPropagator(['tracecontext', 'baggage'], requestId);
  const extract = (headers: Record<string, string>) => propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
  /** What a server span starts with: extract, then the request decided (src/core/request-start.ts). */
  const begin = (headers: Record<string, string>) => decideRequest(extract(headers), requestIds);
  const inject = (context: Context) => {
    const carrier: Record<string, string> = {};
    propagator.inject(context, carrier, defaultTextMapSetter);
    return carrier;
  };
  return { idGenerator, extract, begin, inject };
}

describe('deciding the request correlation where its root span starts', () => {
  const table: Array<[string, Record<string, string>, { requestId: string | RegExp; chain: string | RegExp; armed: string | null; parent: boolean }]> = [
    [
      'a UUID X-Request-ID picks the trace id',
      { 'x-request-id': '0DADB33F-EE15-470A-BFC8-5E35926793A5' },
      {
        requestId: '0DADB33F-EE15-470A-BFC8-5E35926793A5',
        chain: '0DADB33F-EE15-470A-BFC8-5E35926793A5',
        armed: '0dadb33fee15470abfc85e35926793a5',
        parent: false,
      },
    ],
    [
      'a free-form X-Request-ID maps through SHA-256',
      { 'x-request-id': 'abc-123' },
      { requestId: 'abc-123', chain: 'abc-123', armed: '5942d94f524882e0f29bf0a1e5a6dcc9', parent: false },
    ],
    [
      'X-Correlation-ID is read when X-Request-ID is absent',
      { 'x-correlation-id': 'abc-123' },
      { requestId: 'abc-123', chain: 'abc-123', armed: '5942d94f524882e0f29bf0a1e5a6dcc9', parent: false },
    ],
    [
      'an invalid X-Request-ID falls back to X-Correlation-ID',
      { 'x-request-id': 'bad id', 'x-correlation-id': 'abc-123' },
      { requestId: 'abc-123', chain: 'abc-123', armed: '5942d94f524882e0f29bf0a1e5a6dcc9', parent: false },
    ],
    [
      'the chain form counts as the root with its chain',
      { 'x-request-id': 'abc-123,1111111111111111' },
      { requestId: 'abc-123', chain: 'abc-123,1111111111111111', armed: '5942d94f524882e0f29bf0a1e5a6dcc9', parent: false },
    ],
    [
      'request.id and request.chain in baggage are read',
      { baggage: 'request.id=abc-123,request.chain=abc-123%2C1111111111111111' },
      { requestId: 'abc-123', chain: 'abc-123,1111111111111111', armed: '5942d94f524882e0f29bf0a1e5a6dcc9', parent: false },
    ],
    [
      'a baggage chain with another root is ignored',
      { 'x-request-id': 'abc-123', baggage: 'request.chain=other%2C1111111111111111' },
      { requestId: 'abc-123', chain: 'abc-123', armed: '5942d94f524882e0f29bf0a1e5a6dcc9', parent: false },
    ],
    [
      'a valid traceparent continues the trace and names the request after it',
      { traceparent: TRACEPARENT },
      { requestId: '4bf92f35-77b3-4da6-a3ce-929d0e0e4736', chain: '4bf92f35-77b3-4da6-a3ce-929d0e0e4736', armed: null, parent: true },
    ],
    [
      'a traceparent with X-Request-ID keeps both',
      { traceparent: TRACEPARENT, 'x-request-id': 'abc-123' },
      { requestId: 'abc-123', chain: 'abc-123', armed: null, parent: true },
    ],
    [
      'an invalid traceparent is ignored',
      { traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01', 'x-request-id': 'abc-123' },
      { requestId: 'abc-123', chain: 'abc-123', armed: '5942d94f524882e0f29bf0a1e5a6dcc9', parent: false },
    ],
    [
      'no id at all makes a new UUID',
      {},
      { requestId: /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, chain: /^[0-9a-f-]{36}$/, armed: 'uuid', parent: false },
    ],
    [
      'a hostile X-Request-ID counts as no id',
      { 'x-request-id': 'x\r\nSet-Cookie: a=b' },
      { requestId: /^[0-9a-f]{8}-/, chain: /^[0-9a-f-]{36}$/, armed: 'uuid', parent: false },
    ],
  ];

  test.each(table)('%s', (_title, headers, expected) => {
    const { idGenerator, begin } = setup();
    const start = begin(headers);
    const context = start.context;
    const correlation = getCorrelation(context);
    expect(correlation).toBeDefined();
    expect(correlation!.requestId).toEqual(expected.requestId instanceof RegExp ? expect.stringMatching(expected.requestId) : expected.requestId);
    expect(correlation!.chain).toEqual(expected.chain instanceof RegExp ? expect.stringMatching(expected.chain) : expected.chain);
    expect(trace.getSpanContext(context) !== undefined).toBe(expected.parent);
    const traceId = idGenerator.withTraceId(start.traceId, () => idGenerator.generateTraceId());
    if (expected.armed === 'uuid') expect(traceId).toBe(correlation!.requestId.replace(/-/g, ''));
    else if (expected.armed !== null) expect(traceId).toBe(expected.armed);
    else expect(traceId).not.toBe(trace.getSpanContext(context)!.traceId);
  });

  test('the hop id joins an incoming chain but not a chain born here', () => {
    const { extract, begin } = setup();
    const downstream = getCorrelation(extract({ 'x-request-id': 'abc-123,1111111111111111' }))!;
    downstream.enterHop('2222222222222222');
    expect(downstream.chain).toBe('abc-123,1111111111111111,2222222222222222');
    const born = getCorrelation(begin({}).context)!;
    born.enterHop('2222222222222222');
    expect(born.chain).toBe(born.requestId);
    const fromTrace = getCorrelation(extract({ traceparent: TRACEPARENT }))!;
    fromTrace.enterHop('2222222222222222');
    expect(fromTrace.chain).toBe('4bf92f35-77b3-4da6-a3ce-929d0e0e4736');
  });

  // An id born elsewhere (a browser, a load balancer, another team's service) is a hop this service adds to.
  test.each([
    ['a bare X-Request-ID', { 'x-request-id': 'abc-123' }],
    ['a bare X-Request-ID with a traceparent', { 'x-request-id': 'abc-123', traceparent: TRACEPARENT }],
    ['a bare request.id in baggage', { baggage: 'request.id=abc-123' }],
    ['a bare X-Request-ID with a chain of another root', { 'x-request-id': 'abc-123', baggage: 'request.chain=other%2C1111111111111111' }],
  ])('%s gets the chain <id>,<own hop>', (_title, headers) => {
    const { extract } = setup();
    const correlation = getCorrelation(extract(headers))!;
    correlation.enterHop('2222222222222222');
    expect(correlation.chain).toBe('abc-123,2222222222222222');
  });
});

describe('extract is pure', () => {
  // The same headers twice give the same correlation (or none), and the id generator is never armed:
  // the next root span takes a random trace id, not the one a request id maps to.
  test.each<[string, Record<string, string>, boolean]>([
    ['a request id', { 'x-request-id': 'abc-123' }, false],
    ['a request id with a chain', { 'x-request-id': 'abc-123,1111111111111111' }, false],
    ['request.id in baggage', { baggage: 'request.id=abc-123' }, false],
    ['a traceparent', { traceparent: TRACEPARENT }, false],
    ['a traceparent and a request id', { traceparent: TRACEPARENT, 'x-request-id': 'abc-123' }, false],
    ['nothing', {}, false],
    ['a hostile request id', { 'x-request-id': 'x\r\nSet-Cookie: a=b' }, false],
    ['a request id, at the edge', { 'x-request-id': 'abc-123' }, true],
    ['a traceparent, at the edge', { traceparent: TRACEPARENT }, true],
    ['nothing, at the edge', {}, true],
  ])('%s', (_title, headers, edge) => {
    const { extract } = setup(edge);
    const generator = new RequestIdGenerator();
    const first = extract(headers);
    const second = extract(headers);
    const shape = (context: Context) => {
      const correlation = getCorrelation(context);
      return { requestId: correlation?.requestId, chain: correlation?.chain, parent: trace.getSpanContext(context)?.traceId };
    };
    expect(shape(second)).toEqual(shape(first));
    // Nothing new is made: with no id and no parent, there is no correlation until the request starts.
    if (headers['x-request-id'] === undefined && headers.baggage === undefined && headers.traceparent === undefined)
      expect(getCorrelation(first)).toBeUndefined();
    if (edge) expect(getCorrelation(first)).toBeUndefined();
    const mapped = new Set(['5942d94f524882e0f29bf0a1e5a6dcc9']);
    expect(mapped.has(generator.generateTraceId())).toBe(false);
  });
});

describe('injecting the request correlation', () => {
  test('outgoing calls carry X-Request-ID and the chain in baggage next to the caller baggage', () => {
    const { extract, inject } = setup();
    const context = extract({ 'x-request-id': 'abc-123,1111111111111111', baggage: 'tenant=acme' });
    getCorrelation(context)!.enterHop('2222222222222222');
    const headers = inject(context);
    expect(headers['X-Request-ID']).toBe('abc-123');
    const sent = Object.fromEntries(
      headers.baggage
        .split(',')
        .map(entry => entry.split('='))
        .map(([key, value]) => [key, decodeURIComponent(value)]),
    );
    expect(sent).toEqual({ tenant: 'acme', 'request.id': 'abc-123', 'request.chain': 'abc-123,1111111111111111,2222222222222222' });
  });

  test.each([
    ['every incoming member invalid sends no tracestate', 'BAD MEMBER,=x,k=', undefined],
    ['valid members are passed on, invalid ones dropped', 'vendor=abc,BAD MEMBER', 'vendor=abc'],
  ])('%s', (_title, tracestate, sent) => {
    const { extract, inject } = setup();
    const headers = inject(extract({ traceparent: TRACEPARENT, tracestate }));
    expect(headers.traceparent).toBe(TRACEPARENT);
    expect(headers.tracestate).toBe(sent);
  });

  test('a context without a correlation injects no request id', () => {
    const { inject } = setup();
    expect(inject(ROOT_CONTEXT)).toEqual({});
  });
});

describe('RequestIdGenerator', () => {
  test('an armed trace id is used once', () => {
    const generator = new RequestIdGenerator();
    generator.arm('0dadb33fee15470abfc85e35926793a5');
    expect(generator.generateTraceId()).toBe('0dadb33fee15470abfc85e35926793a5');
    expect(generator.generateTraceId()).not.toBe('0dadb33fee15470abfc85e35926793a5');
  });

  test('an armed trace id that no span took is dropped at the end of the synchronous run', async () => {
    const generator = new RequestIdGenerator();
    generator.arm('0dadb33fee15470abfc85e35926793a5');
    await Promise.resolve();
    expect(generator.generateTraceId()).not.toBe('0dadb33fee15470abfc85e35926793a5');
  });

  test('random ids are valid W3C ids and do not repeat', () => {
    const generator = new RequestIdGenerator();
    const traceIds = new Set(Array.from({ length: 2000 }, () => generator.generateTraceId()));
    const spanIds = new Set(Array.from({ length: 2000 }, () => generator.generateSpanId()));
    expect(traceIds.size).toBe(2000);
    expect(spanIds.size).toBe(2000);
    for (const id of traceIds) expect(id).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
    for (const id of spanIds) expect(id).toMatch(/^(?!0{16})[0-9a-f]{16}$/);
  });
});

describe('hostile baggage', () => {
  test('an entry with a NUL in its metadata is dropped, so outgoing headers stay valid', () => {
    const { extract, inject } = setup();
    const headers = inject(extract({ baggage: 'bad=a;\u0000,good=b;p=1', 'x-request-id': 'abc-123' }));
    expect(headers.baggage).toContain('good=b');
    expect(headers.baggage).not.toContain('bad');
    expect(headers.baggage).toMatch(/^[!-~]*$/);
  });
});
