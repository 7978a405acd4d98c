import { ROOT_CONTEXT, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { addLogFields, currentRequest, runAsRequest, withLogFields } from '../../../src/context';
import { createLogFieldsJsonReader, createLogFieldsReader } from '../../../src/logging/log-fields';
import { RequestCorrelation, setCorrelation } from '../../../src/core/correlation';

const TRACE_ID = '0dadb33fee15470abfc85e35926793a5';
const SPAN_ID = 'ac0eabbd00000001';
const BASE = `"trace_id":"${TRACE_ID}","span_id":"${SPAN_ID}","trace_flags":"01","request_id":"abc-123","request_chain":"abc-123"`;

function inRequest<T>(fn: () => T): T {
  const span = trace.wrapSpanContext({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 });
  return context.with(setCorrelation(trace.setSpan(ROOT_CONTEXT, span), new RequestCorrelation('abc-123', null)), fn);
}

const manager = new AsyncLocalStorageContextManager();
beforeAll(() => context.setGlobalContextManager(manager.enable()));
afterAll(() => context.disable());

describe('added fields in the log-field readers', () => {
  test('the JSON reader appends the added fields after the correlation fields, and sees a later addition', () => {
    const read = createLogFieldsJsonReader();
    inRequest(() => {
      expect(read()).toBe(BASE);
      addLogFields({ user: 'u1', count: 2, nested: { a: [1] } });
      expect(read()).toBe(`${BASE},"user":"u1","count":2,"nested":{"a":[1]}`);
      addLogFields({ user: 'u2' });
      expect(read()).toBe(`${BASE},"user":"u2","count":2,"nested":{"a":[1]}`);
    });
  });

  test("the mixin reader returns the added fields in the object, the app's winning over a clash", () => {
    const read = createLogFieldsReader();
    inRequest(() => {
      addLogFields({ user: 'u1', request_id: 'app-value' });
      expect(read()).toMatchObject({ trace_id: TRACE_ID, user: 'u1', request_id: 'app-value' });
    });
  });

  test("withLogFields fields apply inside the block only, over the request's, and the block's value is returned", () => {
    const read = createLogFieldsJsonReader();
    inRequest(() => {
      addLogFields({ user: 'u1' });
      const inside = withLogFields({ user: 'block', step: 's' }, () => read());
      expect(inside).toBe(`${BASE},"user":"block","step":"s"`);
      expect(read()).toBe(`${BASE},"user":"u1"`);
    });
  });

  test('values JSON cannot hold are left out, the rest kept', () => {
    const read = createLogFieldsJsonReader();
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    inRequest(() => {
      addLogFields({ big: 1n, cycle, fn: () => 1, missing: undefined, kept: 'yes' });
      expect(read()).toBe(`${BASE},"kept":"yes"`);
    });
  });

  test('a hostile value is escaped, never breaking the line', () => {
    const read = createLogFieldsJsonReader();
    inRequest(() => {
      addLogFields({ 'x"y': 'a"\n}{"level":60' });
      expect(JSON.parse(`{${read()}}`)).toMatchObject({ 'x"y': 'a"\n}{"level":60' });
    });
  });
});

describe('outside a request', () => {
  test.each([
    ['currentRequest returns undefined', () => currentRequest(), undefined],
    ['withLogFields runs the function plainly', () => withLogFields({ a: 1 }, () => 'ran'), 'ran'],
    ['addLogFields does nothing and does not throw', () => addLogFields({ a: 1 }), undefined],
    ['addLogFields with a non-object does not throw', () => addLogFields(null as unknown as Record<string, unknown>), undefined],
    ['runAsRequest with tracehop not started runs the function plainly', () => runAsRequest(() => currentRequest() ?? 'plain'), 'plain'],
    [
      'withLogFields with a non-object still runs the function',
      () => inRequest(() => withLogFields('x' as unknown as Record<string, unknown>, () => 'ran')),
      'ran',
    ],
  ])('%s', (_title, call, expected) => {
    expect(call()).toBe(expected);
  });
});
