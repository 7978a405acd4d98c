import { breadcrumbOfLine, eventWithBreadcrumbs, eventWithRequest, eventWithRequestSpan, propagationInTrace } from '../../../src/sentry';

const REQUEST = { requestId: 'req-1', chain: 'req-1,gw-9', traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) };

describe('eventWithRequest', () => {
  test('adds the request id tag and the tracehop context', () => {
    expect(eventWithRequest({ tags: { a: '1' } }, REQUEST, 'request_id')).toEqual({
      tags: { a: '1', request_id: 'req-1' },
      contexts: { tracehop: { request_id: 'req-1', request_chain: 'req-1,gw-9' } },
    });
  });

  test("leaves an app's own tag of that name as it is", () => {
    expect(eventWithRequest({ tags: { rid: 'mine' } }, REQUEST, 'rid').tags).toEqual({ rid: 'mine' });
  });
});

describe('eventWithRequestSpan', () => {
  test("a span of Sentry's in the request's trace gives way to the request's span", () => {
    expect(eventWithRequestSpan({ contexts: { trace: { trace_id: REQUEST.traceId, span_id: 'c'.repeat(16) } } }, REQUEST).contexts?.trace).toEqual({
      trace_id: REQUEST.traceId,
      span_id: REQUEST.spanId,
    });
  });

  test.each<[string, object]>([
    ['an event with no trace context', {}],
    ['an event in another trace', { contexts: { trace: { trace_id: 'd'.repeat(32), span_id: 'c'.repeat(16) } } }],
  ])('%s is left as it is', (_title, event) => {
    expect(eventWithRequestSpan(structuredClone(event), REQUEST)).toEqual(event);
  });
});

describe('breadcrumbOfLine', () => {
  test.each<[string, string, number, unknown]>([
    [
      'an info line at the info threshold',
      '{"level":30,"time":1700000000000,"pid":1,"hostname":"h","msg":"hi","user":7}',
      30,
      { type: 'default', category: 'pino', level: 'info', message: 'hi', timestamp: 1700000000, data: { user: 7 } },
    ],
    ['a warn line becomes a warning', '{"level":40,"msg":"careful"}', 30, { type: 'default', category: 'pino', level: 'warning', message: 'careful' }],
    ['a fatal line', '{"level":60,"msg":"down"}', 30, { type: 'default', category: 'pino', level: 'fatal', message: 'down' }],
    ['a debug line below the threshold', '{"level":20,"msg":"detail"}', 30, null],
    ['a line whose level is not first', '{"msg":"x","level":50}', 30, null],
    ['a line that is not JSON', '{"level":50,oops', 30, null],
    ['any line when off', '{"level":60,"msg":"down"}', Number.POSITIVE_INFINITY, null],
  ])('%s', (_title, line, threshold, expected) => {
    expect(breadcrumbOfLine(line, threshold)).toEqual(expected);
  });
});

describe('eventWithBreadcrumbs', () => {
  const pino = (message: string, timestamp: number) => ({ category: 'pino', message, timestamp });
  test.each<[string, object, object[], object]>([
    ['adds the pino crumbs to an event with none', {}, [pino('start', 2), pino('middle', 3)], { breadcrumbs: [pino('start', 2), pino('middle', 3)] }],
    [
      "puts them in time order with the event's own",
      {
        breadcrumbs: [
          { category: 'console', message: 'early', timestamp: 1 },
          { category: 'console', message: 'late', timestamp: 4 },
        ],
      },
      [pino('start', 2), pino('middle', 3)],
      {
        breadcrumbs: [
          { category: 'console', message: 'early', timestamp: 1 },
          pino('start', 2),
          pino('middle', 3),
          { category: 'console', message: 'late', timestamp: 4 },
        ],
      },
    ],
    [
      'leaves out crumbs that are not pino lines',
      {},
      [{ category: 'http', message: 'GET /', timestamp: 1 }, pino('start', 2)],
      { breadcrumbs: [pino('start', 2)] },
    ],
    ['leaves the event as it is when the scope has none', { tags: { a: '1' } }, [], { tags: { a: '1' } }],
  ])('%s', (_title, event, fromScope, expected) => {
    expect(eventWithBreadcrumbs(event, fromScope)).toEqual(expected);
  });

  test.each<[string, number | undefined, number[]]>([
    ["Sentry's default keeps the latest 100 of 150", undefined, Array.from({ length: 100 }, (_, i) => i + 50)],
    ['maxBreadcrumbs 3 keeps the latest 3', 3, [147, 148, 149]],
    ['maxBreadcrumbs 0 keeps none', 0, []],
  ])('%s', (_title, max, timestamps) => {
    const many = Array.from({ length: 150 }, (_, i) => pino(`line ${i}`, i));
    const event = eventWithBreadcrumbs({}, many, max) as { breadcrumbs: { timestamp: number }[] };
    expect(event.breadcrumbs.map(crumb => crumb.timestamp)).toEqual(timestamps);
  });
});

describe('propagationInTrace', () => {
  const OURS = 'c'.repeat(32);

  test('a context already in the trace is left as it is', () => {
    expect(propagationInTrace({ traceId: OURS, sampleRand: 0.5, parentSpanId: 'd'.repeat(16), sampled: true }, OURS)).toBeNull();
  });

  test("Sentry's own new trace takes the request's id, keeping its random sample value and propagation span", () => {
    expect(propagationInTrace({ traceId: 'e'.repeat(32), sampleRand: 0.25, propagationSpanId: 'f'.repeat(16) }, OURS)).toEqual({
      traceId: OURS,
      sampleRand: 0.25,
      propagationSpanId: 'f'.repeat(16),
    });
  });

  test("a caller's sentry-trace of another trace: its parent, decision and sampling context are dropped", () => {
    expect(
      propagationInTrace({ traceId: 'e'.repeat(32), sampleRand: 0.75, parentSpanId: 'a'.repeat(16), sampled: false, dsc: { trace_id: 'e'.repeat(32) } }, OURS),
    ).toEqual({ traceId: OURS, sampleRand: 0.75 });
  });
});
