import { ROOT_CONTEXT, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { Writable } from 'node:stream';
import { callsStreamWrite, logFieldsSplice, withSplice } from '../../../src/logging/pino-line';
import { patchPinoModule } from '../../../src/logging/pino-hook';
import { RequestCorrelation, setCorrelation } from '../../../src/core/correlation';
import { defaultLogLineSettings } from '../../support/runtime';

const spliceLogFields = logFieldsSplice(defaultLogLineSettings());

const realPino = require('pino') as typeof import('pino').default;

const TRACE_ID = '0dadb33fee15470abfc85e35926793a5';
const SPAN_ID = 'ac0eabbd00000001';
const FIELDS = `"trace_id":"${TRACE_ID}","span_id":"${SPAN_ID}","trace_flags":"01","request_id":"abc-123","request_chain":"abc-123"`;

function inRequest<T>(fn: () => T, requestId = 'abc-123'): T {
  const span = trace.wrapSpanContext({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 });
  return context.with(setCorrelation(trace.setSpan(ROOT_CONTEXT, span), new RequestCorrelation(requestId, null)), fn);
}

function collect() {
  const records: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        raw.push(line);
        records.push(JSON.parse(line));
      }
      done();
    },
  });
  return { records, raw, stream };
}

const manager = new AsyncLocalStorageContextManager();
beforeAll(() => context.setGlobalContextManager(manager.enable()));
afterAll(() => context.disable());

describe('spliceLogFields', () => {
  test.each([
    ['a pino line', '{"level":30,"msg":"x"}\n', `{${FIELDS},"level":30,"msg":"x"}\n`],
    ['an empty record', '{}\n', `{${FIELDS}}\n`],
    ['a line that is not a JSON object', 'level=info msg=x\n', 'level=info msg=x\n'],
  ])('inside a request, %s', (_title, line, expected) => {
    expect(inRequest(() => spliceLogFields(line))).toBe(expected);
  });

  test('outside any span the line is returned unchanged', () => {
    const line = '{"level":30,"msg":"x"}\n';
    expect(spliceLogFields(line)).toBe(line);
  });

  test('a request id holding a quote and a backslash is escaped, and the line parses', () => {
    const line = inRequest(() => spliceLogFields('{"level":30}\n'), 'a"b\\c');
    expect(JSON.parse(line)).toMatchObject({ request_id: 'a"b\\c', request_chain: 'a"b\\c', level: 30 });
  });

  test("an app's own streamWrite hook runs on the line that already has the fields", () => {
    const seen: string[] = [];
    const hook = withSplice(spliceLogFields, (line: string) => {
      seen.push(line);
      return line.toUpperCase();
    });
    expect(inRequest(() => hook('{"msg":"x"}'))).toBe(`{${FIELDS},"msg":"x"}`.toUpperCase());
    expect(seen[0]).toContain(`"trace_id":"${TRACE_ID}"`);
  });
});

describe('the pino hook through streamWrite', () => {
  const pino = patchPinoModule(realPino, defaultLogLineSettings()) as typeof realPino;

  test('this pino calls streamWrite, so the hook splices', () => {
    expect(callsStreamWrite(realPino.version)).toBe(true);
  });

  test('the fields are the first members of the record', () => {
    const { raw, stream } = collect();
    inRequest(() => pino(stream).info({ card: '1234' }, 'looked up'));
    expect(raw[0].startsWith(`{${FIELDS},"level":30,`)).toBe(true);
  });

  test('a field the app logs under one of our names wins when the record is parsed', () => {
    const { records, stream } = collect();
    inRequest(() => pino(stream).info({ request_id: 'from-the-app' }, 'clash'));
    expect(records[0]).toMatchObject({ request_id: 'from-the-app', trace_id: TRACE_ID });
  });

  test("an app's streamWrite option still runs, and sees the fields", () => {
    const { records, stream } = collect();
    const logger = pino({ hooks: { streamWrite: (line: string) => line.replace('"msg":"x"', '"msg":"rewritten"') } }, stream);
    inRequest(() => logger.info('x'));
    expect(records[0]).toMatchObject({ msg: 'rewritten', trace_id: TRACE_ID });
  });
});

describe('the pino hook with a pino that never calls streamWrite', () => {
  // Older pinos have no streamWrite hook: this stand-in drops the option, and says it is 9.5.
  const olderPino = Object.assign(
    (options: Record<string, unknown>, destination: Writable) => {
      const { hooks: _dropped, ...rest } = options;
      return realPino(rest, destination);
    },
    realPino,
    { version: '9.5.0' },
  );
  const pino = patchPinoModule(olderPino, defaultLogLineSettings()) as (options: object, destination: Writable) => import('pino').Logger;

  test.each([
    ['9.5.0', false],
    ['9.6.0', true],
    ['9.14.0', true],
    ['10.0.0-rc.1', true],
    ['8.21.0', false],
    ['7.0.0', false],
    ['11.0.0', true],
    ['not a version', false],
    [undefined, false],
    [96, false],
  ])('pino %p calls streamWrite: %p', (version, calls) => {
    expect(callsStreamWrite(version)).toBe(calls);
  });

  test('the fields come through a mixin instead', () => {
    const { records, stream } = collect();
    inRequest(() => pino({}, stream).info('from an older pino'));
    expect(records[0]).toMatchObject({ trace_id: TRACE_ID, span_id: SPAN_ID, trace_flags: '01', request_id: 'abc-123', request_chain: 'abc-123' });
  });
});
